"""Streams of server-sent events, and responses read as they arrive.

A call made with ``stream=True`` returns a ``Stream`` (``AsyncStream`` on the async client):
an iterator of validated events and a context manager. The events are parsed by httpx-sse,
the ``streaming`` extra of this package. The connection goes back to the pool when the
stream ends, when its ``with`` block ends and when a loop over it is left early
(``break``, an exception): at once for a ``Stream``; for an ``AsyncStream`` when the event
loop finalises the loop's generator, soon after, or at once in ``async with``.

``with_streaming_response.<method>(...)`` gives the response before its body is read, to
walk with ``iter_bytes()`` or ``iter_lines()`` (a large download, say) or to ``parse()``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Iterator
from types import TracebackType
from typing import Any, Callable, Generic, TypeVar

import httpx

from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStreamError,
    APITimeoutError,
    missing_extra,
)

__all__ = ["Stream", "AsyncStream", "StreamedResponse", "AsyncStreamedResponse"]

T = TypeVar("T")
R = TypeVar("R")

DONE = "[DONE]"  # the data of the event that ends an OpenAI-format stream
EXTRA = "streaming"


def require_sse() -> None:
    """Raise before anything is sent when the SSE parser is not installed."""
    try:
        import httpx_sse  # noqa: F401
    except ImportError:
        raise missing_extra("streaming", "httpx-sse", EXTRA) from None


def _decoder(event_type: Any, response: httpx.Response) -> Callable[[str, str], Any]:
    """What turns one event's name and data into its validated value: once per stream, so
    that each event costs a JSON validation and little more. An error event raises
    APIStreamError."""
    import pydantic

    from ._validation import adapter, first_error

    validate: Callable[[str], Any]
    if isinstance(event_type, type) and issubclass(event_type, pydantic.BaseModel):
        # the model's own validator (built on this first use), without the wrapping of
        # model_validate_json
        validate = event_type.__pydantic_validator__.validate_json
    else:
        validate = adapter(event_type).validate_json

    def decode(event: str, data: str) -> Any:
        if event == "error" or '"error' in data:  # `"error"`, or Telnyx's own `"errors"`
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = data
            if event == "error" or _carries_error(parsed):
                raise APIStreamError(response, event or "message", parsed)
        try:
            return validate(data)
        except pydantic.ValidationError as exc:
            invalid_json = any(e.get("type") == "json_invalid" for e in exc.errors())
            problem = (
                "is not valid JSON"
                if invalid_json
                else "does not match the expected shape: " + first_error(exc)
            )
            raise APIResponseValidationError(
                response, data[:2000], f"an event of the stream {problem}"
            ) from None

    return decode


def _carries_error(data: object) -> bool:
    """An event's data that reports a failure: `{"error": {...}}` (OpenAI and Anthropic) or
    a non-empty `{"errors": [...]}` (Telnyx)."""
    if not isinstance(data, dict):
        return False
    return data.get("error") is not None or bool(data.get("errors"))


@contextlib.contextmanager
def _failures(response: httpx.Response) -> Iterator[None]:
    """httpx's errors while a body is read as it arrives, as this package's typed errors."""
    try:
        yield
    except httpx.TimeoutException:
        raise APITimeoutError(response.request) from None
    except httpx.TransportError as exc:
        raise APIConnectionError(
            response.request, f"Connection error while streaming: {type(exc).__name__}"
        ) from None
    except httpx.DecodingError as exc:
        raise APIResponseValidationError(
            response, None, f"the stream could not be decoded: {exc}"
        ) from None


def _not_a_stream(response: httpx.Response, body: bytes) -> APIResponseValidationError:
    kind = response.headers.get("content-type", "") or "no content type"
    text = body.decode("utf-8", "replace")
    return APIResponseValidationError(
        response,
        text[:2000],
        f"{response.status_code}: expected an event stream, the server answered with {kind}",
    )


class Stream(Generic[T]):
    """The events of a streaming call, each validated as it arrives.

    Iterate it (``for event in stream``), or call ``next(stream)``; use it in ``with`` or
    call ``close()``. Leaving a loop over it early closes it.
    """

    def __init__(self, response: httpx.Response, event_type: Any) -> None:
        require_sse()
        self.response = response
        self._event_type = event_type
        self._source: Iterator[T] | None = None
        self._iterator: Iterator[T] | None = None
        self._closed = False

    def _events(self) -> Iterator[T]:
        from httpx_sse import EventSource, SSEError

        decode = _decoder(self._event_type, self.response)
        with _failures(self.response):  # SSEError is an httpx.TransportError: caught first
            try:
                for sse in EventSource(self.response).iter_sse():
                    data = sse.data
                    if data == DONE:
                        return
                    if data or sse.event == "error":
                        yield decode(sse.event, data)
            except httpx.StreamClosed:
                return  # closed before or while it was walked: no more events
            except SSEError:
                raise _not_a_stream(self.response, self.response.read()) from None

    def _walk(self) -> Iterator[T]:
        if self._closed:
            return  # closed: no more events, whatever the response still holds
        if self._source is None:
            self._source = self._events()
        try:
            yield from self._source
        finally:
            self.close()

    def __iter__(self) -> Iterator[T]:
        # A new generator per loop, held by the loop alone: when the loop is left early the
        # generator is finalised at once, and closes the response.
        return self._walk()

    def __next__(self) -> T:
        if self._iterator is None:
            self._iterator = self._walk()
        return next(self._iterator)

    def close(self) -> None:
        """Close the response; its connection goes back to the pool."""
        self._closed = True
        self.response.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(Generic[T]):
    """The events of a streaming call on the async client: ``async for event in stream``,
    in ``async with`` (which closes it at once when the block is left) or with
    ``await stream.close()``."""

    def __init__(self, response: httpx.Response, event_type: Any) -> None:
        require_sse()
        self.response = response
        self._event_type = event_type
        self._source: AsyncGenerator[T, None] | None = None
        self._iterator: AsyncIterator[T] | None = None
        self._closed = False

    async def _events(self) -> AsyncGenerator[T, None]:
        from httpx_sse import EventSource, SSEError

        decode = _decoder(self._event_type, self.response)
        with _failures(self.response):  # SSEError is an httpx.TransportError: caught first
            try:
                async for sse in EventSource(self.response).aiter_sse():
                    data = sse.data
                    if data == DONE:
                        return
                    if data or sse.event == "error":
                        yield decode(sse.event, data)
            except httpx.StreamClosed:
                return
            except SSEError:
                raise _not_a_stream(self.response, await self.response.aread()) from None

    async def _walk(self) -> AsyncIterator[T]:
        if self._closed:
            return
        if self._source is None:
            self._source = self._events()
        source = self._source
        try:
            async for event in source:
                yield event
        finally:
            await source.aclose()
            await self.close()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._walk()

    async def __anext__(self) -> T:
        if self._iterator is None:
            self._iterator = self._walk()
        return await self._iterator.__anext__()

    async def close(self) -> None:
        self._closed = True
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class ResponseView:
    """What every wrapper of an HTTP response says of it."""

    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def http_request(self) -> httpx.Request:
        return self.http_response.request


class _Unread(ResponseView, Generic[R]):
    """What both kinds of streamed response share: the response, its body not read yet."""

    def __init__(
        self,
        http_response: httpx.Response,
        retries_taken: int,
        parse: Callable[[], R],
        read_first: bool,
    ) -> None:
        self.http_response = http_response
        self.retries_taken = retries_taken
        self._parse = parse
        self._read_first = read_first  # False when the value is itself a stream

    def then(self, make: Callable[[R], Any]) -> Any:
        """The same response, parsed into ``make(value)`` (a page around the body, say)."""
        parse: Callable[[], Any] = self._parse
        return type(self)(
            self.http_response, self.retries_taken, lambda: make(parse()), self._read_first
        )


class StreamedResponse(_Unread[R]):
    """A response whose body is read as the caller walks it; close it with ``with``."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body, decoded (gzip and the like), in pieces as they arrive."""
        with _failures(self.http_response):
            yield from self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        with _failures(self.http_response):
            yield from self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        with _failures(self.http_response):
            yield from self.http_response.iter_lines()

    def read(self) -> bytes:
        with _failures(self.http_response):
            return self.http_response.read()

    def parse(self) -> R:
        """The validated value, as the method returns it (reading the rest of the body)."""
        if self._read_first:
            self.read()
        return self._parse()

    def close(self) -> None:
        self.http_response.close()


class AsyncStreamedResponse(_Unread[R]):
    """A response of the async client whose body is read as the caller walks it."""

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        with _failures(self.http_response):
            async for piece in self.http_response.aiter_bytes(chunk_size):
                yield piece

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        with _failures(self.http_response):
            async for piece in self.http_response.aiter_text(chunk_size):
                yield piece

    async def iter_lines(self) -> AsyncIterator[str]:
        with _failures(self.http_response):
            async for line in self.http_response.aiter_lines():
                yield line

    async def read(self) -> bytes:
        with _failures(self.http_response):
            return await self.http_response.aread()

    async def parse(self) -> R:
        if self._read_first:
            await self.read()
        return self._parse()

    async def close(self) -> None:
        await self.http_response.aclose()


class StreamedResponseManager(Generic[R]):
    """``with``: makes the call on entry and closes the response on exit."""

    def __init__(self, call: Callable[[], StreamedResponse[R]]) -> None:
        self._call = call
        self._response: StreamedResponse[R] | None = None

    def __enter__(self) -> StreamedResponse[R]:
        self._response = self._call()
        return self._response

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            self._response.close()


class AsyncStreamedResponseManager(Generic[R]):
    """``async with``: makes the call on entry and closes the response on exit."""

    def __init__(self, call: Callable[[], Awaitable[AsyncStreamedResponse[R]]]) -> None:
        self._call = call
        self._response: AsyncStreamedResponse[R] | None = None

    async def __aenter__(self) -> AsyncStreamedResponse[R]:
        self._response = await self._call()
        return self._response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            await self._response.close()
