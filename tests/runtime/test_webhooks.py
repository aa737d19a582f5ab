"""Webhooks: `client.webhooks.unwrap()` checks the Ed25519 signature and the timestamp and
parses the event into the model of its event type. The tests sign with keys they generate;
every webhook of the curated spec is signed and parsed from its example."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from support.servers import serving
from support.webhook_signing import (
    BODY,
    CONFIG,
    OTHER,
    PUBLIC,
    ROOT,
    SIGNATURE,
    SPEC,
    TIMESTAMP,
    sign,
)

import telnyx_ai
from generator.normalising import normalise
from generator.problems import Problems
from telnyx_ai import AsyncTelnyx, Telnyx, WebhookVerificationError
from telnyx_ai import types as models
from telnyx_ai.types import UnknownWebhookEvent


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Telnyx:
    monkeypatch.delenv(CONFIG["public_key_env"], raising=False)
    return Telnyx(api_key="k", public_key=PUBLIC)


def webhook_examples() -> list[tuple[str, str, dict[str, Any]]]:
    """(webhook, model name, payload) for every webhook of the curated spec: the payload is
    its data schema's example, else one made of its properties' examples."""
    document = normalise(
        yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader), "spec", Problems()
    ).document
    schemas = document["components"]["schemas"]
    found = []
    for name, item in sorted(document.get("webhooks", {}).items()):
        model = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit(
            "/", 1
        )[1]
        data = schemas[model]["properties"]["data"]
        data = schemas[data["$ref"].rsplit("/", 1)[1]] if "$ref" in data else data
        example = data.get("example") or {
            key: sub.get("example") for key, sub in data["properties"].items() if "example" in sub
        }
        found.append((name, model, {"data": example}))
    return found


EXAMPLES = webhook_examples()


def test_the_curated_spec_keeps_the_ai_webhooks() -> None:
    types = {payload["data"]["event_type"] for _, _, payload in EXAMPLES}
    assert types == {
        "call.conversation.ended", "call.conversation_insights.generated", "call.ai_gather.ended",
        "call.ai_gather.partial_results", "call.ai_gather.message_history_updated",
    }  # fmt: skip


@pytest.mark.parametrize(("name", "model", "payload"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_webhook_parses_as_its_own_model(
    client: Telnyx, name: str, model: str, payload: dict[str, Any]
) -> None:
    body = json.dumps(payload).encode()
    event = client.webhooks.unwrap(body, headers=sign(body))
    assert type(event) is getattr(models, model), f"{name}: {type(event).__name__}"
    assert event.data is not None and event.data.event_type == payload["data"]["event_type"]
    assert client.webhooks.unsafe_unwrap(body.decode()) == event


def test_str_and_bytes_payloads_any_header_case_and_mapping(client: Telnyx) -> None:
    headers = sign(BODY)
    for given_headers in (
        headers,
        {k.upper(): v for k, v in headers.items()},
        httpx.Headers(headers),
        list(headers.items()),
    ):
        assert isinstance(
            client.webhooks.unwrap(BODY, headers=given_headers), models.CallConversationEndedEvent
        )
        assert isinstance(
            client.webhooks.unwrap(BODY.decode(), headers=given_headers),
            models.CallConversationEndedEvent,
        )


def test_an_event_type_newer_than_the_sdk_keeps_every_field(client: Telnyx) -> None:
    body = json.dumps(
        {"data": {"event_type": "call.something.new", "payload": {"x": 1}}, "meta": {"attempt": 1}}
    ).encode()
    event = client.webhooks.unwrap(body, headers=sign(body))
    assert isinstance(event, UnknownWebhookEvent) and event.event_type == "call.something.new"
    assert event.model_extra == {
        "data": {"event_type": "call.something.new", "payload": {"x": 1}},
        "meta": {"attempt": 1},
    }


def refused(client: Telnyx, body: bytes | str, headers: Any, match: str, **options: Any) -> None:
    with pytest.raises(WebhookVerificationError, match=match):
        client.webhooks.unwrap(body, headers=headers, **options)


def test_tampering_and_the_wrong_key_are_refused(client: Telnyx) -> None:
    headers = sign(BODY)
    refused(
        client,
        BODY.replace(b"customer_disconnect", b"assistant_hangup"),
        headers,
        "signature does not match",
    )
    refused(
        client,
        BODY,
        {**headers, TIMESTAMP: str(int(headers[TIMESTAMP]) - 1)},
        "signature does not match",
    )
    refused(client, BODY, headers, "signature does not match", key=OTHER)
    refused(client, BODY, sign(BODY, key=Ed25519PrivateKey.generate()), "signature does not match")


def test_old_and_future_timestamps_are_refused_within_the_tolerance(
    client: Telnyx, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    tolerance = CONFIG["tolerance"]
    refused(
        client, BODY, sign(BODY, now - tolerance - 5), f"signed .* s ago, more than {tolerance} s"
    )
    refused(client, BODY, sign(BODY, now + tolerance + 5), "in the future")
    monkeypatch.setattr(time, "time", lambda: now + 0.999)  # the edge, late in the second
    assert client.webhooks.unwrap(BODY, headers=sign(BODY, now - tolerance)) is not None
    assert client.webhooks.unwrap(BODY, headers=sign(BODY, now + tolerance)) is not None
    refused(client, BODY, sign(BODY, now - tolerance - 1), "more than")
    refused(client, BODY, sign(BODY, now + tolerance + 1), "in the future")
    monkeypatch.undo()
    assert client.webhooks.unwrap(BODY, headers=sign(BODY, now - 1000), tolerance=1200) is not None
    refused(client, BODY, sign(BODY, now - 20), "more than 10 s", tolerance=10)


@pytest.mark.parametrize("header", [SIGNATURE, TIMESTAMP])
def test_a_missing_header_is_refused(client: Telnyx, header: str) -> None:
    headers = {k: v for k, v in sign(BODY).items() if k != header}
    refused(client, BODY, headers, f"`{header}` header is missing")


GARBAGE = [
    "",
    " ",
    "not base64!!",
    base64.b64encode(b"short").decode(),
    "\x00",
    "ü" * 10,
    "A" * 10000,
    "-5",
    "1e9",
    "9" * 40,
    "==",
]


@pytest.mark.parametrize("value", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("header", [SIGNATURE, TIMESTAMP])
def test_garbage_in_every_header_is_refused(client: Telnyx, header: str, value: str) -> None:
    """Refused by the check of that header (or as missing, when empty), never later."""
    said = {
        SIGNATURE: "missing|not base64|holds .* bytes|signature does not match",
        TIMESTAMP: "missing|not a Unix time|ago|future",
    }[header]
    refused(client, BODY, {**sign(BODY), header: value}, said)


def test_the_key_comes_from_the_argument_the_client_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CONFIG["public_key_env"], raising=False)
    headers = sign(BODY)
    bare = Telnyx(api_key="k")
    refused(bare, BODY, headers, f"no public key .* set {CONFIG['public_key_env']}")
    assert bare.webhooks.unwrap(BODY, headers=headers, key=PUBLIC) is not None
    refused(bare, BODY, headers, "public key is not base64", key="not a key!")
    refused(
        bare,
        BODY,
        headers,
        "public key holds 5 bytes, an Ed25519 public key is 32",
        key=base64.b64encode(b"short").decode(),
    )
    monkeypatch.setenv(CONFIG["public_key_env"], PUBLIC)
    assert Telnyx(api_key="k").webhooks.unwrap(BODY, headers=headers) is not None
    refused(
        Telnyx(api_key="k", public_key=OTHER), BODY, headers, "signature does not match"
    )  # the argument first
    assert (
        Telnyx(api_key="k", public_key=OTHER).with_options(max_retries=1).webhooks._public_key
        == OTHER
    )


def test_a_signed_body_that_is_not_an_event_is_refused(client: Telnyx) -> None:
    for body, match in (
        (b"not json", "not JSON"),
        (b"[1, 2]", "not an event"),
        (b'"text"', "not an event"),
        (b"[" * 100000, "not JSON|nested"),
    ):
        refused(client, body, sign(body), match)
    refused(client, 12345, sign(BODY), "must be the raw body, str or bytes, not int")  # type: ignore[arg-type]
    refused(client, "\ud800", sign(BODY), "not text that UTF-8 can hold")
    refused(client, BODY, 42, "`headers` must map header names to values")
    for tolerance in ("5", float("nan"), -1, True):
        refused(
            client, BODY, sign(BODY), "`tolerance` must be a number of seconds", tolerance=tolerance
        )
    refused(client, BODY, sign(BODY), "public key must be base64 text, not int", key=123)  # type: ignore[arg-type]


def test_a_genuine_event_its_model_cannot_hold_is_kept_whole(client: Telnyx) -> None:
    """Schema drift must not turn a genuine webhook away: a verified event whose model
    rejects it (a field of the wrong type) comes back whole as the generic event."""
    body = b'{"data": {"event_type": "call.conversation.ended", "payload": 5}}'
    event = client.webhooks.unwrap(body, headers=sign(body))
    assert isinstance(event, UnknownWebhookEvent) and event.event_type == "call.conversation.ended"
    assert event.model_extra == {"data": {"event_type": "call.conversation.ended", "payload": 5}}


@given(
    payload=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=100),
        st.recursive(
            st.none() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner)
                | st.dictionaries(st.sampled_from(["data", "event_type", "payload", "x"]), inner)
            ),
            max_leaves=20,
        ).map(json.dumps),
    ),
    signature=st.text(max_size=120),
    timestamp=st.text(max_size=20),
    signed=st.booleans(),
    container=st.sampled_from(
        [
            dict,
            lambda h: httpx.Headers(
                {k: v.encode("utf-8", "surrogatepass") for k, v in h.items()}
            ),  # it takes bytes for any text
            lambda h: list(h.items()),
            lambda h: [(k.encode(), v.encode("utf-8", "surrogatepass")) for k, v in h.items()],
        ]
    ),
)
def test_whatever_the_input_an_event_or_a_verification_error(
    payload: bytes | str, signature: str, timestamp: str, signed: bool, container: Any
) -> None:
    """Random bodies and headers, in every kind of headers container, half of them signed
    correctly (so that parsing gets random input too): an event or a WebhookVerificationError."""
    webhooks = Telnyx(api_key="k", public_key=PUBLIC).webhooks
    raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
    headers = sign(raw) if signed else {SIGNATURE: signature, TIMESTAMP: timestamp}
    try:
        event = webhooks.unwrap(payload, headers=container(headers))
    except WebhookVerificationError:
        return
    assert signed and event is not None


def test_without_the_extra_the_error_names_it(
    client: Telnyx, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric.ed25519", None)
    with pytest.raises(telnyx_ai.TelnyxError, match=r"pip install 'telnyx-ai\[webhooks\]'") as info:
        client.webhooks.unwrap(BODY, headers=sign(BODY))
    assert not isinstance(info.value, WebhookVerificationError)
    assert isinstance(
        client.webhooks.unsafe_unwrap(BODY), models.CallConversationEndedEvent
    )  # parsing needs no extra


def test_the_async_client_has_the_same_plain_methods() -> None:
    async def receive() -> Any:
        async with AsyncTelnyx(api_key="k", public_key=PUBLIC) as client:
            return client.webhooks.unwrap(BODY, headers=sign(BODY))  # not awaited: no I/O

    assert isinstance(asyncio.run(receive()), models.CallConversationEndedEvent)


def test_a_real_receiver_verifies_a_signed_post() -> None:
    """A webhook receiver on 127.0.0.1, as a user writes one: the raw body and the headers
    of each POST go to `unwrap`; a forged one is answered 400."""
    webhooks = Telnyx(api_key="k", public_key=PUBLIC).webhooks

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server protocol
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                event = webhooks.unwrap(body, headers=self.headers)
                status, text = (
                    200,
                    f"{type(event).__name__} {event.data.event_type if event.data else ''}",
                )
            except WebhookVerificationError as error:
                status, text = 400, str(error)
            self.send_response(status)
            self.send_header("Content-Length", str(len(text.encode())))
            self.end_headers()
            self.wfile.write(text.encode())

    with serving(Receiver) as base:
        good = httpx.post(
            base, content=BODY, headers={**sign(BODY), "Content-Type": "application/json"}
        )
        forged = httpx.post(base, content=BODY.replace(b"c-1", b"c-2"), headers=sign(BODY))
    assert (good.status_code, good.text) == (
        200,
        "CallConversationEndedEvent call.conversation.ended",
    )
    assert forged.status_code == 400 and "signature does not match" in forged.text


def build(document: dict[str, Any], config: dict[str, Any] | None = None) -> tuple[Any, Problems]:
    from generator.ir_builder import build_api

    problems = Problems()
    data = (
        config if config is not None else yaml.safe_load((ROOT / "spec" / "sdk.yaml").read_text())
    )
    return build_api(document, "spec.yaml", data, "sdk.yaml", problems), problems


def curated() -> dict[str, Any]:
    return normalise(
        yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader), "spec", Problems()
    ).document


def test_event_types_come_from_the_enum_const_or_example_of_the_spec() -> None:
    document = curated()
    schemas = document["components"]["schemas"]
    ended = schemas["CallConversationEnded"]["properties"]["event_type"]
    ended["enum"] = ["call.conversation.ended", "call.conversation.ended.v2"]  # two values: both
    gather = schemas["CallAIGatherEnded"]["properties"]["event_type"]
    del gather["enum"]  # a free string: the one value its example shows
    schemas["CallAIGatherPartialResults"]["properties"]["event_type"] = {"type": "string"}  # none
    schemas["CallConversationInsightsGenerated"]["properties"]["event_type"] = {
        "const": "call.ai_gather.message_history_updated"
    }
    api, problems = build(document)
    types = {event.name: event.event_types for event in api.webhook_events}
    assert types["callConversationEnded"] == (
        "call.conversation.ended",
        "call.conversation.ended.v2",
    )
    assert types["CallAIGatherEnded"] == (gather["example"],)
    assert types["CallAIGatherPartialResults"] == ()
    warnings = [p.render() for p in problems.warnings]
    assert any(
        "webhook 'CallAIGatherPartialResults' has no `data.event_type` of known values: "
        "it parses as the generic event (/webhooks/CallAIGatherPartialResults)" in w
        for w in warnings
    ), warnings
    assert any(
        "both send 'call.ai_gather.message_history_updated': it parses as the first one's model"
        in w
        for w in warnings
    ), warnings


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "signature_header",
            "bad header:",
            "`webhooks.signature_header` must be an HTTP header name",
        ),
        (
            "signed_message",
            "{timestamp}.{payload}.{extra}",
            "must hold `{timestamp}` and `{payload}` once each",
        ),
        ("tolerance", 0, "`webhooks.tolerance` must be a positive number of seconds"),
        (
            "public_key_env",
            "lower-case",
            "`webhooks.public_key_env` must be an environment variable name",
        ),
        (
            "event_type_at",
            "data.event_type",
            "`webhooks.event_type_at` must be the path of property names",
        ),
    ],
)
def test_a_bad_webhooks_section_is_a_located_error(key: str, value: Any, message: str) -> None:
    config = yaml.safe_load((ROOT / "spec" / "sdk.yaml").read_text())
    config["webhooks"][key] = value
    api, problems = build(curated(), config)
    assert api is None
    assert any(
        message in p.render() and f"(/webhooks/{key})" in p.render() for p in problems.errors
    ), [p.render() for p in problems.errors]
