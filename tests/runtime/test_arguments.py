"""Bad arguments are refused before anything is sent, with an error that names the
argument and says what is expected. The error type, ArgumentError (a ValueError), is
distinct from the API's own 422."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import respx

import telnyx_ai
from telnyx_ai import AsyncTelnyx, Telnyx

BASE = "https://api.telnyx.com/v2"
EVENT = {
    "scheduled_at_fixed_datetime": "2026-12-01T10:00:00Z",
    "telnyx_conversation_channel": "phone_call",
    "telnyx_agent_target": "+13125550001",
    "telnyx_end_user_target": "+13125550002",
}


def call(mode: str, pick: Callable[[Any], Callable[..., Any]], *args: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        return pick(Telnyx(api_key="k"))(*args, **kwargs)

    async def run() -> Any:
        async with AsyncTelnyx(api_key="k") as client:
            result = pick(client)(*args, **kwargs)
            return await result

    return asyncio.run(run())


CASES: list[tuple[str, Callable[[Any], Any], tuple[Any, ...], dict[str, Any], str]] = [
    (
        "phone number not E.164",
        lambda c: c.ai.assistants.send_sms,
        ("a1",),
        {"from_": "312-555-0001", "to": "+13125550002"},
        "invalid request body: from_: must be an E.164 phone number such as +13125550001, "
        "got '312-555-0001'",
    ),
    (
        "phone number with spaces",
        lambda c: c.ai.assistants.send_sms,
        ("a1",),
        {"from_": "+13125550001", "to": "+1 312 555 0002"},
        "invalid request body: to: must be an E.164 phone number such as +13125550001, "
        "got '+1 312 555 0002'",
    ),
    (
        "target neither phone number nor SIP URI",
        lambda c: c.ai.assistants.scheduled_events.create,
        ("a1",),
        {**EVENT, "telnyx_end_user_target": "call me maybe"},
        "invalid request body: telnyx_end_user_target: must be an E.164 phone number such as "
        "+13125550001 or a SIP URI such as sip:agent@example.com, got 'call me maybe'",
    ),
    (
        "wrong type in the body",
        lambda c: c.ai.assistants.create,
        (),
        {"name": 123, "instructions": "i", "model": "m"},
        "invalid request body: name: Input should be a valid string",
    ),
    (
        "value outside an enum (body)",
        lambda c: c.ai.assistants.scheduled_events.create,
        ("a1",),
        {**EVENT, "telnyx_conversation_channel": "carrier_pigeon"},
        "invalid request body: telnyx_conversation_channel: "
        "Input should be 'phone_call' or 'sms_chat'",
    ),
    (
        "value outside an enum (query)",
        lambda c: c.ai.assistants.tests.runs.list,
        ("t1",),
        {"status": "exploded"},
        "invalid query: status: "
        "Input should be 'pending', 'starting', 'running', 'passed', 'failed' or 'error'",
    ),
    (
        "number out of range",
        lambda c: c.ai.assistants.tests.list,
        (),
        {"page_size": 1000},
        "invalid query: page_size: Input should be less than or equal to 100",
    ),
    (
        "wrong type in the query",
        lambda c: c.ai.assistants.scheduled_events.list,
        ("a1",),
        {"from_date": "last tuesday"},
        "invalid query: from_date: Input should be a valid datetime or date",
    ),
    (
        "unknown tool type",
        lambda c: c.ai.assistants.create,
        (),
        {"name": "n", "instructions": "i", "model": "m", "tools": [{"type": "teleport"}]},
        "invalid request body: tools.0",
    ),
    (
        "empty id",
        lambda c: c.ai.assistants.retrieve,
        ("",),
        {},
        "`assistant_id` must be a non-empty string",
    ),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("case", "pick", "args", "kwargs", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_argument_is_refused_before_sending(
    mode: str, case: str, pick: Any, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.route().respond(200, json={})
        with pytest.raises(telnyx_ai.ArgumentError) as info:
            call(mode, pick, *args, **kwargs)
    assert str(info.value).startswith(message), str(info.value)
    assert isinstance(info.value, ValueError) and not isinstance(
        info.value, telnyx_ai.APIStatusError
    )
    assert not route.called


@pytest.mark.parametrize(
    "target", ["+13125550001", "sip:agent@example.com", "sips:desk@pbx.example.com"]
)
def test_valid_targets_are_sent(target: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/assistants/a1/scheduled_events").respond(
            201,
            json={
                **EVENT,
                "assistant_id": "a1",
                "telnyx_end_user_target": target,
                "status": "pending",
            },
        )
        Telnyx(api_key="k").ai.assistants.scheduled_events.create(
            "a1", **{**EVENT, "telnyx_end_user_target": target}
        )
    assert route.called


def test_missing_required_argument_names_it() -> None:
    client = Telnyx(api_key="k")
    with pytest.raises(TypeError, match="instructions"):
        client.ai.assistants.create(name="n", model="m")  # type: ignore[call-arg]
