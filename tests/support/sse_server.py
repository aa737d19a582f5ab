"""A real HTTP server that scripts server-sent events one by one (`Script`), and the chat
completion chunks it sends, for the streaming tests and the README's examples."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

MESSAGES = [{"role": "user", "content": "Hello"}]
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
GATE_SECONDS = 5.0


def chunk(i: int, text: str = "", finish: str | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {"content": text} if text else {}
    if i == 0:
        delta["role"] = "assistant"
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": MODEL,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi there"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}

ANTHROPIC = [
    (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "m",
                "stop_reason": None,
                "usage": {"input_tokens": 3, "output_tokens": 1},
            },
        },
    ),
    (
        "content_block_start",
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ),
    ("ping", {"type": "ping"}),
    (
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": " there"},
        },
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 2},
        },
    ),
    ("message_stop", {"type": "message_stop"}),
]


class Script(BaseHTTPRequestHandler):
    """HTTP/1.0: a response's body ends when the server closes the connection."""

    gate = threading.Event()
    hits: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _start(
        self, content_type: str = "text/event-stream", status: int = 200, **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _event(self, data: object, event: str | None = None) -> None:
        text = data if isinstance(data, str) else json.dumps(data)
        head = f"event: {event}\n" if event else ""
        self.wfile.write(f"{head}data: {text}\n\n".encode())
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
        Script.hits.append({"path": self.path, "accept": self.headers.get("Accept")})
        self._start("application/octet-stream")
        self.wfile.write(b"x" * 65536)
        self.wfile.flush()
        Script.gate.wait(GATE_SECONDS)
        self.wfile.write(b"y" * 65536)

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        script = self.headers.get("X-Script", "anthropic" if "anthropic" in self.path else "plain")
        Script.hits.append(
            {
                "path": self.path,
                "body": body,
                "accept": self.headers.get("Accept"),
                "key": self.headers.get("Idempotency-Key"),
            }
        )
        try:
            getattr(self, "script_" + script)(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left, as some tests mean it to

    def script_chunks(self, body: dict[str, Any]) -> None:
        if not body.get("stream"):
            payload = json.dumps(COMPLETION).encode()
            self._start("application/json", Content_Length=str(len(payload)))
            self.wfile.write(payload)
            return
        self._start()
        self._event(chunk(0, "Hi"))
        Script.gate.wait(GATE_SECONDS)  # the rest only once the test has the first event
        self._event(chunk(1, " there"))
        self.wfile.write(b": a comment line, ignored\n\n")
        self._event(chunk(2, "", "stop"))
        self._event("[DONE]")
        Script.gate.wait(
            GATE_SECONDS
        )  # the connection stays open: [DONE] alone must end the stream
        self._event(chunk(3, "after the end"))

    def script_plain(self, body: dict[str, Any]) -> None:
        """A whole answer, or every event at once: what the README's examples get."""
        if not body.get("stream"):
            self.script_not_a_stream(body)
            return
        self._start()
        for i, text in enumerate(["Why did the cat", " sit on the computer?", ""]):
            self._event(chunk(i, text, "stop" if not text else None))
        self._event("[DONE]")

    def script_endless(self, body: dict[str, Any]) -> None:
        self._start()
        for i in range(100_000):
            self._event(chunk(i, "x"))
            time.sleep(0.001)

    def script_slow(self, body: dict[str, Any]) -> None:
        """Eight events a tenth of a second apart: longer in all than a 0.3 s timeout."""
        self._start()
        for i in range(8):
            time.sleep(0.1)
            self._event(chunk(i, "x"))
        self._event("[DONE]")

    def script_stall(self, body: dict[str, Any]) -> None:
        self._start()
        self._event(chunk(0, "Hi"))
        Script.gate.wait(GATE_SECONDS)

    def script_error(self, body: dict[str, Any]) -> None:
        self._start()
        self._event(chunk(0, "Hi"))
        self._event(
            {
                "error": {
                    "message": "the model is overloaded",
                    "type": "overloaded_error",
                    "code": 529,
                }
            }
        )
        self._event(chunk(1, "never read"))

    def script_errors(self, body: dict[str, Any]) -> None:
        self._start()
        self._event(chunk(0, "Hi"))
        self._event(
            {
                "errors": [
                    {"code": "10015", "title": "Bad request", "detail": "model is not available"}
                ]
            }
        )

    def script_bare_error(self, body: dict[str, Any]) -> None:
        self._start()
        self._event(chunk(0, "Hi"))
        self.wfile.write(b"event: error\ndata:\n\n")

    def script_unasked(self, body: dict[str, Any]) -> None:
        """Events for a call that did not ask for them, and a stream that goes on."""
        self._start()
        self._event(chunk(0, "Hi"))
        Script.gate.wait(GATE_SECONDS)

    def script_dropped(self, body: dict[str, Any]) -> None:
        self._start(Content_Length="100000")  # promises more than it sends before it hangs up
        self._event(chunk(0, "Hi"))

    def script_invalid(self, body: dict[str, Any]) -> None:
        self._start()
        self._event({"id": "chatcmpl-1", "choices": "not a list"})

    def script_busy_then_stream(self, body: dict[str, Any]) -> None:
        if sum(1 for hit in Script.hits if hit["path"] == self.path) == 1:
            payload = b'{"errors": [{"title": "Service unavailable"}]}'
            self._start("application/json", 503, Retry_After="0", Content_Length=str(len(payload)))
            self.wfile.write(payload)
            return
        self.script_chunks(body)

    def script_rejected(self, body: dict[str, Any]) -> None:
        payload = (
            b'{"detail": [{"loc": ["body", "model"], "msg": "unknown model", '
            b'"type": "value_error"}]}'
        )
        self._start("application/json", 422, Content_Length=str(len(payload)))
        self.wfile.write(payload)

    def script_not_a_stream(self, body: dict[str, Any]) -> None:
        payload = json.dumps(COMPLETION).encode()
        self._start("application/json", Content_Length=str(len(payload)))
        self.wfile.write(payload)

    def script_anthropic(self, body: dict[str, Any]) -> None:
        self._start()
        for name, data in ANTHROPIC:
            self._event(data, name)

    def script_anthropic_error(self, body: dict[str, Any]) -> None:
        self._start()
        self._event(ANTHROPIC[0][1], "message_start")
        self._event(
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            "error",
        )
