"""What a response gives can be passed back as an argument, and goes on the wire as the
server sent it: an id (`str`, or a UUID the caller made), a time (`datetime`), an enum
member, nested models, a tagged union's variant newer than the SDK; a TypedDict and a model
send the same body."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import respx

from telnyx_ai import ArgumentError, Telnyx
from telnyx_ai.types import CreateAssistantTestRequestRubricItem

BASE = "https://api.telnyx.com/v2"
TOOLS = [
    {"type": "hangup", "hangup": {"description": "Hang up when the caller says goodbye."}},
    {"type": "brand_new_tool", "brand_new_tool": {"setting": 1}},  # a tool newer than the SDK
]
ASSISTANT = {
    "id": "assistant-1",
    "name": "Bot",
    "model": "m",
    "instructions": "i",
    "created_at": "2024-01-01T00:00:00Z",
    "tools": TOOLS,
    # an enum value and a field newer than the SDK, nested in a model
    "telephony_settings": {
        "default_texml_app_id": "app-1",
        "noise_suppression": "brand-new-engine",
        "brand_new_setting": 7,
    },
}
EVENT = {
    "assistant_id": "assistant-1",
    "scheduled_at_fixed_datetime": "2026-12-01T10:00:00+00:00",
    "telnyx_conversation_channel": "phone_call",
    "telnyx_agent_target": "+13125550001",
    "telnyx_end_user_target": "+13125550002",
}


def sent(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


def test_nested_models_and_newer_values_of_a_response_are_sent_back_as_they_came() -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/assistant-1").respond(200, json=ASSISTANT)
        update = mock.post("/ai/assistants/assistant-1").respond(200, json=ASSISTANT)
        client = Telnyx(api_key="k")
        assistant = client.ai.assistants.retrieve("assistant-1")
        assert type(assistant.tools[1]).__name__ == "UnknownVariant"  # the premises
        assert (
            assistant.telephony_settings is not None
            and assistant.telephony_settings.noise_suppression == "brand-new-engine"
        )
        client.ai.assistants.update(
            assistant.id, tools=assistant.tools, telephony_settings=assistant.telephony_settings
        )
    assert sent(update) == {"tools": TOOLS, "telephony_settings": ASSISTANT["telephony_settings"]}


def test_a_time_an_enum_member_and_a_uuid_are_sent_as_their_text() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.post(url__regex=r"/ai/assistants/[^/]+/scheduled_events$").respond(
            200, json=EVENT
        )
        client = Telnyx(api_key="k")
        event = client.ai.assistants.scheduled_events.create(
            "assistant-1",
            scheduled_at_fixed_datetime=datetime(2026, 12, 1, 10, tzinfo=timezone.utc),
            telnyx_agent_target="+13125550001",
            telnyx_conversation_channel="phone_call",
            telnyx_end_user_target="+13125550002",
        )
        assert isinstance(event.scheduled_at_fixed_datetime, datetime)
        first = sent(route)
        an_id = uuid.UUID("8b3c2d1e-0000-4000-8000-000000000000")
        client.ai.assistants.scheduled_events.create(
            an_id,
            scheduled_at_fixed_datetime=event.scheduled_at_fixed_datetime + timedelta(hours=1),
            telnyx_agent_target=event.telnyx_agent_target,
            telnyx_conversation_channel=event.telnyx_conversation_channel,
            telnyx_end_user_target=event.telnyx_end_user_target,
        )
    assert first["scheduled_at_fixed_datetime"] in (
        "2026-12-01T10:00:00Z",
        "2026-12-01T10:00:00+00:00",
    )
    second = sent(route)
    assert second["scheduled_at_fixed_datetime"] in (
        "2026-12-01T11:00:00Z",
        "2026-12-01T11:00:00+00:00",
    )
    assert second["telnyx_conversation_channel"] == "phone_call"
    assert route.calls.last.request.url.path.endswith(f"/ai/assistants/{an_id}/scheduled_events")


def test_a_time_without_its_offset_is_refused_before_sending() -> None:
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.post(url__regex=r"/scheduled_events$").respond(200, json=EVENT)
        with pytest.raises(ArgumentError, match="scheduled_at_fixed_datetime"):
            Telnyx(api_key="k").ai.assistants.scheduled_events.create(
                "assistant-1",
                scheduled_at_fixed_datetime=datetime(2026, 12, 1, 10),
                telnyx_agent_target="+13125550001",
                telnyx_conversation_channel="phone_call",
                telnyx_end_user_target="+13125550002",
            )
    assert not route.called


def test_a_typeddict_and_a_model_send_the_same_body() -> None:
    test = {
        "test_id": "t1",
        "name": "n",
        "destination": "d",
        "instructions": "i",
        "rubric": [],
        "created_at": "2024-01-01T00:00:00Z",
        "telnyx_conversation_channel": "web_chat",
        "max_duration_seconds": 60,
    }
    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/assistants/tests").respond(200, json=test)
        client = Telnyx(api_key="k")
        client.ai.assistants.tests.create(
            destination="d",
            instructions="i",
            name="n",
            rubric=[{"criteria": "Greets", "name": "greeting"}],
        )
        as_dict = sent(route)
        client.ai.assistants.tests.create(
            destination="d",
            instructions="i",
            name="n",
            rubric=[CreateAssistantTestRequestRubricItem(criteria="Greets", name="greeting")],
        )
    assert (
        sent(route)
        == as_dict
        == {
            "destination": "d",
            "instructions": "i",
            "name": "n",
            "rubric": [{"criteria": "Greets", "name": "greeting"}],
        }
    )
