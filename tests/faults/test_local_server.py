"""Timeouts and connection failures against a real HTTP server on 127.0.0.1.

respx replaces the transport; these faults need real sockets: a refused connection, a
connection reset before the response, a response slower than the timeout.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from support.servers import free_port, serving

import telnyx_ai
from telnyx_ai import AsyncTelnyx, Telnyx

ASSISTANT = {
    "id": "a1",
    "name": "Bot",
    "model": "m",
    "instructions": "i",
    "created_at": "2024-01-01T00:00:00Z",
}


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}
    keys: list[str | None] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _count(self) -> int:
        key = self.command + " " + self.path
        Handler.hits[key] = Handler.hits.get(key, 0) + 1
        Handler.keys.append(self.headers.get("Idempotency-Key"))
        return Handler.hits[key]

    def _json(self, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
        hit = self._count()
        if self.path.endswith("/slow"):
            time.sleep(1.0)
            self._json(200, ASSISTANT)
        elif self.path.endswith("/reset"):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.close()
        elif self.path.endswith("/flaky") and hit < 3:
            self._json(503, {"errors": [{"title": "Service unavailable"}]})
        else:
            self._json(200, ASSISTANT)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        hit = self._count()
        if hit == 1:  # the first attempt dies before any response
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.close()
        else:
            self._json(200, ASSISTANT)


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits = {}
    Handler.keys = []
    with serving(Handler) as base:
        yield f"{base}/v2"


def run(mode: str, base_url: str, fn_name: str, *args: Any, **options: Any) -> Any:
    """Call client.ai.assistants.<fn_name>(*args) with a fresh sync or async client."""
    if mode == "sync":
        with Telnyx(api_key="k", base_url=base_url, **options) as client:
            return getattr(client.ai.assistants, fn_name)(*args)

    async def go() -> Any:
        async with AsyncTelnyx(api_key="k", base_url=base_url, **options) as client:
            return await getattr(client.ai.assistants, fn_name)(*args)

    return asyncio.run(go())


modes = pytest.mark.parametrize("mode", ["sync", "async"])


@modes
def test_connection_refused(mode: str, sleeps: list[float]) -> None:
    with pytest.raises(telnyx_ai.APIConnectionError) as info:
        run(mode, f"http://127.0.0.1:{free_port()}/v2", "retrieve", "a1", max_retries=2)
    assert not isinstance(info.value, telnyx_ai.APITimeoutError)
    assert len(sleeps) == 2  # three attempts


@modes
def test_timeout(mode: str, server: str, sleeps: list[float]) -> None:
    started = time.monotonic()
    with pytest.raises(telnyx_ai.APITimeoutError):
        run(mode, server, "retrieve", "slow", max_retries=1, timeout=0.2)
    assert time.monotonic() - started < 0.9 * 2
    assert Handler.hits["GET /v2/ai/assistants/slow"] == 2


@modes
def test_reset_before_the_response_is_retried_for_get(mode: str, server: str) -> None:
    with pytest.raises(telnyx_ai.APIConnectionError):
        run(mode, server, "retrieve", "reset", max_retries=1)
    assert Handler.hits["GET /v2/ai/assistants/reset"] == 2


@modes
def test_server_errors_then_success(mode: str, server: str) -> None:
    assert run(mode, server, "retrieve", "flaky").id == "a1"
    assert Handler.hits["GET /v2/ai/assistants/flaky"] == 3


@modes
def test_post_reset_is_retried_with_the_same_idempotency_key(mode: str, server: str) -> None:
    if mode == "sync":
        with Telnyx(api_key="k", base_url=server) as client:
            result = client.ai.assistants.create(name="n", instructions="i", model="m")
    else:

        async def go() -> Any:
            async with AsyncTelnyx(api_key="k", base_url=server) as client:
                return await client.ai.assistants.create(name="n", instructions="i", model="m")

        result = asyncio.run(go())
    assert result.id == "a1"
    assert Handler.hits["POST /v2/ai/assistants"] == 2
    assert len(set(Handler.keys)) == 1 and Handler.keys[0]
