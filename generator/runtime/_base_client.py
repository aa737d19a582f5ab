"""The request machinery behind every method: building, sending, retrying, parsing.

One ``RequestSpec`` describes a call; ``_Core`` turns it into an ``httpx.Request``,
decides about retries and reads responses. ``SyncAPIClient`` and ``AsyncAPIClient``
only differ in how they send and sleep.
"""

from __future__ import annotations

import asyncio
import email.utils
import gc
import io
import json
import logging
import math
import os
import random
import re
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar
from urllib.parse import quote, urlencode

import httpx

from . import _deadlines as deadlines
from ._deadlines import DEADLINE, held_to_deadlines
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ArgumentError,
    ClientClosedError,
    TelnyxError,
    status_error,
)
from ._streaming import (
    AsyncStream,
    AsyncStreamedResponse,
    ResponseView,
    Stream,
    StreamedResponse,
    require_sse,
)
from ._types import NOT_GIVEN, NotGiven, Omit, TimeoutTypes
from ._settings import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    LOG_ENV,
    PACKAGE,
    PATTERN_HINTS,
    USER_AGENT,
)
from ._version import __version__

if TYPE_CHECKING:
    import pydantic

__all__ = ["SyncAPIClient", "AsyncAPIClient", "RequestSpec", "RawResponse"]

T = TypeVar("T")
log = logging.getLogger(PACKAGE)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
DEFAULT_MAX_RETRY_AFTER = 60.0
# The largest body read whole, counted after decompression (a 200 KB gzip bomb inflates to
# 200 MB); streams and streamed responses are read as they come and are not capped.
DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENCY_HEADER = "Idempotency-Key"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Besides those: any header whose name says it carries a credential (x-api-key, x-auth-token).
_SENSITIVE_WORDS = (
    "auth",
    "key",
    "token",
    "secret",
    "password",
    "session",
    "signature",
    "credential",
)

# Module-level so that tests can observe the waits without waiting.
_sleep = time.sleep
_async_sleep = asyncio.sleep

# Set by `with_raw_response` wrappers: the next request returns a RawResponse.
_RAW: ContextVar[bool] = ContextVar("_RAW", default=False)
# Set by `with_streaming_response` wrappers: the next request returns a StreamedResponse,
# its body not read.
_STREAMED: ContextVar[bool] = ContextVar("_STREAMED", default=False)


@dataclass(frozen=True)
class RequestSpec:
    """Everything a generated method knows about one call."""

    method: str
    path: str
    path_params: Mapping[str, object] = field(default_factory=dict)
    query: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, object] = field(default_factory=dict)
    body: Mapping[str, object] | None = None
    body_model: Any = None  # model class validating the body before it is sent
    body_required: bool = True  # an optional body with nothing in it is not sent
    body_encoding: str = "json"  # json | form | multipart
    file_fields: tuple[str, ...] = ()  # the multipart fields that upload a file
    query_model: Any = None  # model class validating the query parameters before sending
    arg_names: Mapping[str, str] = field(default_factory=dict)  # wire name -> argument, for errors
    cast_to: Any = None  # type the response body is validated into
    response_kind: str = "json"  # json | text | binary | none | stream
    stream_type: Any = None  # the type of each event, when this call answers with a stream
    extra_headers: Mapping[str, str | Omit] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    idempotency_key: str | NotGiven = NOT_GIVEN


@dataclass
class RawResponse(ResponseView, Generic[T]):
    """The HTTP response of a call, with ``parse()`` for the validated value."""

    http_response: httpx.Response
    retries_taken: int
    _parse: Callable[[], T]

    @property
    def elapsed(self) -> float | None:
        """Seconds from sending the request to reading the whole response; None while the
        body of a stream is still unread."""
        if not self.http_response.is_closed:
            return None
        return self.http_response.elapsed.total_seconds()

    @property
    def content(self) -> bytes:
        return self.http_response.content

    def parse(self) -> T:
        return self._parse()

    def then(self, make: Callable[[T], Any]) -> Any:
        """The same response, parsed into ``make(value)`` (a page around the body, say)."""
        parse = self._parse
        return RawResponse(self.http_response, self.retries_taken, lambda: make(parse()))

    def close(self) -> None:
        """Close the response: needed only for a stream (`stream=True`) that is not walked
        to its end; every other response is read whole and closed already."""
        self.http_response.close()

    def __enter__(self) -> RawResponse[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def aclose(self) -> None:
        """``close()`` for a response of the async client."""
        await self.http_response.aclose()

    async def __aenter__(self) -> RawResponse[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def path_segment(name: str, value: object) -> str:
    """Percent-encode one path parameter so it can never leave its segment."""
    if isinstance(value, Enum):
        value = value.value
    text = str(value)
    if not text:
        raise ArgumentError(f"`{name}` must be a non-empty string, got {value!r}")
    if text in (".", ".."):
        # even encoded (%2E), proxies that normalise paths take it for a dot segment and
        # send the request elsewhere: `DELETE /things/A/tags/..` would delete A itself
        raise ArgumentError(f"`{name}` cannot be {text!r}: in a URL path it means another resource")
    return quote(text, safe="")


_UNSENDABLE = re.compile(r"[^\t\x20-\x7e]")  # a header value is printable ASCII and tabs


def header_value(name: str, value: str, what: str | None = None) -> str:
    """`value` if HTTP can carry it as the value of header `name`; else an ArgumentError
    that names the character and its position, never the value."""
    found = _UNSENDABLE.search(value)
    if found is not None:
        raise ArgumentError(
            f"{what or f'the value of header {name!r}'} has the character U+{ord(found.group()):04X} at position {found.start()}, "
            "which an HTTP header cannot carry (a pasted space or line break?)"
        )
    return value


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def plain(value: Any, *, models: bool = False) -> Any:
    """An argument as the data a request model validates: a UUID and a date or time as their
    text (RFC 3339), any mapping a dict, any other sequence a list. A model (one a response
    gave, say) stays as it is, so that what the server sent (an enum value newer than the SDK,
    a field it does not know) goes back as it came; `models`: as its JSON data instead (for a
    body no model validates)."""
    if value is None or isinstance(value, (str, int, float, bytes, bytearray, memoryview)):
        return value
    if isinstance(value, Mapping):
        return {key: plain(item, models=models) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(item, models=models) for item in value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(type(value), "model_dump"):  # a model: pydantic is loaded by now
        return value.to_dict() if models and hasattr(value, "to_dict") else value
    if isinstance(value, Sequence):
        return [plain(item, models=models) for item in value]
    return value


def _form_value(value: object) -> str | bytes:
    """A form field: strings and bytes as they are, objects and arrays as JSON."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return _query_value(value)


def _multipart_field(value: object) -> tuple[None, str | bytes] | tuple[None, str, str]:
    """A part of a multipart body that is not a file: objects and arrays as JSON parts
    (OpenAPI's default for complex values), anything else as text."""
    if isinstance(value, (dict, list)):
        return (None, json.dumps(value), "application/json")
    return (None, _form_value(value))


def encode_query(query: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query pairs in declaration order; arrays repeat the key (form, explode)."""
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        if isinstance(value, NotGiven) or value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, _query_value(v)) for v in value)
        elif isinstance(value, Mapping):
            pairs.extend((f"{key}[{k}]", _query_value(v)) for k, v in value.items())
        else:
            pairs.append((key, _query_value(value)))
    return pairs


@lru_cache(maxsize=None)
def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    import pydantic

    return pydantic.TypeAdapter(tp)


def validate_json(tp: Any, content: bytes | str) -> Any:
    """Validate a JSON body into ``tp``; models use their own (fastest) path.

    The cyclic collector waits meanwhile: validation makes an object or three per model, all
    alive until it ends, none of them garbage, which the collector would walk again at every
    few hundred made (15% of validating a list of 20 assistants). It runs after, as it
    would have. A collector that is off, by the caller or by another validation, stays off.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        model_validate_json = getattr(tp, "model_validate_json", None)
        if model_validate_json is not None:
            return model_validate_json(content)
        return _adapter(tp).validate_json(content)
    finally:
        if paused:
            gc.enable()


def is_sensitive(header: str) -> bool:
    name = header.lower()
    return name in SENSITIVE_HEADERS or (
        name != IDEMPOTENCY_HEADER.lower() and any(word in name for word in _SENSITIVE_WORDS)
    )


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if is_sensitive(k) else v) for k, v in headers.items()}


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record is logged (it may be redirected
    after the first client is made), not to the stream of that moment."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _configure_logging(env_name: str) -> None:
    level = os.environ.get(env_name, "").strip().lower()
    if level not in ("debug", "info"):
        return
    if not log.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


class _Core:
    """State and decisions shared by the sync and async clients."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        retry_statuses: frozenset[int] | None,
        max_retry_after: float,
        auto_idempotency_keys: bool,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        attempt_timeout: float | None = None,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get(API_KEY_ENV)
        if not api_key:
            raise TelnyxError(
                "No API key: pass api_key=... to the client or set the "
                f"{API_KEY_ENV} environment variable."
            )
        if base_url is None:
            base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        header_value("Authorization", api_key, "the API key")
        for name, value in (default_headers or {}).items():
            header_value(name, value)
        self._api_key = api_key
        self.base_url = httpx.URL(str(base_url).rstrip("/") + "/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.retry_statuses = (
            retry_statuses if retry_statuses is not None else DEFAULT_RETRY_STATUSES
        )
        self.max_retry_after = max_retry_after
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be 1 or more")
        self.max_response_bytes = max_response_bytes
        if attempt_timeout is not None and not attempt_timeout > 0:
            raise ValueError(
                "attempt_timeout must be more than 0 seconds (or None: as long as one wait)"
            )
        self.attempt_timeout = attempt_timeout
        self.auto_idempotency_keys = auto_idempotency_keys
        # Computed once per client, copied per request.
        self._merged_headers: dict[str, str] | None = None
        self._base = str(self.base_url)
        self._timeout = _httpx_timeout(timeout)
        self._base_headers: dict[str, str] = {
            "Accept": "application/json",
            "User-Agent": f"{USER_AGENT}/{__version__}",
            "Authorization": f"Bearer {api_key}",
            **self.default_headers,
        }
        _configure_logging(LOG_ENV)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, api_key='<redacted>')"

    @property
    def api_key(self) -> str:
        return self._api_key

    def _options(self) -> dict[str, Any]:
        return {
            "api_key": self._api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "retry_statuses": self.retry_statuses,
            "max_retry_after": self.max_retry_after,
            "max_response_bytes": self.max_response_bytes,
            "attempt_timeout": self.attempt_timeout,
            "auto_idempotency_keys": self.auto_idempotency_keys,
        }

    # -- building ------------------------------------------------------------------
    def serialise_body(self, spec: RequestSpec) -> Any:
        if spec.body is None and not spec.extra_body:
            return None
        fields = {
            k: v if k in spec.file_fields else plain(v)
            for k, v in (spec.body or {}).items()
            if not isinstance(v, NotGiven)
        }
        if not fields and not spec.body_required and not spec.extra_body:
            return None
        body: Any = (
            fields[""] if set(fields) == {""} else fields
        )  # "": a body that is not an object
        if spec.body_encoding == "multipart":
            files = {
                k: _upload_value(spec.arg_names.get(k, k), v)
                for k, v in fields.items()
                if k in spec.file_fields and v is not None
            }
            if spec.body_model is not None:
                # the model checks every other field; a file is there as empty bytes
                body = _validate_request(
                    spec.body_model,
                    {**fields, **dict.fromkeys(files, b"")},
                    spec.arg_names,
                    "request body",
                )
            body = {**body, **files}
        elif spec.body_model is not None and spec.body is not None:
            body = _validate_request(spec.body_model, body, spec.arg_names, "request body")
        elif spec.body_encoding == "json":
            body = plain(body, models=True)  # no model validates it: its models as their data
        if spec.extra_body:
            body = {**body, **spec.extra_body}
        return body

    def build_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        spec: RequestSpec,
        idempotency_key: str | None,
    ) -> httpx.Request:
        """The request, built directly: one URL parse, headers merged once per client."""
        path = spec.path
        for name, value in spec.path_params.items():
            path = path.replace("{" + name + "}", path_segment(name, value))
        if self._merged_headers is None:
            # The HTTP client's own defaults (encodings, a caller's custom headers), then ours.
            # Header names are kept lower-case so that an override replaces, never duplicates.
            merged = {k.lower(): v for k, v in client.headers.items()}
            merged.update((k.lower(), v) for k, v in self._base_headers.items())
            self._merged_headers = merged
        headers = dict(self._merged_headers)
        if spec.stream_type is not None:
            headers["accept"] = "text/event-stream"
        elif spec.response_kind != "json":
            headers["accept"] = "*/*"
        for key, value in spec.headers.items():
            if not isinstance(value, NotGiven) and value is not None:
                headers[key.lower()] = header_value(key, _query_value(value))
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER.lower()] = idempotency_key
        if spec.extra_headers:
            for key, header in spec.extra_headers.items():
                if isinstance(header, Omit):
                    headers.pop(key.lower(), None)
                else:
                    headers[key.lower()] = header_value(key, header)
        url = self._base + path.lstrip("/")
        query_values: Mapping[str, object] = spec.query
        if spec.query_model is not None:
            given = {k: plain(v) for k, v in spec.query.items() if not isinstance(v, NotGiven)}
            query_values = (
                _validate_request(spec.query_model, given, spec.arg_names, "query") if given else {}
            )
        query = encode_query(
            {**query_values, **spec.extra_query} if spec.extra_query else query_values
        )
        if query:
            url += "?" + urlencode(query, quote_via=quote)
        timeout = (
            self._timeout if isinstance(spec.timeout, NotGiven) else _httpx_timeout(spec.timeout)
        )
        body = self.serialise_body(spec)
        if spec.body_encoding == "binary":
            content = _content(body)
            return httpx.Request(
                spec.method.upper(),
                url,
                headers=headers,
                content=content,
                extensions={"timeout": timeout.as_dict()},
            )
        if spec.body_encoding == "json" or body is None:
            return httpx.Request(
                spec.method.upper(),
                url,
                headers=headers,
                json=body,
                extensions={"timeout": timeout.as_dict()},
            )
        headers.pop("content-type", None)
        if spec.body_encoding == "multipart":
            # Every field is a part (a plain one without a file name), so that a body
            # without a file is multipart all the same; httpx would send it URL-encoded.
            parts = [
                (k, _upload(spec.arg_names.get(k, k), v) if _is_file(v) else _multipart_field(v))
                for k, v in body.items()
                if v is not None
            ]
            return httpx.Request(
                spec.method.upper(),
                url,
                headers=headers,
                files=parts,
                extensions={"timeout": timeout.as_dict()},
            )
        form = {k: _form_value(v) for k, v in body.items() if v is not None and not _is_file(v)}
        return httpx.Request(
            spec.method.upper(),
            url,
            headers=headers,
            data=form,
            extensions={"timeout": timeout.as_dict()},
        )

    def deadline_for(self, spec: RequestSpec) -> deadlines.Budget | None:
        """How long an attempt may wait for its answer once the request is sent:
        `attempt_timeout`, or else as long as one read may wait (60 s by default)."""
        budget = self.attempt_timeout
        if budget is None:
            budget = (
                self._timeout
                if isinstance(spec.timeout, NotGiven)
                else _httpx_timeout(spec.timeout)
            ).read
        return None if budget is None or math.isinf(budget) else deadlines.Budget(budget)

    def idempotency_key_for(self, spec: RequestSpec) -> str | None:
        if not isinstance(spec.idempotency_key, NotGiven):
            key = spec.idempotency_key
            if not isinstance(key, str) or not key.strip():
                raise ArgumentError(
                    f"`idempotency_key` must be a non-empty string, got {key!r}: an empty key protects nothing"
                )
            return header_value(IDEMPOTENCY_HEADER, key, "`idempotency_key`")
        if spec.method.upper() in IDEMPOTENT_METHODS or not self.auto_idempotency_keys:
            return None
        return f"{USER_AGENT}-retry-{uuid.uuid4()}"

    # -- retrying ------------------------------------------------------------------
    def may_retry(self, request: httpx.Request) -> bool:
        """POST/PUT/PATCH/DELETE are retried only when an idempotency key protects them."""
        return request.method in IDEMPOTENT_METHODS or IDEMPOTENCY_HEADER.lower() in request.headers

    def retry_delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before the next attempt, or None when the server asks too much."""
        backoff = min(INITIAL_RETRY_DELAY * (2.0**attempt), MAX_RETRY_DELAY) * (
            1 - 0.25 * random.random()
        )
        if response is not None:
            asked = _retry_after(response.headers)
            if asked is not None:
                # never sooner than the usual backoff: `Retry-After: 0` would hammer the API
                return max(asked, backoff) if asked <= self.max_retry_after else None
        return backoff

    # -- reading -------------------------------------------------------------------
    _stream_class: Any = Stream  # AsyncStream on the async client
    _streamed_class: Any = StreamedResponse

    def reads_body(self, spec: RequestSpec, response: httpx.Response, streamed: bool) -> bool:
        """Whether the attempt reads the whole body before returning: not for a stream of
        events or a streamed response that succeeded (an error's body is always read), nor
        for events the call did not ask for (`parse` refuses them without waiting for all)."""
        if not response.is_success:
            return True
        unasked = (
            spec.response_kind == "json" and spec.stream_type is None and _is_event_stream(response)
        )
        return not (streamed or spec.stream_type is not None or unasked)

    def parse(self, spec: RequestSpec, response: httpx.Response) -> Any:
        if spec.stream_type is not None:
            return self._stream_class(response, spec.stream_type)
        if spec.response_kind == "none":
            return None
        if spec.response_kind == "text":
            return response.text
        if spec.response_kind == "binary":
            return response.content
        if _is_event_stream(response):
            raise APIResponseValidationError(
                response,
                None,
                f"{response.status_code}: the server answered with an event stream, which this SDK does not read for this call",
            )
        content = response.content
        if not content.strip():
            raise APIResponseValidationError(
                response, None, f"{response.status_code}: the response body is empty, expected JSON"
            )
        import pydantic

        try:
            return validate_json(spec.cast_to, content)
        except pydantic.ValidationError as exc:
            invalid_json = any(e.get("type") == "json_invalid" for e in exc.errors())
            problem = "is not valid JSON" if invalid_json else "does not match the expected shape"
            first = "" if invalid_json else ": " + _first_error(exc)
            raise APIResponseValidationError(
                response,
                response.text[:2000],
                f"{response.status_code}: the response body {problem}{first}",
            ) from None

    def settle(
        self,
        spec: RequestSpec,
        request: httpx.Request,
        attempt: int,
        started: float,
        response: httpx.Response | None,
        error: httpx.TransportError | None,
        raw: bool,
        streamed: bool = False,
    ) -> tuple[float | None, Any]:
        """After one attempt: (delay, None) to try again, or (None, result); or raise."""
        retryable = attempt < self.max_retries and self.may_retry(request)
        if response is None:
            self.log_attempt(request, None, attempt, started, type(error).__name__)
            if retryable:
                return self.retry_delay(attempt, None), None
            if isinstance(error, httpx.TimeoutException):
                raise APITimeoutError(request) from None
            raise APIConnectionError(request, f"Connection error: {type(error).__name__}") from None
        self.log_attempt(request, response, attempt, started)
        if retryable and response.status_code in self.retry_statuses:
            delay = self.retry_delay(attempt, response)
            if delay is not None:
                return delay, None
        if response.is_error or response.is_redirect:
            raise status_error(response)
        if streamed:
            return None, self._streamed_class(
                response, attempt, lambda: self.parse(spec, response), spec.stream_type is None
            )
        if raw:
            return None, RawResponse(response, attempt, lambda: self.parse(spec, response))
        return None, self.parse(spec, response)

    def log_attempt(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        attempt: int,
        started: float,
        error: str | None = None,
    ) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        elapsed = time.monotonic() - started
        status = response.status_code if response is not None else error
        log.info(
            "%s %s -> %s (attempt %d, %.3fs)",
            request.method,
            request.url,
            status,
            attempt + 1,
            elapsed,
        )
        if log.isEnabledFor(logging.DEBUG):
            log.debug("request headers: %s", redact_headers(request.headers))


def _is_event_stream(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("text/event-stream")


def _first_error(exc: Any) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg')}{more}" if where else f"{first.get('msg')}{more}"


def _argument_problem(error: Any, names: Mapping[str, str]) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    if loc:
        loc[0] = names.get(loc[0], loc[0])
    where = ".".join(loc)
    pattern = (error.get("ctx") or {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern in PATTERN_HINTS:
        message = f"must be {PATTERN_HINTS[pattern]}, got {error.get('input')!r}"
    else:
        message = str(error.get("msg"))
    return f"{where}: {message}" if where else message


def _validate_request(model: Any, values: Any, names: Mapping[str, str], what: str) -> Any:
    """Validate what the caller passed, strictly (no unknown enum values or tags), and
    return it as JSON data by wire name; raise ArgumentError naming the argument."""
    import pydantic

    from ._models import strict_enums

    try:
        with strict_enums():
            if hasattr(model, "model_validate"):
                value = model.model_validate(values)
                return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
            adapter = _adapter(model)
            return adapter.dump_python(
                adapter.validate_python(values), mode="json", by_alias=True, exclude_unset=True
            )
    except pydantic.ValidationError as exc:
        problems = [_argument_problem(e, names) for e in exc.errors()]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ArgumentError(f"invalid {what}: {problems[0]}{more}") from None


# What a file to upload can be besides a file object (and a (name, content[, type]) tuple).
_FILE_CONTENT = (bytes, bytearray, memoryview, os.PathLike)


def _content(value: Any) -> Any:
    """A whole body to send as it is: bytes, an open binary file (read), a path (the file's bytes)."""
    if isinstance(value, os.PathLike):
        with open(value, "rb") as file:
            return file.read()
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value.read() if hasattr(value, "read") else value


def _is_file(value: object) -> bool:
    return isinstance(value, (*_FILE_CONTENT, tuple)) or hasattr(value, "read")


def _upload_value(name: str, value: Any) -> Any:
    """`value` if it is something to upload: bytes, a binary file, a path, or a (file name,
    content[, media type]) tuple; else an ArgumentError (text would go as a text field)."""
    content = value[1] if isinstance(value, tuple) and len(value) in (2, 3) else value
    if isinstance(content, _FILE_CONTENT) or (
        hasattr(content, "read") and not isinstance(content, io.TextIOBase)
    ):
        return value
    raise ArgumentError(
        f"`{name}` must be bytes, a file opened in binary mode, a path, or a (file name, content[, media type]) tuple; "
        f"got {type(value).__name__}"
    )


def _upload(name: str, value: Any) -> Any:
    """A file to upload as httpx sends it, the same on every attempt: a path is read (its
    name is the file name), and so is a file that cannot seek back (a pipe), whose length
    httpx could not tell and which a retry could not read again."""
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        try:
            with open(path, "rb") as stream:
                return (os.path.basename(path), stream.read())
        except OSError as exc:
            raise ArgumentError(
                f"`{name}`: cannot read the file {path!r}: {exc.strerror}"
            ) from None
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)  # httpx sends bytes; it would send these as their repr
    if isinstance(value, tuple) and len(value) > 1:
        return (value[0], _upload(name, value[1]), *value[2:])
    if hasattr(value, "read") and not _seekable(value):
        return value.read()
    return value


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _seconds(text: str, per_second: float = 1.0) -> float | None:
    """A number of seconds (or of milliseconds, per_second=1000); None for anything else,
    `nan` and `inf` included."""
    try:
        value = float(text) / per_second
    except ValueError:
        return None
    return max(value, 0.0) if math.isfinite(value) else None


def _retry_after(headers: httpx.Headers) -> float | None:
    millis = headers.get("retry-after-ms")
    if millis is not None and (seconds := _seconds(millis, 1000.0)) is not None:
        return seconds
    value = headers.get("retry-after")
    if value is None:
        return None
    if (seconds := _seconds(value)) is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None  # neither seconds nor a date: the usual backoff applies
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return max(parsed.timestamp() - time.time(), 0.0)


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Pool(Generic[H]):
    """The HTTP clients of one SDK client and of its `with_options` copies: one, made on
    first use (building its TLS context is most of a client's cost), or for the async
    client one per event loop, as a pool cannot outlive its loop. Each is made once under
    a lock, so threads making their first calls together share it; `close()` closes all."""

    def __init__(self, make: Callable[[], H]) -> None:
        self._make: Callable[[], H] = make
        self._lock = threading.Lock()
        self._by_key: dict[Any, H] = {}
        self.closed = False

    def get(self, key: Any = None) -> H:
        client = self._by_key.get(key)
        if client is None:
            with self._lock:
                client = self._by_key.get(key)
                if client is None:
                    if self.closed:
                        raise ClientClosedError()
                    # the pools of event loops that have ended cannot be closed the usual way
                    # (that needs their loop): their sockets are closed here
                    for loop in [k for k in self._by_key if k is not None and k.is_closed()]:
                        close_abandoned(self._by_key.pop(loop))
                    client = self._by_key[key] = self._make()
        return client

    def take_all(self) -> list[tuple[Any, H]]:
        """Every client with its key, for closing; the pool makes no more."""
        with self._lock:
            self.closed = True
            clients, self._by_key = list(self._by_key.items()), {}
        return clients


def close_abandoned(client: Any) -> None:
    """Close the sockets of an async pool whose event loop has ended, without that loop
    (httpx's `aclose()` needs it); a pool of another shape is left to the garbage collector."""
    try:
        connections = list(client._transport._pool.connections)
    except AttributeError:
        return
    for connection in connections:
        try:
            sock = connection._connection._network_stream.get_extra_info("socket")
            # asyncio hands out a TransportSocket, which has no close(): the socket within it
            getattr(sock, "_sock", sock).close()
        except (AttributeError, OSError):
            pass


class _PoolUser:
    """What both clients do with their pool (or the caller's own HTTP client)."""

    _http_client: Any
    _pool: _Pool[Any]
    _owns_http: bool

    def _shared_by(self, copy: Any) -> Any:
        """`copy` (made by `with_options`) uses this client's pool; closing it leaves the
        pool open for this client."""
        if self._http_client is None:
            copy._pool, copy._owns_http = self._pool, False
        return copy

    def _raise_if_closed(self) -> None:
        """A closed client (or one sharing a closed pool) sends nothing: a typed error."""
        closed = self._http_client.is_closed if self._http_client is not None else self._pool.closed
        if closed:
            raise ClientClosedError()


class SyncAPIClient(_Core, _PoolUser):
    def __init__(self, *, http_client: httpx.Client | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._owns_http = http_client is None
        self._http_client = http_client
        self._pool: _Pool[httpx.Client] = _Pool(
            lambda: held_to_deadlines(
                httpx.Client(timeout=self._timeout, follow_redirects=False), "sync"
            )
        )

    @property
    def _http(self) -> httpx.Client:
        return self._http_client if self._http_client is not None else self._pool.get()

    def close(self) -> None:
        if self._owns_http:
            for _, client in self._pool.take_all():
                client.close()

    def request(self, spec: RequestSpec) -> Any:
        raw, streamed = _RAW.get(), _STREAMED.get()
        self._raise_if_closed()
        if spec.stream_type is not None and not streamed:
            require_sse()  # before anything is sent; a streamed response needs it only to parse()
        request = self.build_request(self._http, spec, self.idempotency_key_for(spec))
        attempt = 0
        while True:
            started = time.monotonic()
            response: httpx.Response | None = None
            deadline = DEADLINE.set(self.deadline_for(spec))  # until the headers, or the whole body
            try:
                response = self._http.send(request, stream=True)
                if self.reads_body(spec, response, streamed):
                    read_capped(response, self.max_response_bytes)
                error: httpx.TransportError | None = None
            except httpx.TransportError as exc:
                if response is not None:
                    response.close()
                response, error = None, exc
            except httpx.TooManyRedirects:  # a caller's HTTP client that follows redirects
                self.log_attempt(request, None, attempt, started, "TooManyRedirects")
                raise APIConnectionError(
                    request,
                    "Connection error: too many redirects (the HTTP client follows them; this SDK's own does not)",
                ) from None
            except RuntimeError:
                self._raise_if_closed()  # closed by another thread while this call was under way
                raise
            except httpx.DecodingError as exc:
                assert response is not None
                response.close()
                self.log_attempt(request, response, attempt, started)
                raise undecodable(response, exc) from None
            except APIResponseValidationError:  # larger than max_response_bytes
                assert response is not None
                self.log_attempt(request, response, attempt, started)
                raise
            finally:
                DEADLINE.reset(deadline)
            try:
                delay, result = self.settle(
                    spec, request, attempt, started, response, error, raw, streamed
                )
            except TelnyxError:
                if response is not None:
                    response.close()  # an unread body (events nobody asked for) is left behind
                raise
            if delay is None:
                return result
            if response is not None:
                response.close()
            _sleep(delay)
            attempt += 1


class AsyncAPIClient(_Core, _PoolUser):
    _stream_class = AsyncStream
    _streamed_class = AsyncStreamedResponse

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._owns_http = http_client is None
        self._http_client = http_client
        self._pool: _Pool[httpx.AsyncClient] = _Pool(
            lambda: held_to_deadlines(
                httpx.AsyncClient(timeout=self._timeout, follow_redirects=False), "async"
            )
        )

    @property
    def _http(self) -> httpx.AsyncClient:
        # one pool per event loop: a client used in two `asyncio.run()` calls works in both
        return (
            self._http_client
            if self._http_client is not None
            else self._pool.get(asyncio.get_running_loop())
        )

    async def close(self) -> None:
        if self._owns_http:
            for loop, client in self._pool.take_all():
                if loop.is_closed():  # its sockets belong to an ended event loop
                    close_abandoned(client)
                    continue
                try:
                    await client.aclose()
                except RuntimeError:  # a loop of another thread, still running
                    close_abandoned(client)

    async def request(self, spec: RequestSpec) -> Any:
        raw, streamed = _RAW.get(), _STREAMED.get()
        self._raise_if_closed()
        if spec.stream_type is not None and not streamed:
            require_sse()  # before anything is sent; a streamed response needs it only to parse()
        request = self.build_request(self._http, spec, self.idempotency_key_for(spec))
        attempt = 0
        while True:
            started = time.monotonic()
            response: httpx.Response | None = None
            deadline = DEADLINE.set(self.deadline_for(spec))
            try:
                response = await self._http.send(request, stream=True)
                if self.reads_body(spec, response, streamed):
                    await aread_capped(response, self.max_response_bytes)
                error: httpx.TransportError | None = None
            except httpx.TransportError as exc:
                if response is not None:
                    await response.aclose()
                response, error = None, exc
            except httpx.TooManyRedirects:  # a caller's HTTP client that follows redirects
                self.log_attempt(request, None, attempt, started, "TooManyRedirects")
                raise APIConnectionError(
                    request,
                    "Connection error: too many redirects (the HTTP client follows them; this SDK's own does not)",
                ) from None
            except RuntimeError:
                self._raise_if_closed()  # closed by another thread while this call was under way
                raise
            except httpx.DecodingError as exc:
                assert response is not None
                await response.aclose()
                self.log_attempt(request, response, attempt, started)
                raise undecodable(response, exc) from None
            except APIResponseValidationError:  # larger than max_response_bytes
                assert response is not None
                self.log_attempt(request, response, attempt, started)
                raise
            finally:
                DEADLINE.reset(deadline)
            try:
                delay, result = self.settle(
                    spec, request, attempt, started, response, error, raw, streamed
                )
            except TelnyxError:
                if response is not None:
                    await response.aclose()
                raise
            if delay is None:
                return result
            if response is not None:
                await response.aclose()
            await _async_sleep(delay)
            attempt += 1


_NO_BODY_STATUSES = (204, 205, 304)


def _after_the_end(response: httpx.Response) -> bool | None:
    """Whether bytes wait after the end of `response` on its connection (a 204 with a
    body, more bytes than Content-Length): they would be read as the answer to the next
    request. They are in h11's buffer, which httpcore keeps with the connection; None where
    that buffer cannot be seen (HTTP/2, another transport, another httpcore)."""
    try:
        stream: Any = response.stream
        connection = stream._stream._httpcore_stream._stream._connection
        data, _ = connection._h11_state.trailing_data
    except AttributeError:
        return None
    return bool(data)


def _out_of_step(response: httpx.Response, complete: bool) -> Any:
    """The connection of `response` if it must serve no other request: asked once its body
    is complete (`complete`) and before the response is closed, which hands the connection
    back to the pool for another thread to take. None when it may be reused."""
    if not complete or response.http_version != "HTTP/1.1":
        return None  # HTTP/2 multiplexes one connection: it is never closed for this
    leftover = _after_the_end(response)
    if leftover or (leftover is None and response.status_code in _NO_BODY_STATUSES):
        return response.extensions.get("network_stream")
    return None


def _drop_if_out_of_step(response: httpx.Response, complete: bool) -> bool:
    stream = _out_of_step(response, complete)
    if stream is not None:
        stream.close()
    return stream is not None


async def _adrop_if_out_of_step(response: httpx.Response, complete: bool) -> bool:
    stream = _out_of_step(response, complete)
    if stream is not None:
        await stream.aclose()
    return stream is not None


def _expected_bytes(response: httpx.Response) -> int | None:
    """How many body bytes `response` has in all: 0 for a status or request without a body,
    its Content-Length, or None where it does not say (then it is never out of step)."""
    if response.status_code in _NO_BODY_STATUSES or response.request.method == "HEAD":
        return 0
    length = response.headers.get("content-length")
    return int(length) if length is not None and length.isdigit() else None


def _too_large(response: httpx.Response, limit: int) -> APIResponseValidationError:
    return APIResponseValidationError(
        response,
        None,
        f"{response.status_code}: the response body is larger than {limit:,} bytes (the client's max_response_bytes); it was not read further",
    )


def read_capped(response: httpx.Response, limit: int) -> None:
    """Read the whole (decoded) body of `response`, or raise once it passes `limit` bytes."""
    chunks, size = [], 0
    # A connection out of step is closed as soon as the body is complete, before the loop
    # goes on to close the response, which hands the connection back to the pool for
    # another thread to take; the pool then opens a new one.
    expected = _expected_bytes(response)
    dropped = _drop_if_out_of_step(response, expected == 0)
    for chunk in response.iter_bytes():
        deadlines.check(response.request)  # a caller's own HTTP client too is held to it
        size += len(chunk)
        if size > limit:
            response.close()
            raise _too_large(response, limit)
        chunks.append(chunk)
        dropped = dropped or _drop_if_out_of_step(
            response, expected is not None and response.num_bytes_downloaded >= expected
        )
    response._content = b"".join(chunks)  # what `read()` would have kept


async def aread_capped(response: httpx.Response, limit: int) -> None:
    chunks, size = [], 0
    expected = _expected_bytes(response)
    dropped = await _adrop_if_out_of_step(response, expected == 0)
    async for chunk in response.aiter_bytes():
        deadlines.check(response.request)
        size += len(chunk)
        if size > limit:
            await response.aclose()
            raise _too_large(response, limit)
        chunks.append(chunk)
        dropped = dropped or await _adrop_if_out_of_step(
            response, expected is not None and response.num_bytes_downloaded >= expected
        )
    response._content = b"".join(chunks)


def undecodable(response: httpx.Response, error: httpx.DecodingError) -> APIResponseValidationError:
    """A body whose Content-Encoding does not decode (corrupt gzip, say): a response the SDK
    cannot read, reported as such rather than as httpx's own exception."""
    return APIResponseValidationError(
        response, None, f"{response.status_code}: the response body could not be decoded: {error}"
    )


def _httpx_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout)
