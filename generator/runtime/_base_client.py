"""The two API clients: their options, their connection pool, and the loop that sends
the attempts of one call.

A generated method describes its call in a ``RequestSpec`` (``_request``) and hands it to
``request()``, which builds it once, sends it, reads the answer (``_response``) and tries
again where ``_retries`` says it may. ``SyncAPIClient`` and ``AsyncAPIClient`` only differ
in how they send, read and sleep.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Callable, Generic, TypeVar

import httpx

from . import _deadlines as deadlines
from ._deadlines import DEADLINE, held_to_deadlines
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ClientClosedError,
    TelnyxError,
    status_error,
)
from ._logging import configure_logging, log_attempt
from ._request import RequestSpec, build_request, header_value, httpx_timeout
from ._response import (
    DEFAULT_MAX_RESPONSE_BYTES,
    RawResponse,
    aread_capped,
    parse,
    read_capped,
    reads_body,
    undecodable,
)
from ._retries import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_RETRY_STATUSES,
    idempotency_key_for,
    may_retry,
    retry_delay,
)
from ._settings import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, USER_AGENT
from ._streaming import AsyncStream, AsyncStreamedResponse, Stream, StreamedResponse, require_sse
from ._types import NotGiven, TimeoutTypes
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "SyncAPIClient",
]

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)

# Module-level so that tests can observe the waits without waiting.
_sleep = time.sleep
_async_sleep = asyncio.sleep

# Set by `with_raw_response` wrappers: the next request returns a RawResponse.
_RAW: ContextVar[bool] = ContextVar("_RAW", default=False)
# Set by `with_streaming_response` wrappers: the next request returns a StreamedResponse,
# its body not read.
_STREAMED: ContextVar[bool] = ContextVar("_STREAMED", default=False)

# What one attempt gave: the response (its body read, unless it streams) or the error
# of a connection that failed.
_Outcome = tuple[httpx.Response | None, httpx.TransportError | None]


def _api_key(api_key: str | None) -> str:
    """The API key given, else the one of the environment; a typed error without one."""
    if api_key is None:
        api_key = os.environ.get(API_KEY_ENV)
    if not api_key:
        raise TelnyxError(
            "No API key: pass api_key=... to the client or set the "
            f"{API_KEY_ENV} environment variable."
        )
    return api_key


def _check_options(
    api_key: str,
    max_retries: int,
    default_headers: Mapping[str, str],
    max_response_bytes: int,
    attempt_timeout: float | None,
) -> None:
    """Raise for an option no call could use, before the client exists."""
    if max_retries < 0:
        raise ValueError("max_retries must be 0 or more")
    header_value("Authorization", api_key, "the API key")
    for name, value in default_headers.items():
        header_value(name, value)
    if max_response_bytes < 1:
        raise ValueError("max_response_bytes must be 1 or more")
    if attempt_timeout is not None and not attempt_timeout > 0:
        raise ValueError(
            "attempt_timeout must be more than 0 seconds (or None: as long as one wait)"
        )


def _too_many_redirects(request: httpx.Request) -> APIConnectionError:
    return APIConnectionError(
        request,
        "Connection error: too many redirects "
        "(the HTTP client follows them; this SDK's own does not)",
    )


class _Core:
    """The options of a client and the decisions the sync and async clients share."""

    _stream_class: Any = Stream  # AsyncStream on the async client
    _streamed_class: Any = StreamedResponse

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
        api_key = _api_key(api_key)
        if base_url is None:
            base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        _check_options(
            api_key, max_retries, default_headers or {}, max_response_bytes, attempt_timeout
        )
        self._api_key = api_key
        self.base_url = httpx.URL(str(base_url).rstrip("/") + "/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.retry_statuses = (
            retry_statuses if retry_statuses is not None else DEFAULT_RETRY_STATUSES
        )
        self.max_retry_after = max_retry_after
        self.max_response_bytes = max_response_bytes
        self.attempt_timeout = attempt_timeout
        self.auto_idempotency_keys = auto_idempotency_keys
        # Computed once per client, copied per request.
        self._merged_headers: dict[str, str] | None = None
        self._base = str(self.base_url)
        self._timeout = httpx_timeout(timeout)
        self._base_headers: dict[str, str] = {
            "Accept": "application/json",
            "User-Agent": f"{USER_AGENT}/{__version__}",
            "Authorization": f"Bearer {api_key}",
            **self.default_headers,
        }
        configure_logging()

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

    def _headers_for(self, client: httpx.Client | httpx.AsyncClient) -> dict[str, str]:
        """The HTTP client's own default headers (encodings, a caller's custom headers),
        then ours, by lower-case name: merged on the first request, once."""
        if self._merged_headers is None:
            merged = {k.lower(): v for k, v in client.headers.items()}
            merged.update((k.lower(), v) for k, v in self._base_headers.items())
            self._merged_headers = merged
        return self._merged_headers

    def _build_request(
        self, client: httpx.Client | httpx.AsyncClient, spec: RequestSpec[object]
    ) -> httpx.Request:
        return build_request(
            spec,
            base_url=self._base,
            headers=self._headers_for(client),
            timeout=self._timeout,
            idempotency_key=idempotency_key_for(spec, self.auto_idempotency_keys),
        )

    def _deadline_for(self, spec: RequestSpec[object]) -> deadlines.Budget | None:
        """How long an attempt may wait for its answer once the request is sent:
        `attempt_timeout`, or else as long as one read may wait (60 s by default)."""
        budget = self.attempt_timeout
        if budget is None:
            timeout = self._timeout
            if not isinstance(spec.timeout, NotGiven):
                timeout = httpx_timeout(spec.timeout)
            budget = timeout.read
        return None if budget is None or math.isinf(budget) else deadlines.Budget(budget)

    def _settle(
        self,
        spec: RequestSpec[object],
        request: httpx.Request,
        attempt: int,
        started: float,
        outcome: _Outcome,
        raw: bool,
        streamed: bool,
    ) -> tuple[float | None, Any]:
        """After one attempt: (delay, None) to try again, or (None, result); or raise."""
        response, error = outcome
        retryable = attempt < self.max_retries and may_retry(request)
        if response is None:
            log_attempt(request, None, attempt, started, type(error).__name__)
            if retryable:
                return retry_delay(attempt, None, self.max_retry_after), None
            if isinstance(error, httpx.TimeoutException):
                raise APITimeoutError(request) from None
            raise APIConnectionError(request, f"Connection error: {type(error).__name__}") from None
        log_attempt(request, response, attempt, started)
        if retryable and response.status_code in self.retry_statuses:
            delay = retry_delay(attempt, response, self.max_retry_after)
            if delay is not None:
                return delay, None
        if response.is_error or response.is_redirect:
            raise status_error(response)
        return None, self._result(spec, response, attempt, raw, streamed)

    def _result(
        self,
        spec: RequestSpec[object],
        response: httpx.Response,
        attempt: int,
        raw: bool,
        streamed: bool,
    ) -> Any:
        """The value of a call that succeeded, or its raw or streamed response (parsed
        when asked)."""

        def value() -> Any:
            return parse(spec, response, self._stream_class)

        if streamed:
            return self._streamed_class(response, attempt, value, spec.stream_type is None)
        if raw:
            return RawResponse(response, attempt, value)
        return value()


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
        self._pool: _Pool[httpx.Client] = _Pool(self._new_pool)

    def _new_pool(self) -> httpx.Client:
        client: httpx.Client = held_to_deadlines(
            httpx.Client(timeout=self._timeout, follow_redirects=False), "sync"
        )
        return client

    @property
    def _http(self) -> httpx.Client:
        return self._http_client if self._http_client is not None else self._pool.get()

    def close(self) -> None:
        if self._owns_http:
            for _, client in self._pool.take_all():
                client.close()

    def request(self, spec: RequestSpec[T]) -> T:
        """Send the call `spec` describes, trying again where it may, and return its value
        (inside `with_raw_response` or `with_streaming_response`: the response)."""
        raw, streamed = _RAW.get(), _STREAMED.get()
        self._raise_if_closed()
        if spec.stream_type is not None and not streamed:
            require_sse()  # before anything is sent; a streamed response needs it only to parse()
        request = self._build_request(self._http, spec)
        attempt = 0
        while True:
            started = time.monotonic()
            outcome = self._attempt(spec, request, attempt, started, streamed)
            response = outcome[0]
            try:
                delay, result = self._settle(
                    spec, request, attempt, started, outcome, raw, streamed
                )
            except TelnyxError:
                if response is not None:
                    response.close()  # an unread body (events nobody asked for) is left behind
                raise
            if delay is None:
                return result  # type: ignore[no-any-return]
            if response is not None:
                response.close()
            _sleep(delay)
            attempt += 1

    def _attempt(
        self,
        spec: RequestSpec[object],
        request: httpx.Request,
        attempt: int,
        started: float,
        streamed: bool,
    ) -> _Outcome:
        """Send `request` once; its body is read in the deadline of the attempt."""
        response: httpx.Response | None = None
        deadline = DEADLINE.set(self._deadline_for(spec))  # until the headers, or the whole body
        try:
            response = self._http.send(request, stream=True)
            if reads_body(spec, response, streamed):
                read_capped(response, self.max_response_bytes)
            return response, None
        except httpx.TransportError as exc:
            if response is not None:
                response.close()
            return None, exc
        except httpx.TooManyRedirects:  # a caller's HTTP client that follows redirects
            log_attempt(request, None, attempt, started, "TooManyRedirects")
            raise _too_many_redirects(request) from None
        except RuntimeError:
            self._raise_if_closed()  # closed by another thread while this call was under way
            raise
        except httpx.DecodingError as exc:
            assert response is not None
            response.close()
            log_attempt(request, response, attempt, started)
            raise undecodable(response, exc) from None
        except APIResponseValidationError:  # larger than max_response_bytes
            assert response is not None
            log_attempt(request, response, attempt, started)
            raise
        finally:
            DEADLINE.reset(deadline)


class AsyncAPIClient(_Core, _PoolUser):
    _stream_class = AsyncStream
    _streamed_class = AsyncStreamedResponse

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._owns_http = http_client is None
        self._http_client = http_client
        self._pool: _Pool[httpx.AsyncClient] = _Pool(self._new_pool)

    def _new_pool(self) -> httpx.AsyncClient:
        client: httpx.AsyncClient = held_to_deadlines(
            httpx.AsyncClient(timeout=self._timeout, follow_redirects=False), "async"
        )
        return client

    @property
    def _http(self) -> httpx.AsyncClient:
        # one pool per event loop: a client used in two `asyncio.run()` calls works in both
        loop = asyncio.get_running_loop() if self._http_client is None else None
        return self._http_client if self._http_client is not None else self._pool.get(loop)

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

    async def request(self, spec: RequestSpec[T]) -> T:
        """Send the call `spec` describes, trying again where it may, and return its value
        (inside `with_raw_response` or `with_streaming_response`: the response)."""
        raw, streamed = _RAW.get(), _STREAMED.get()
        self._raise_if_closed()
        if spec.stream_type is not None and not streamed:
            require_sse()  # before anything is sent; a streamed response needs it only to parse()
        request = self._build_request(self._http, spec)
        attempt = 0
        while True:
            started = time.monotonic()
            outcome = await self._attempt(spec, request, attempt, started, streamed)
            response = outcome[0]
            try:
                delay, result = self._settle(
                    spec, request, attempt, started, outcome, raw, streamed
                )
            except TelnyxError:
                if response is not None:
                    await response.aclose()
                raise
            if delay is None:
                return result  # type: ignore[no-any-return]
            if response is not None:
                await response.aclose()
            await _async_sleep(delay)
            attempt += 1

    async def _attempt(
        self,
        spec: RequestSpec[object],
        request: httpx.Request,
        attempt: int,
        started: float,
        streamed: bool,
    ) -> _Outcome:
        """Send `request` once; its body is read in the deadline of the attempt."""
        response: httpx.Response | None = None
        deadline = DEADLINE.set(self._deadline_for(spec))
        try:
            response = await self._http.send(request, stream=True)
            if reads_body(spec, response, streamed):
                await aread_capped(response, self.max_response_bytes)
            return response, None
        except httpx.TransportError as exc:
            if response is not None:
                await response.aclose()
            return None, exc
        except httpx.TooManyRedirects:  # a caller's HTTP client that follows redirects
            log_attempt(request, None, attempt, started, "TooManyRedirects")
            raise _too_many_redirects(request) from None
        except RuntimeError:
            self._raise_if_closed()  # closed by another thread while this call was under way
            raise
        except httpx.DecodingError as exc:
            assert response is not None
            await response.aclose()
            log_attempt(request, response, attempt, started)
            raise undecodable(response, exc) from None
        except APIResponseValidationError:  # larger than max_response_bytes
            assert response is not None
            log_attempt(request, response, attempt, started)
            raise
        finally:
            DEADLINE.reset(deadline)
