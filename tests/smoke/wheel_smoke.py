"""Smoke test of an installed wheel (run by `make build` in a fresh virtual environment):
import, construct a client, one call against a mocked transport; a streaming call, which
without the `streaming` extra fails before anything is sent, and with it streams; and a
webhook, which without the `webhooks` extra cannot be checked, and with it is.

The package is `telnyx_ai`, or the one named by the first argument (`make build-all` passes
`telnyx_all`, the whole-spec package, which has the same AI operations)."""

import importlib
import importlib.util
import inspect
import json
import sys

import httpx

PACKAGE = sys.argv[1] if len(sys.argv) > 1 else "telnyx_ai"
DISTRIBUTION = PACKAGE.replace("_", "-")
telnyx_ai = importlib.import_module(PACKAGE)

ASSISTANT = {
    "id": "a1",
    "name": "Bot",
    "model": "m",
    "instructions": "i",
    "created_at": "2024-01-01T00:00:00Z",
}


CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "Hi"}}],
}


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v2/ai/chat/completions":
        assert has_extra, "a streaming call without httpx-sse must fail before sending"
        body = f"data: {json.dumps(CHUNK)}\n\ndata: [DONE]\n\n".encode()
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    assert request.url.path == "/v2/ai/assistants/a1", request.url
    assert request.headers["authorization"] == "Bearer smoke"
    return httpx.Response(200, json=ASSISTANT)


client = telnyx_ai.Telnyx(
    api_key="smoke", http_client=httpx.Client(transport=httpx.MockTransport(handler))
)
assistant = client.ai.assistants.retrieve("a1")
# The model the method is annotated with (`Assistant`; the whole spec names the schema
# `InferenceEmbeddingAssistant`), the answer parsed into it.
returns = inspect.signature(client.ai.assistants.retrieve).return_annotation
assert type(assistant).__name__ == getattr(returns, "__name__", returns), (assistant, returns)
assert assistant.name == "Bot"
assert telnyx_ai.__file__ and "site-packages" in telnyx_ai.__file__, telnyx_ai.__file__
has_extra = importlib.util.find_spec("httpx_sse") is not None
try:
    chunks = list(
        client.ai.chat.completions.create(
            messages=[{"role": "user", "content": "Hi"}], model="m", stream=True
        )
    )
    assert has_extra and [c.choices[0].delta.content for c in chunks] == ["Hi"], chunks
    print("streaming: one chunk through the `streaming` extra")
except telnyx_ai.TelnyxError as error:
    assert not has_extra and f"pip install '{DISTRIBUTION}[streaming]'" in str(error), error
    print(f"streaming without the extra: {error}")
print(f"smoke test passed: {PACKAGE} {telnyx_ai.__version__} from {telnyx_ai.__file__}")

has_crypto = importlib.util.find_spec("cryptography") is not None
body = json.dumps(
    {"data": {"event_type": "call.conversation.ended", "payload": {"conversation_id": "c-1"}}}
).encode()
if has_crypto:
    import base64
    import time

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.generate()
    public = base64.b64encode(
        private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ).decode()
    stamp = str(int(time.time()))
    headers = {
        "telnyx-timestamp": stamp,
        "telnyx-signature-ed25519": base64.b64encode(
            private.sign(stamp.encode() + b"|" + body)
        ).decode(),
    }
    event = client.webhooks.unwrap(body, headers=headers, key=public)
    assert type(event).__name__ == "CallConversationEndedEvent", event
    print("webhooks: a signed event checked through the `webhooks` extra")
else:
    try:
        client.webhooks.unwrap(body, headers={}, key="k")
        raise AssertionError("a webhook was accepted without the extra")
    except telnyx_ai.TelnyxError as error:
        assert f"pip install '{DISTRIBUTION}[webhooks]'" in str(error), error
        print(f"webhooks without the extra: {error}")
