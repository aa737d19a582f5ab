"""Smoke test of an installed wheel (run by `make build` in a fresh virtual environment):
import, construct a client, one call against a mocked transport."""

import httpx

import telnyx_ai

ASSISTANT = {"id": "a1", "name": "Bot", "model": "m", "instructions": "i", "created_at": "2024-01-01T00:00:00Z"}


def handler(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/v2/ai/assistants/a1", request.url
    assert request.headers["authorization"] == "Bearer smoke"
    return httpx.Response(200, json=ASSISTANT)


client = telnyx_ai.Telnyx(api_key="smoke", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
assistant = client.ai.assistants.retrieve("a1")
assert type(assistant).__name__ == "Assistant" and assistant.name == "Bot"
assert telnyx_ai.__file__ and "site-packages" in telnyx_ai.__file__, telnyx_ai.__file__
print(f"smoke test passed: telnyx_ai {telnyx_ai.__version__} from {telnyx_ai.__file__}")
