"""A corpus of network and server faults, driven through the sync and the async client.

Every case is one row of ``CASES``: what a real HTTP server on 127.0.0.1 does on each
attempt (answer, reset the connection, stall, cut the body short), the client options, the
call (a GET ``retrieve`` or a POST ``create``) and the documented outcome: the returned
value or the exact exception with its key attributes, the number of attempts the server
saw, the retry delays the client asked for, and the Idempotency-Key rules (every attempt
of one logical POST carries the same non-empty key; a POST without a key is never sent
twice).

Each case runs twice per client flavour:

* ``test_fault_case`` checks the documented outcome;
* ``test_fault_case_does_not_leak_the_api_key`` runs it again with ``TELNYX_LOG=debug``
  and DEBUG log capture, and checks that the API key appears in no log record, no
  exception text and not in ``repr(client)``.

A last test checks, from the parameter lists, that every case runs in both tests and
both clients, classified alike in both. Retry delays are recorded by the ``sleeps``
fixture of conftest.py instead of slept; only the timeout cases take real time
(``timeout=0.2``).
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import json
import logging
import os
import re
import socket
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from support.params import parameter_sets

import telnyx_ai
from telnyx_ai import AsyncTelnyx, Telnyx

SECRET = "SECRET-KEY-9f8e7d"
PLAIN_KEY = "test-key-faults"

ASSISTANT = {
    "id": "a1",
    "name": "Bot",
    "model": "m",
    "instructions": "i",
    "created_at": "2024-01-01T00:00:00Z",
}
UNAVAILABLE = {"errors": [{"code": "50003", "title": "Service unavailable"}]}
AUTH_FAILED = {
    "errors": [
        {"code": "10009", "title": "Authentication failed", "detail": "The API key is invalid"}
    ]
}
TOO_MANY = {"errors": [{"code": "10011", "title": "Too many requests"}]}
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream.</p></body></html>\n"
)

# -- the scripted server ---------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    """Answer with this status, body and headers, optionally after a delay."""

    status: int = 200
    body: object = field(default_factory=lambda: ASSISTANT)  # bytes as-is, else JSON
    headers: dict[str, str | Callable[[], str]] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0

    def perform(self, handler: FaultHandler) -> None:
        if self.delay:
            handler.server.stop.wait(self.delay)
        payload = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        handler.send_response(self.status)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in self.headers.items():
            handler.send_header(name, value() if callable(value) else value)
        handler.end_headers()
        handler.wfile.write(payload)


@dataclass(frozen=True)
class Cut:
    """Kill the connection: before any response byte, or after part of the body.

    ``partial`` set: send a 200 status line and headers announcing more bytes than are
    sent, then the partial body. ``rst``: abort with a TCP reset (SO_LINGER 0), else
    close the connection normally (FIN) with the body incomplete.
    """

    partial: bytes | None = None
    rst: bool = True

    def perform(self, handler: FaultHandler) -> None:
        if self.partial is not None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(self.partial) + 500))
            handler.end_headers()
            handler.wfile.write(self.partial)
            handler.server.stop.wait(0.05)  # let the client read the headers first
        if self.rst:
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.connection.close()  # the reset happens when the handler lets go
        handler.close_connection = True


@dataclass(frozen=True)
class Drip:
    """Answer a byte at a time, every `interval` seconds: the headers too (`headers`), or
    only the body. No single read waits long; the whole answer would take minutes."""

    interval: float = 0.1
    headers: bool = False

    def perform(self, handler: FaultHandler) -> None:
        body = json.dumps(ASSISTANT).encode() + b" " * 2000
        head = (
            b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % len(body)
        )
        if not self.headers:
            handler.wfile.write(head)
            handler.wfile.flush()
        for byte in (head if self.headers else b"") + body:
            if handler.server.stop.wait(self.interval):
                break
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                break  # the client gave up: the point
        handler.close_connection = True


Action = Reply | Cut | Drip


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer
    timeout = 5  # no handler can block for long on a silent client

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        srv = self.server
        with srv.lock:
            attempt = len(srv.seen)
            srv.seen.append(
                Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
        srv.script[min(attempt, len(srv.script) - 1)].perform(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815


class FaultServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handlers; `stop` keeps that short

    def __init__(self, script: tuple[Action, ...]) -> None:
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.script = script
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # broken pipes after a reset or a timeout are the point of these tests


@contextmanager
def serving(script: tuple[Action, ...]) -> Iterator[tuple[str, list[Seen]]]:
    """A scripted server, or (empty script) a bound port where nothing listens."""
    if not script:
        with socket.socket() as sock:  # bound, never listening: connect() is refused
            sock.bind(("127.0.0.1", 0))
            yield f"http://127.0.0.1:{sock.getsockname()[1]}/v2", []
        return
    httpd = FaultServer(script)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v2", httpd.seen
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


# -- the corpus ------------------------------------------------------------------------


def ok() -> Reply:
    return Reply()


def status(code: int, body: object = UNAVAILABLE, **headers: str | Callable[[], str]) -> Reply:
    return Reply(code, body, {k.replace("_", "-"): v for k, v in headers.items()})


def http_date_in(seconds: float) -> Callable[[], str]:
    return lambda: email.utils.formatdate(time.time() + seconds, usegmt=True)


RESET = Cut()
RESET_MID_BODY = Cut(partial=b'{"id": "a1", "name": "Bo')
TRUNCATED_BODY = Cut(partial=b'{"id": "a1", "name": "Bo', rst=False)
SLOW = Reply(delay=0.6)  # against timeout=0.2
REFUSED: tuple[Action, ...] = ()  # nothing listens on the port

# One retry delay each: 0.5 * 2**attempt, minus up to 25 % jitter.
BACKOFF = ((0.375, 0.5), (0.75, 1.0), (1.5, 2.0))
NO_KEYS = {"auto_idempotency_keys": False}

CALLS = {
    "get": ("retrieve", {"assistant_id": "a1"}, ("GET", "/v2/ai/assistants/a1")),
    "post": (
        "create",
        {"name": "n", "instructions": "i", "model": "m"},
        ("POST", "/v2/ai/assistants"),
    ),
}

_UNCHECKED: Any = object()


@dataclass(frozen=True)
class Raises:
    """The documented error: exact type and the attributes that matter."""

    type: type[BaseException]
    status_code: int | None = None
    message: str | None = None  # substring of str(exc) and exc.message
    body: Any = _UNCHECKED
    errors: tuple[tuple[str | None, str | None, str | None], ...] | None = (
        None  # (code, title, detail)
    )
    check: Callable[[Any], None] | None = None


@dataclass(frozen=True)
class Case:
    id: str
    script: tuple[Action, ...]
    attempts: int  # requests the server saw
    call: str = "get"
    options: dict[str, Any] = field(default_factory=dict)
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    returns: Callable[[Any], None] | None = None
    raises: Raises | None = None
    sleeps: tuple[tuple[float, float], ...] = ()  # each recorded retry delay within [lo, hi]
    bug: str | None = None  # the SDK deviates from the documented outcome: xfail(strict)
    bug_raises: type[BaseException] | None = None  # what the bug raises instead
    key_suffix: str = ""  # appended to the API key the client is given
    sent: bool = True  # False: rejected before any attempt (an ArgumentError)


def is_assistant(value: Any) -> None:
    from telnyx_ai.types import Assistant

    assert type(value) is Assistant
    assert (value.id, value.name, value.model, value.instructions) == ("a1", "Bot", "m", "i")
    assert value.created_at == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert not value.model_extra


def is_forward_compatible_assistant(value: Any) -> None:
    from telnyx_ai.types import Assistant, EnabledFeatures

    assert type(value) is Assistant
    assert value.id == "a1"
    assert value.model_extra == {"brand_new_field": {"nested": [1, 2]}, "launch_tier": "gold"}
    telephony, holograms = value.enabled_features
    assert telephony is EnabledFeatures.TELEPHONY
    assert isinstance(holograms, EnabledFeatures) and holograms.value == "holograms"
    assert value.privacy_settings.data_retention is True
    assert value.privacy_settings.model_extra == {"future_knob": 3}


def _body_text_startswith(prefix: str) -> Callable[[Any], None]:
    def check(exc: Any) -> None:
        assert isinstance(exc.body, str) and exc.body.startswith(prefix), exc.body

    return check


CASES: list[Case] = [
    # -- nobody listening --------------------------------------------------------------
    Case(
        "connection_refused_get",
        REFUSED,
        attempts=0,
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: ConnectError"),
        sleeps=BACKOFF[:2],
    ),
    Case(
        "connection_refused_post",
        REFUSED,
        attempts=0,
        call="post",
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: ConnectError"),
        sleeps=BACKOFF[:2],
    ),
    Case(
        "connection_refused_post_without_idempotency_key",
        REFUSED,
        attempts=0,
        call="post",
        options=NO_KEYS,
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: ConnectError"),
    ),
    # -- connection reset before any response byte --------------------------------------
    Case(
        "reset_before_response_get",
        (RESET,),
        attempts=3,
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: "),
        sleeps=BACKOFF[:2],
    ),
    Case(
        "reset_before_response_then_200_get",
        (RESET, ok()),
        attempts=2,
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    Case(
        "reset_before_response_then_200_post",
        (RESET, ok()),
        attempts=2,
        call="post",
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    Case(
        "reset_before_response_post_without_idempotency_key",
        (RESET, ok()),
        attempts=1,
        call="post",
        options=NO_KEYS,
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: "),
    ),
    # -- connection reset in the middle of the body --------------------------------------
    Case(
        "reset_mid_body_get",
        (RESET_MID_BODY,),
        attempts=3,
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: "),
        sleeps=BACKOFF[:2],
    ),
    Case(
        "reset_mid_body_then_200_post",
        (RESET_MID_BODY, ok()),
        attempts=2,
        call="post",
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    Case(
        "reset_mid_body_post_without_idempotency_key",
        (RESET_MID_BODY, ok()),
        attempts=1,
        call="post",
        options=NO_KEYS,
        raises=Raises(telnyx_ai.APIConnectionError, message="Connection error: "),
    ),
    Case(
        "truncated_body_clean_close_then_200_get",
        (TRUNCATED_BODY, ok()),
        attempts=2,
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    # -- slower than the timeout ---------------------------------------------------------
    Case(
        "timeout_get",
        (SLOW,),
        attempts=3,
        options={"timeout": 0.2},
        raises=Raises(telnyx_ai.APITimeoutError, message="Request timed out."),
        sleeps=BACKOFF[:2],
    ),
    Case(
        "timeout_then_200_post",
        (SLOW, ok()),
        attempts=2,
        call="post",
        options={"timeout": 0.2},
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    Case(
        "timeout_post_without_idempotency_key",
        (SLOW, ok()),
        attempts=1,
        call="post",
        options={"timeout": 0.2, **NO_KEYS},
        raises=Raises(telnyx_ai.APITimeoutError, message="Request timed out."),
    ),
    # -- 5xx ---------------------------------------------------------------------------
    Case(
        "500_502_503_then_200_get",
        (status(500), status(502), status(503), ok()),
        attempts=4,
        options={"max_retries": 3},
        returns=is_assistant,
        sleeps=BACKOFF[:3],
    ),
    Case(
        "500_502_503_then_200_post",
        (status(500), status(502), status(503), ok()),
        attempts=4,
        call="post",
        options={"max_retries": 3},
        returns=is_assistant,
        sleeps=BACKOFF[:3],
    ),
    Case(
        "500_502_503_exhausts_default_retries_get",
        (status(500), status(502), status(503), ok()),
        attempts=3,
        raises=Raises(
            telnyx_ai.InternalServerError,
            status_code=503,
            message="503 Service Unavailable: Service unavailable",
            body=UNAVAILABLE,
            errors=(("50003", "Service unavailable", None),),
        ),
        sleeps=BACKOFF[:2],
    ),
    Case(
        "408_504_then_200_get",
        (status(408), status(504), ok()),
        attempts=3,
        returns=is_assistant,
        sleeps=BACKOFF[:2],
    ),
    Case(
        "503_post_without_idempotency_key",
        (status(503), ok()),
        attempts=1,
        call="post",
        options=NO_KEYS,
        raises=Raises(telnyx_ai.InternalServerError, status_code=503, body=UNAVAILABLE),
    ),
    Case(
        "503_then_200_post_with_explicit_key_and_auto_keys_off",
        (status(503), ok()),
        attempts=2,
        call="post",
        options=NO_KEYS,
        call_kwargs={"idempotency_key": "caller-key-1"},
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    Case(
        "503_retry_after_ms_then_200_get",
        (status(503, retry_after_ms="250"), ok()),
        attempts=2,
        returns=is_assistant,
        sleeps=BACKOFF[:1],  # the usual backoff is the floor of what a server asks
    ),
    Case(
        "502_html_page_without_retries_get",
        (Reply(502, HTML_PAGE, content_type="text/html"),),
        attempts=1,
        options={"max_retries": 0},
        raises=Raises(
            telnyx_ai.InternalServerError,
            status_code=502,
            message="502 Bad Gateway: <!DOCTYPE html> <html><head><title>502 Bad Gateway",
            body=HTML_PAGE.decode(),
        ),
    ),
    # -- 429 and Retry-After ------------------------------------------------------------
    Case(
        "429_retry_after_seconds_then_200_get",
        (status(429, TOO_MANY, retry_after="2"), ok()),
        attempts=2,
        returns=is_assistant,
        sleeps=((2.0, 2.0),),
    ),
    Case(
        "429_retry_after_seconds_then_200_post",
        (status(429, TOO_MANY, retry_after="2"), ok()),
        attempts=2,
        call="post",
        returns=is_assistant,
        sleeps=((2.0, 2.0),),
    ),
    Case(
        "429_retry_after_http_date_then_200_get",
        (status(429, TOO_MANY, retry_after=http_date_in(30)), ok()),
        attempts=2,
        returns=is_assistant,
        sleeps=((28.0, 30.0),),  # the date has whole seconds
    ),
    Case(
        "429_retry_after_beyond_default_max_retry_after_get",
        (status(429, TOO_MANY, retry_after="120"), ok()),
        attempts=1,
        raises=Raises(
            telnyx_ai.RateLimitError,
            status_code=429,
            message="429 Too Many Requests: Too many requests",
            body=TOO_MANY,
            errors=(("10011", "Too many requests", None),),
        ),
    ),
    Case(
        "429_retry_after_beyond_custom_max_retry_after_post",
        (status(429, TOO_MANY, retry_after="2"), ok()),
        attempts=1,
        call="post",
        options={"max_retry_after": 1.5},
        raises=Raises(telnyx_ai.RateLimitError, status_code=429, body=TOO_MANY),
    ),
    Case(
        "429_exhausts_retries_get",
        (status(429, TOO_MANY, retry_after="1"),),
        attempts=3,
        raises=Raises(telnyx_ai.RateLimitError, status_code=429, body=TOO_MANY),
        sleeps=((1.0, 1.0), (1.0, 1.0)),
    ),
    Case(
        "429_post_without_idempotency_key",
        (status(429, TOO_MANY, retry_after="1"), ok()),
        attempts=1,
        call="post",
        options=NO_KEYS,
        raises=Raises(telnyx_ai.RateLimitError, status_code=429, body=TOO_MANY),
    ),
    Case(
        "429_unparseable_retry_after_falls_back_to_backoff_get",
        (status(429, TOO_MANY, retry_after="soon"), ok()),
        attempts=2,
        returns=is_assistant,
        sleeps=BACKOFF[:1],
    ),
    # -- 200 with a body the SDK cannot use -------------------------------------------
    Case(
        "200_malformed_json_get",
        (Reply(200, b'{"id": "a1", "name": '),),
        attempts=1,
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="200: the response body is not valid JSON",
            body='{"id": "a1", "name": ',
        ),
    ),
    Case(
        "200_html_error_page_get",
        (Reply(200, HTML_PAGE, content_type="text/html"),),
        attempts=1,
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="200: the response body is not valid JSON",
            check=_body_text_startswith("<!DOCTYPE html>"),
        ),
    ),
    Case(
        "200_empty_body_get",
        (Reply(200, b""),),
        attempts=1,
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="200: the response body is empty, expected JSON",
            body=None,
        ),
    ),
    Case(
        "200_empty_body_post",
        (Reply(200, b""),),
        attempts=1,
        call="post",
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="200: the response body is empty, expected JSON",
            body=None,
        ),
    ),
    Case(
        "200_wrong_shape_get",
        (Reply(200, {"data": [ASSISTANT]}),),
        attempts=1,
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="200: the response body does not match the expected shape: ",
            body=json.dumps({"data": [ASSISTANT]}),
        ),
    ),
    Case(
        "200_wrong_field_type_get",
        (Reply(200, {**ASSISTANT, "created_at": "yesterday"}),),
        attempts=1,
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="does not match the expected shape: created_at: ",
        ),
    ),
    Case(
        "200_unknown_fields_and_enum_values_get",
        (
            Reply(
                200,
                {
                    **ASSISTANT,
                    "enabled_features": ["telephony", "holograms"],
                    "privacy_settings": {"data_retention": True, "future_knob": 3},
                    "brand_new_field": {"nested": [1, 2]},
                    "launch_tier": "gold",
                },
            ),
        ),
        attempts=1,
        returns=is_forward_compatible_assistant,
    ),
    Case(
        "200_corrupt_gzip_body_get",
        (Reply(200, b"this is not gzip data", headers={"Content-Encoding": "gzip"}),),
        attempts=1,
        raises=Raises(telnyx_ai.APIResponseValidationError, status_code=200),
    ),
    # -- errors that are not retried ---------------------------------------------------
    Case(
        "401_telnyx_error_list_get",
        (status(401, AUTH_FAILED), ok()),
        attempts=1,
        raises=Raises(
            telnyx_ai.AuthenticationError,
            status_code=401,
            message="401 Unauthorized: The API key is invalid",
            body=AUTH_FAILED,
            errors=(("10009", "Authentication failed", "The API key is invalid"),),
        ),
    ),
    Case(
        "401_telnyx_error_list_post",
        (status(401, AUTH_FAILED), ok()),
        attempts=1,
        call="post",
        raises=Raises(
            telnyx_ai.AuthenticationError,
            status_code=401,
            body=AUTH_FAILED,
            errors=(("10009", "Authentication failed", "The API key is invalid"),),
        ),
    ),
    Case(
        "302_redirect_is_not_followed_get",
        (status(302, {}, location="/v2/ai/assistants/a2"), ok()),
        attempts=1,
        raises=Raises(telnyx_ai.APIStatusError, status_code=302, message="302 Found", body={}),
    ),
    Case(
        "307_redirect_is_not_followed_post",
        (status(307, {}, location="/v2/ai/assistants/elsewhere"), ok()),
        attempts=1,
        call="post",
        raises=Raises(
            telnyx_ai.APIStatusError, status_code=307, message="307 Temporary Redirect", body={}
        ),
    ),
    # -- arguments the SDK refuses before sending (issue 16) ----------------------------
    Case(
        "empty_idempotency_key_post",
        (ok(),),
        attempts=0,
        call="post",
        call_kwargs={"idempotency_key": ""},
        raises=Raises(
            telnyx_ai.ArgumentError, message="`idempotency_key` must be a non-empty string"
        ),
        sent=False,
    ),
    Case(
        "dot_dot_path_id_get",
        (ok(),),
        attempts=0,
        call_kwargs={"assistant_id": ".."},
        raises=Raises(telnyx_ai.ArgumentError, message="`assistant_id` cannot be '..'"),
        sent=False,
    ),
    Case(
        "dot_path_id_get",
        (ok(),),
        attempts=0,
        call_kwargs={"assistant_id": "."},
        raises=Raises(telnyx_ai.ArgumentError, message="`assistant_id` cannot be '.'"),
        sent=False,
    ),
    Case(
        "api_key_with_a_no_break_space_get",
        (ok(),),
        attempts=0,
        key_suffix="\u00a0",
        raises=Raises(
            telnyx_ai.ArgumentError, message="the API key has the character U+00A0 at position"
        ),
        sent=False,
    ),
    Case(
        "header_with_crlf_post",
        (ok(),),
        attempts=0,
        call="post",
        call_kwargs={"extra_headers": {"X-Trace": "a\r\nX-Injected: 1"}},
        raises=Raises(
            telnyx_ai.ArgumentError,
            message="header 'X-Trace' has the character U+000D at position 1",
        ),
        sent=False,
    ),
    Case(
        "header_not_ascii_get",
        (ok(),),
        attempts=0,
        call_kwargs={"extra_headers": {"X-Team": "caf\u00e9"}},
        raises=Raises(
            telnyx_ai.ArgumentError,
            message="header 'X-Team' has the character U+00E9 at position 3",
        ),
        sent=False,
    ),
    # -- what the server says, said right (issue 16) -------------------------------------
    Case(
        "retry_after_zero_waits_the_usual_backoff_get",
        (status(429, TOO_MANY, retry_after="0"), status(429, TOO_MANY, retry_after="-5"), ok()),
        attempts=3,
        returns=is_assistant,
        sleeps=BACKOFF[:2],
    ),
    Case(
        "problem_json_title_is_the_message_get",
        (
            Reply(
                504,
                {"title": "Upstream model timed out", "detail": ""},
                content_type="application/problem+json",
            ),
        ),
        attempts=1,
        options={"max_retries": 0},
        raises=Raises(
            telnyx_ai.InternalServerError,
            status_code=504,
            message="504 Gateway Timeout: Upstream model timed out",
        ),
    ),
    Case(
        "error_body_nested_100000_deep_get",
        (Reply(400, b"[" * 100_000 + b"]" * 100_000),),
        attempts=1,
        raises=Raises(
            telnyx_ai.BadRequestError, status_code=400, check=_body_text_startswith("[[[[")
        ),
    ),
    Case(
        "gzip_bomb_is_cut_at_max_response_bytes_get",
        (Reply(200, gzip.compress(b" " * 5_000_000), headers={"Content-Encoding": "gzip"}), ok()),
        attempts=1,
        options={"max_response_bytes": 1_000_000},
        raises=Raises(
            telnyx_ai.APIResponseValidationError,
            status_code=200,
            message="larger than 1,000,000 bytes (the client's max_response_bytes)",
        ),
    ),
    Case(
        "body_dripping_a_byte_at_a_time_meets_the_attempt_deadline_get",
        (Drip(),),
        attempts=1,
        options={"timeout": 0.3, "max_retries": 0},
        raises=Raises(telnyx_ai.APITimeoutError, message="Request timed out."),
    ),
    Case(
        "headers_dripping_a_byte_at_a_time_meet_the_attempt_deadline_get",
        (Drip(headers=True),),
        attempts=1,
        options={"timeout": 0.3, "max_retries": 0},
        raises=Raises(telnyx_ai.APITimeoutError, message="Request timed out."),
    ),
    Case(
        "credential_in_default_headers_is_redacted_get",
        (ok(),),
        attempts=1,
        options={"default_headers": {"X-Api-Key": "HEADER-SECRET-0b1c"}},
        returns=is_assistant,
    ),
]

MODES = ("sync", "async")
assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


def _params(with_bugs: bool) -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=(
                [pytest.mark.xfail(strict=True, reason=case.bug, raises=case.bug_raises)]
                if with_bugs and case.bug
                else []
            ),
        )
        for case in CASES
    ]


# -- running one case ------------------------------------------------------------------


@dataclass
class Run:
    value: Any
    error: BaseException | None
    seen: list[Seen]
    sleeps: list[float]
    client: Any
    call: tuple[str, str]


def run_case(case: Case, mode: str, api_key: str, sleeps: list[float]) -> Run:
    method, kwargs, expected_call = CALLS[case.call]
    kwargs = {**kwargs, **case.call_kwargs}
    clients: list[Any] = []
    value: Any = None
    error: BaseException | None = None
    with serving(case.script) as (base_url, seen):
        options = {"api_key": api_key + case.key_suffix, "base_url": base_url, **case.options}
        if mode == "sync":
            try:
                with Telnyx(**options) as client:
                    clients.append(client)
                    value = getattr(client.ai.assistants, method)(**kwargs)
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                error = exc
        else:

            async def go() -> Any:
                async with AsyncTelnyx(**options) as client:
                    clients.append(client)
                    return await getattr(client.ai.assistants, method)(**kwargs)

            try:
                value = asyncio.run(go())
            except Exception as exc:  # noqa: BLE001
                error = exc
        seen_now = list(seen)
    return Run(value, error, seen_now, list(sleeps), clients[0] if clients else None, expected_call)


@pytest.fixture(autouse=True)
def restore_sdk_logger() -> Iterator[None]:
    """TELNYX_LOG makes the client attach a stderr handler; take it off again."""
    logger = logging.getLogger("telnyx_ai")
    handlers, level = list(logger.handlers), logger.level
    yield
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


def check_outcome(case: Case, run: Run, client_attempts: int) -> None:
    # 1. the value or the exact error, with its key attributes
    if run.error is not None and not isinstance(run.error, telnyx_ai.TelnyxError):
        raise run.error  # a foreign exception escaped the SDK: report it as itself
    if case.raises is None:
        if run.error is not None:
            raise AssertionError(f"expected a value, got {run.error!r}") from run.error
        assert case.returns is not None
        case.returns(run.value)
    else:
        want = case.raises
        assert run.error is not None, f"expected {want.type.__name__}, got {run.value!r}"
        exc: Any = run.error
        assert type(exc) is want.type, f"expected {want.type.__name__}, got {exc!r}"
        if want.status_code is not None:
            assert exc.status_code == want.status_code
            assert exc.response.status_code == want.status_code
        if want.message is not None:
            assert want.message in str(exc), str(exc)
            assert want.message in getattr(exc, "message", str(exc))
        if want.body is not _UNCHECKED:
            assert exc.body == want.body
        if want.errors is not None:
            assert [(e.code, e.title, e.detail) for e in exc.errors] == list(want.errors)
        if want.check is not None:
            want.check(exc)
    # 2. how often the server was asked, always at the called path (redirects not followed)
    assert len(run.seen) == case.attempts, [s.path for s in run.seen]
    assert all((s.method, s.path) == run.call for s in run.seen)
    # 3. the retry delays the client asked for, one per retry
    assert len(run.sleeps) == len(case.sleeps), run.sleeps
    for got, (low, high) in zip(run.sleeps, case.sleeps, strict=True):
        assert low <= got <= high, run.sleeps
    assert client_attempts == (len(case.sleeps) + 1 if case.sent else 0)
    # 4. idempotency keys
    keys = [s.headers.get("idempotency-key") for s in run.seen]
    explicit = case.call_kwargs.get("idempotency_key")
    if case.call == "get":
        assert keys == [None] * len(keys)
    elif explicit is not None:
        assert keys == [explicit] * len(keys)
    elif case.options.get("auto_idempotency_keys", True):
        assert all(keys) and len(set(keys)) <= 1, keys  # one non-empty key per logical POST
    else:  # a POST without a key is never sent twice
        assert keys == [None] * len(keys)
        assert len(run.seen) <= 1 and client_attempts == 1
    # every attempt was authenticated with the client's key
    assert all(s.headers.get("authorization") == f"Bearer {PLAIN_KEY}" for s in run.seen)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", _params(with_bugs=True))
def test_fault_case(
    case: Case,
    mode: str,
    sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("TELNYX_LOG", raising=False)
    caplog.set_level(logging.INFO, logger="telnyx_ai")  # one INFO line per attempt
    run = run_case(case, mode, PLAIN_KEY, sleeps)
    client_attempts = sum(
        1 for r in caplog.records if r.name == "telnyx_ai" and "(attempt " in r.getMessage()
    )
    check_outcome(case, run, client_attempts)


def _leaks(text: str) -> bool:
    return SECRET in text


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", _params(with_bugs=False))
def test_fault_case_does_not_leak_the_api_key(
    case: Case,
    mode: str,
    sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELNYX_LOG", "debug")
    caplog.set_level(logging.DEBUG)  # httpx and httpcore too
    caplog.set_level(logging.DEBUG, logger="telnyx_ai")
    run = run_case(case, mode, SECRET, sleeps)

    # The key was really in play, and the DEBUG output really was produced.
    assert all(s.headers.get("authorization") == f"Bearer {SECRET}" for s in run.seen)
    sdk_debug = [r for r in caplog.records if r.name == "telnyx_ai" and r.levelno == logging.DEBUG]
    assert all("<redacted>" in r.getMessage() for r in sdk_debug)
    if not case.bug and case.sent:  # a known bug may escape before the attempt is logged
        assert sdk_debug

    for record in caplog.records:
        assert not _leaks(record.getMessage()), (record.name, record.getMessage())
        assert not _leaks(repr(record.args)), record.name
    assert not _leaks(caplog.text)
    out, err = capsys.readouterr()  # what the TELNYX_LOG stderr handler printed
    assert case.bug or not case.sent or "request headers" in err
    assert not _leaks(out) and not _leaks(err)

    exc = run.error
    seen_exceptions: set[int] = set()
    while exc is not None and id(exc) not in seen_exceptions:  # the error and its chain
        seen_exceptions.add(id(exc))
        assert not _leaks(str(exc)) and not _leaks(repr(exc)), type(exc)
        assert not _leaks(str(getattr(exc, "message", ""))) and not _leaks(
            repr(getattr(exc, "body", None))
        )
        exc = exc.__cause__ or exc.__context__
    if run.error is not None:
        formatted = "".join(traceback.format_exception(run.error))
        assert not _leaks(formatted)
    else:
        assert not _leaks(repr(run.value))
    assert not _leaks(repr(run.client)) and not _leaks(str(run.client))
    for value in (
        case.options.get("default_headers") or {}
    ).values():  # credentials given as headers
        assert value not in caplog.text and value not in err


def test_every_fault_case_runs_in_both_clients_as_documented() -> None:
    """Counts the corpus from the parameter lists of the two tests above (so it holds
    whichever tests run before it, in whichever worker): every case runs through both
    clients in both tests; a case is classified the same in both clients, documented (it
    must pass) or a known bug (a strict xfail: it must keep failing until it is fixed and
    its `bug` removed); the security check holds for every case, known bugs included."""
    assert len(CASES) == 55  # the corpus as documented in the report; update when adding cases
    everything = {(case.id, mode) for case in CASES for mode in MODES}
    for test in (test_fault_case, test_fault_case_does_not_leak_the_api_key):
        runs = [(p["case"].id, p["mode"]) for p in parameter_sets(test)]
        assert sorted(runs) == sorted(everything), (
            f"{test.__name__}: missing {sorted(everything - set(runs))}"
        )

    def classified(params: Any) -> str:
        xfail = params.xfail
        if xfail is None:
            return "documented"
        assert xfail.kwargs.get("strict") is True, f"{params['case'].id}: a lax xfail"
        return "known bug"

    expected = {
        (case.id, mode): "known bug" if case.bug else "documented"
        for case in CASES
        for mode in MODES
    }
    outcome = {(p["case"].id, p["mode"]): classified(p) for p in parameter_sets(test_fault_case)}
    assert outcome == expected
    security = parameter_sets(test_fault_case_does_not_leak_the_api_key)
    assert [p["case"].id for p in security if p.marks] == [], "the security check is never xfail"


# -- the connection pool (issue 16) ----------------------------------------------------


@pytest.fixture
def counted_pools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every httpx client made while the test runs, in order."""
    import httpx

    made: list[Any] = []
    for name in ("Client", "AsyncClient"):
        real = getattr(httpx, name)

        class Counted(real):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                made.append(self)

        monkeypatch.setattr(httpx, name, Counted)
    return made


def test_threads_making_their_first_calls_together_share_one_pool(counted_pools: list[Any]) -> None:
    threads = 16
    barrier = threading.Barrier(threads)
    values: list[Any] = []
    with serving((ok(),)) as (base_url, seen):
        client = Telnyx(api_key=PLAIN_KEY, base_url=base_url)

        def call() -> None:
            barrier.wait()
            values.append(client.ai.assistants.retrieve("a1"))

        workers = [threading.Thread(target=call) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(10)
        client.close()
    assert len(values) == threads and len(seen) == threads
    assert len(counted_pools) == 1, f"{len(counted_pools)} pools for one client"
    assert all(pool.is_closed for pool in counted_pools)
    with pytest.raises(telnyx_ai.ClientClosedError):
        client.ai.assistants.retrieve("a1")


def test_an_async_client_works_on_every_event_loop_and_closes_all_its_pools(
    counted_pools: list[Any],
) -> None:
    """Two `asyncio.run()` calls one after the other, then three loops in threads at once:
    each loop gets a pool of its own, and `close()` closes every one that is still open."""
    with serving((ok(),)) as (base_url, seen):
        client = AsyncTelnyx(api_key=PLAIN_KEY, base_url=base_url)
        copy = client.with_options(max_retries=0)  # shares the pools

        async def call(on: Any) -> Any:
            return await on.ai.assistants.retrieve("a1")

        first = asyncio.run(call(client))
        second = asyncio.run(call(copy))
        values: list[Any] = []
        threads = [
            threading.Thread(target=lambda: values.append(asyncio.run(call(client))))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        asyncio.run(copy.close())  # a copy's close leaves the pools open
        asyncio.run(call(client))
        asyncio.run(client.close())
    is_assistant(first)
    is_assistant(second)
    assert len(values) == 3 and len(seen) == 6
    assert len(counted_pools) == 6  # one per event loop

    with pytest.raises(telnyx_ai.ClientClosedError):
        asyncio.run(call(client))


# -- pages (issue 16) --------------------------------------------------------------------

MESSAGE = {"role": "user", "text": "hi"}


def _meta_page(page_number: int, text: str = "hi") -> Reply:
    meta = {"page_number": page_number, "page_size": 1, "total_pages": 3, "total_results": 3}
    return Reply(200, {"data": [{**MESSAGE, "text": text}], "meta": meta})


def _walk(mode: str, base_url: str, list_call: Callable[[Any], Any]) -> list[Any]:
    """Every page that `list_call(client)`'s `iter_pages()` gives, or the error it raises."""
    if mode == "sync":
        with Telnyx(api_key=PLAIN_KEY, base_url=base_url) as client:
            return list(list_call(client).iter_pages())

    async def go() -> list[Any]:
        async with AsyncTelnyx(api_key=PLAIN_KEY, base_url=base_url) as client:
            return [page async for page in (await list_call(client)).iter_pages()]

    return asyncio.run(go())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "script", "message"),
    [
        (
            "meta_says_page_1_again",
            (_meta_page(1),),
            "page 2 of GET /ai/conversations/{conversation_id}/messages came back as page 1",
        ),
        (
            "array_repeats_its_items",
            (
                Reply(
                    200,
                    [
                        {
                            "id": "m1",
                            "name": "n",
                            "type": "t",
                            "url": "u",
                            "created_at": "2024-01-01T00:00:00Z",
                        }
                    ],
                ),
            ),
            "holds the same items as the page before it",
        ),
    ],
)
def test_a_server_that_ignores_the_page_number_stops_the_walk_with_a_typed_error(
    mode: str, name: str, script: tuple[Action, ...], message: str
) -> None:
    if name.startswith("array"):

        def list_call(client: Any) -> Any:
            return client.ai.mcp_servers.list(page_size=1)
    else:

        def list_call(client: Any) -> Any:
            return client.ai.conversations.messages.list("c1")

    with serving(script) as (base_url, seen):
        with pytest.raises(telnyx_ai.PaginationError, match=re.escape(message)):
            _walk(mode, base_url, list_call)
    assert len(seen) == 2  # the first page, and the one that repeated it


@pytest.mark.parametrize("mode", MODES)
def test_pages_are_asked_for_by_the_number_sent_whatever_page_number_the_server_says(
    mode: str,
) -> None:
    """A server's `meta.page_number` of 0 or -1 asks nothing of the caller: the next
    page is the one after the page asked for, never an ArgumentError."""
    with serving((_meta_page(0, "one"), _meta_page(-1, "two"), _meta_page(0, "three"))) as (
        base_url,
        seen,
    ):
        pages = _walk(mode, base_url, lambda client: client.ai.conversations.messages.list("c1"))
    assert len(pages) == 3
    assert [s.path.split("?", 1)[1] if "?" in s.path else "" for s in seen] == [
        "",
        "page%5Bnumber%5D=2",
        "page%5Bnumber%5D=3",
    ]


# -- uploads and redirects (issue 16) ------------------------------------------------------

TRANSCRIPT = {"text": "hello"}


def _call(mode: str, base_url: str, method: Callable[[Any], Any], **options: Any) -> Any:
    """`method(client)` on a fresh client of `mode`, its value (awaited for async)."""
    if mode == "sync":
        with Telnyx(api_key=PLAIN_KEY, base_url=base_url, **options) as client:
            return method(client)

    async def go() -> Any:
        async with AsyncTelnyx(api_key=PLAIN_KEY, base_url=base_url, **options) as client:
            return await method(client)

    return asyncio.run(go())


@pytest.mark.parametrize("mode", MODES)
def test_a_path_uploads_the_file_it_names(mode: str, tmp_path: Any) -> None:
    audio = tmp_path / "hello.wav"
    audio.write_bytes(b"RIFF-fake-audio-bytes")
    with serving((Reply(200, TRANSCRIPT),)) as (base_url, seen):
        value = _call(
            mode,
            base_url,
            lambda c: c.ai.audio.transcribe(model="openai/whisper-large-v3-turbo", file=audio),
        )
    assert value.text == "hello"
    body = seen[0].body
    assert b"RIFF-fake-audio-bytes" in body and b'filename="hello.wav"' in body
    assert str(audio).encode() not in body  # never the path as the content


@pytest.mark.parametrize("mode", MODES)
def test_a_missing_file_is_an_argument_error_before_sending(mode: str, tmp_path: Any) -> None:
    with serving((Reply(200, TRANSCRIPT),)) as (base_url, seen):
        with pytest.raises(telnyx_ai.ArgumentError, match="`file`: cannot read the file"):
            _call(
                mode,
                base_url,
                lambda c: c.ai.audio.transcribe(
                    model="openai/whisper-large-v3-turbo", file=tmp_path / "nope.wav"
                ),
            )
    assert seen == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("source", ["pipe", "bytes_io"])
def test_an_upload_is_the_same_on_every_attempt(
    mode: str, source: str, sleeps: list[float]
) -> None:
    """A file read from a pipe (whose length httpx cannot tell: h11 refused the body) is
    read first, so it is sent whole and sent again on a retry; so is a file that seeks."""
    import io

    if source == "pipe":
        reader, writer = os.pipe()
        os.write(writer, b"audio-from-a-pipe")
        os.close(writer)
        upload: Any = open(reader, "rb")  # noqa: SIM115 - closed below
    else:
        upload = io.BytesIO(b"audio-from-memory")
    try:
        with serving((status(503), Reply(200, TRANSCRIPT))) as (base_url, seen):

            def method(c: Any) -> Any:
                return c.ai.audio.transcribe(
                    model="openai/whisper-large-v3-turbo", file=("a.wav", upload)
                )

            assert _call(mode, base_url, method).text == "hello"
    finally:
        upload.close()
    assert len(seen) == 2 and len(sleeps) == 1
    assert seen[0].body == seen[1].body and b"audio-from-" in seen[0].body


@pytest.mark.parametrize("mode", MODES)
def test_a_caller_client_that_follows_redirects_in_a_loop_gets_a_typed_error(mode: str) -> None:
    import httpx

    http = (
        httpx.Client(follow_redirects=True)
        if mode == "sync"
        else httpx.AsyncClient(follow_redirects=True)
    )
    with serving((status(302, {}, location="/v2/ai/assistants/a1"),)) as (base_url, seen):
        with pytest.raises(telnyx_ai.APIConnectionError, match="too many redirects"):
            _call(mode, base_url, lambda c: c.ai.assistants.retrieve("a1"), http_client=http)
    assert len(seen) == 21  # httpx's 20 redirects, then the error: not retried


# -- a shared connection kept in step (issue 16) -------------------------------------------


JSON_200 = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"  # then Content-Length


def _smuggling_server(first: bytes) -> Any:
    """A keep-alive HTTP/1.1 server on a raw socket: its first answer is `first` (with a
    whole second response hidden after its end), every other an assistant."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    answered: list[bytes] = []  # the request lines, then one b"connection" per connection
    real = json.dumps(ASSISTANT).encode()

    def connection(conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    answered.append(head.split(b"\r\n", 1)[0])
                    if len(answered) == 1:
                        conn.sendall(first)
                    else:
                        conn.sendall(JSON_200 + b"Content-Length: %d\r\n\r\n%s" % (len(real), real))

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn)
            threading.Thread(target=connection, args=(conn,), daemon=True).start()

    connections: list[socket.socket] = []
    threading.Thread(target=accept, daemon=True).start()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}/v2", answered, connections


SMUGGLED = JSON_200 + b'Content-Length: 42\r\n\r\n{"id": "SMUGGLED", "name": "not yours"}   '


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("204_with_a_body", b"HTTP/1.1 204 No Content\r\n\r\n" + SMUGGLED),
        ("in_step", JSON_200 + b'Content-Length: 12\r\n\r\n{"tags": []}'),
        (
            "more_than_content_length",
            JSON_200 + b'Content-Length: 12\r\n\r\n{"tags": []}' + SMUGGLED,
        ),
    ],
)
def test_bytes_after_the_end_of_an_answer_never_answer_the_next_call(
    mode: str, name: str, first: bytes
) -> None:
    """Bytes a server sends after the end of one response (a 204 that has a body, more
    than its Content-Length) stay with the connection; the next call on the same client, to
    another endpoint, gets its own answer, not those bytes read as a response."""
    listener, base_url, answered, connections = _smuggling_server(first)
    try:

        def calls(client: Any) -> Any:
            if name.startswith("204"):
                client.ai.conversations.delete("c1")
            else:
                client.ai.assistants.tags.list()
            return client.ai.assistants.retrieve("a1")

        async def async_calls(client: Any) -> Any:
            if name.startswith("204"):
                await client.ai.conversations.delete("c1")
            else:
                await client.ai.assistants.tags.list()
            return await client.ai.assistants.retrieve("a1")

        value = _call(mode, base_url, calls if mode == "sync" else async_calls)
    finally:
        listener.close()
    assert value.id == "a1", value
    assert len(answered) == 2 and answered[1].startswith(b"GET /v2/ai/assistants/a1")
    assert len(connections) == (
        1 if name == "in_step" else 2
    )  # only a connection out of step is dropped


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model": "whisper-1", "file": b"RIFF"}, "invalid request body: model: "),
        (
            {"model": "openai/whisper-large-v3-turbo", "file": "hello.wav"},
            "`file` must be bytes, a file opened in binary mode, a path",
        ),
        (
            {"model": "openai/whisper-large-v3-turbo", "file": b"RIFF", "response_format": "srt"},
            "invalid request body: response_format: ",
        ),
    ],
)
def test_a_multipart_body_is_checked_before_sending_like_a_json_one(
    mode: str, arguments: dict[str, Any], message: str
) -> None:
    with serving((Reply(200, TRANSCRIPT),)) as (base_url, seen):
        with pytest.raises(telnyx_ai.ArgumentError, match=re.escape(message)):
            _call(mode, base_url, lambda c: c.ai.audio.transcribe(**arguments))
    assert seen == []


@pytest.mark.parametrize("mode", MODES)
def test_a_caller_http_client_is_held_to_the_attempt_deadline_between_body_chunks(
    mode: str,
) -> None:
    import httpx

    http = httpx.Client() if mode == "sync" else httpx.AsyncClient()
    started = time.monotonic()
    with serving((Drip(),)) as (base_url, seen):
        with pytest.raises(telnyx_ai.APITimeoutError):
            _call(
                mode,
                base_url,
                lambda c: c.ai.assistants.retrieve("a1"),
                http_client=http,
                timeout=0.3,
                max_retries=0,
            )
    assert len(seen) == 1 and time.monotonic() - started < 5


class _SlowReader(BaseHTTPRequestHandler):
    """Takes its time before it reads a request's body (a slow uplink), then answers at once."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - the http.server protocol
        time.sleep(0.8)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.dumps(TRANSCRIPT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.mark.parametrize("mode", MODES)
def test_the_attempt_deadline_counts_from_the_sent_request_not_the_upload(mode: str) -> None:
    """An upload that takes longer than `attempt_timeout` to send is not cut: the deadline
    bounds the wait for the answer, which starts once the request is sent."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowReader)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}/v2"
        audio = (
            b"\0" * 32_000_000
        )  # more than the socket buffers hold: sending waits for the reader
        value = _call(
            mode,
            base_url,
            lambda c: c.ai.audio.transcribe(model="openai/whisper-large-v3-turbo", file=audio),
            attempt_timeout=0.4,
            timeout=5.0,
            max_retries=0,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert value.text == "hello"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "make",
    [bytearray, memoryview, lambda b: ("a.wav", bytearray(b))],
    ids=["bytearray", "memoryview", "tuple"],
)
def test_bytes_like_uploads_send_their_bytes(mode: str, make: Callable[[bytes], Any]) -> None:
    with serving((Reply(200, TRANSCRIPT),)) as (base_url, seen):
        _call(
            mode,
            base_url,
            lambda c: c.ai.audio.transcribe(
                model="openai/whisper-large-v3-turbo", file=make(b"RIFF-bytes-like")
            ),
        )
    assert b"\r\n\r\nRIFF-bytes-like\r\n" in seen[0].body


def test_a_client_closed_by_another_thread_as_a_call_starts_raises_client_closed_error() -> None:
    """`close()` from another thread between the call's own check and the send (here
    while the request is built): httpx's RuntimeError comes out as ClientClosedError."""
    with serving((ok(),)) as (base_url, seen):
        client = Telnyx(api_key=PLAIN_KEY, base_url=base_url, max_retries=0)
        build = client._build_request

        def build_then_close(*args: Any) -> Any:
            request = build(*args)
            threading.Thread(target=client.close).start()
            time.sleep(0.2)
            return request

        client._build_request = build_then_close  # type: ignore[method-assign]
        with pytest.raises(telnyx_ai.ClientClosedError):
            client.ai.assistants.retrieve("a1")
    assert seen == []


def test_the_kept_connections_of_an_ended_event_loop_are_closed(counted_pools: list[Any]) -> None:
    """A keep-alive server: each `asyncio.run()` leaves a connection in its loop's pool; the
    next loop's first call closes those sockets (the ended loop cannot), and so does close()."""
    first = json.dumps(ASSISTANT).encode()
    listener, base_url, answered, connections = _smuggling_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(first), first)
    )
    try:
        client = AsyncTelnyx(api_key=PLAIN_KEY, base_url=base_url)
        for _ in range(3):
            asyncio.run(client.ai.assistants.retrieve("a1"))
        asyncio.run(client.close())
    finally:
        listener.close()
    sockets = [
        c._connection._network_stream.get_extra_info("socket")
        for pool in counted_pools
        for c in pool._transport._pool.connections
    ]
    assert len(connections) == 3 and len(sockets) >= 2
    assert all(sock.fileno() == -1 for sock in sockets)
