"""What an attempt gets back: reading the body, and parsing it into the call's value.

A body is read whole up to ``max_response_bytes`` (counted after decompression: a 200 KB
gzip bomb inflates to 200 MB); a stream of events and a streamed response are read as
they come. A connection whose response did not end where it said (a 204 with a body,
more bytes than its Content-Length) is closed rather than reused: its next answer would
be out of step with its requests. The body is validated into the call's type, and a body
that is not what the spec says raises ``APIResponseValidationError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

import httpx

from . import _deadlines as deadlines
from ._exceptions import APIResponseValidationError
from ._request import RequestSpec
from ._streaming import ResponseView
from ._validation import first_error, validate_json

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RawResponse",
    "aread_capped",
    "is_event_stream",
    "parse",
    "read_capped",
    "reads_body",
    "undecodable",
]

T = TypeVar("T")

# The largest body read whole, counted after decompression (a 200 KB gzip bomb inflates to
# 200 MB); streams and streamed responses are read as they come and are not capped.
DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024


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


def is_event_stream(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("text/event-stream")


def reads_body(spec: RequestSpec[object], response: httpx.Response, streamed: bool) -> bool:
    """Whether the attempt reads the whole body before returning: not for a stream of
    events or a streamed response that succeeded (an error's body is always read), nor
    for events the call did not ask for (`parse` refuses them without waiting for all)."""
    if not response.is_success:
        return True
    unasked = (
        spec.response_kind == "json" and spec.stream_type is None and is_event_stream(response)
    )
    return not (streamed or spec.stream_type is not None or unasked)


def parse(spec: RequestSpec[object], response: httpx.Response, stream_class: Any) -> Any:
    """The value of a successful response: a `stream_class` of events (Stream or
    AsyncStream), None, text, bytes, or the body validated into `spec.cast_to`."""
    if spec.stream_type is not None:
        return stream_class(response, spec.stream_type)
    if spec.response_kind == "none":
        return None
    if spec.response_kind == "text":
        return response.text
    if spec.response_kind == "binary":
        return response.content
    if is_event_stream(response):
        raise APIResponseValidationError(
            response,
            None,
            f"{response.status_code}: the server answered with an event stream, "
            "which this SDK does not read for this call",
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
        first = "" if invalid_json else ": " + first_error(exc)
        raise APIResponseValidationError(
            response,
            response.text[:2000],
            f"{response.status_code}: the response body {problem}{first}",
        ) from None


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
        f"{response.status_code}: the response body is larger than {limit:,} bytes "
        "(the client's max_response_bytes); it was not read further",
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
    """``read_capped`` for a response of the async client."""
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
