"""The runtime's response handling (`telnyx_ai._response`, `_validation`), function by
function: which bodies are read whole, the cap on them, and what a body parses into."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from telnyx_ai._exceptions import APIResponseValidationError
from telnyx_ai._request import RequestSpec
from telnyx_ai._response import (
    RawResponse,
    aread_capped,
    is_event_stream,
    parse,
    read_capped,
    reads_body,
    undecodable,
)
from telnyx_ai._streaming import Stream
from telnyx_ai._validation import first_error, validate_json
from telnyx_ai.types import Assistant

ASSISTANT = (
    b'{"id": "a1", "name": "Bot", "model": "m", "instructions": "i",'
    b' "created_at": "2024-01-01T00:00:00Z"}'
)
REQUEST = httpx.Request("GET", "https://x.test/a")


def respond(status: int = 200, content: bytes = b"", **headers: str) -> httpx.Response:
    return httpx.Response(status, content=content, headers=headers, request=REQUEST)


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives in pieces, and says how many it was asked for."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks, self.sent = chunks, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk


def streamed(stream: Chunks, **headers: str) -> httpx.Response:
    return httpx.Response(200, stream=stream, headers=headers, request=REQUEST)


# -- which bodies are read -------------------------------------------------------------
JSON: RequestSpec[object] = RequestSpec("get", "/a", cast_to=Assistant)
EVENTS: RequestSpec[object] = RequestSpec("post", "/c", stream_type=dict)
SSE = {"content-type": "text/event-stream; charset=utf-8"}


def test_a_body_is_read_whole_unless_it_streams_and_succeeded() -> None:
    assert reads_body(JSON, respond(), streamed=False)
    assert not reads_body(JSON, respond(), streamed=True)
    assert not reads_body(EVENTS, respond(**SSE), streamed=False)
    assert reads_body(EVENTS, respond(500, **SSE), streamed=False)  # an error is read whole
    # events a JSON call did not ask for are not waited for: parse() refuses them
    assert not reads_body(JSON, respond(**SSE), streamed=False)
    assert is_event_stream(respond(**SSE)) and not is_event_stream(respond())


def test_a_body_is_read_up_to_its_cap() -> None:
    response = streamed(Chunks(b"ab", b"cd"))
    read_capped(response, 4)
    assert response.content == b"abcd"
    larger = Chunks(b"ab", b"cd", b"e", b"never asked for")
    response = streamed(larger)
    with pytest.raises(APIResponseValidationError, match="larger than 4 bytes"):
        read_capped(response, 4)
    assert larger.sent == 3 and response.is_closed


def test_the_cap_counts_the_decoded_bytes() -> None:
    bomb = gzip.compress(b"0" * 10_000)
    response = streamed(Chunks(bomb), **{"content-encoding": "gzip"})
    with pytest.raises(APIResponseValidationError, match="larger than 1,000 bytes"):
        read_capped(response, 1_000)


def test_the_async_read_has_the_same_cap() -> None:
    async def run() -> None:
        response = streamed(Chunks(b"ab", b"cd"))
        await aread_capped(response, 4)
        assert response.content == b"abcd"
        with pytest.raises(APIResponseValidationError):
            await aread_capped(streamed(Chunks(b"abc", b"de")), 4)

    asyncio.run(run())


# -- what a body parses into -----------------------------------------------------------
def test_a_body_parses_into_what_the_call_answers() -> None:
    assert parse(JSON, respond(content=ASSISTANT), Stream) == Assistant.model_validate_json(
        ASSISTANT
    )
    assert (
        parse(RequestSpec("get", "/t", response_kind="text"), respond(content=b"hi"), Stream)
        == "hi"
    )
    assert (
        parse(RequestSpec("get", "/b", response_kind="binary"), respond(content=b"\0"), Stream)
        == b"\0"
    )
    assert parse(RequestSpec("delete", "/d", response_kind="none"), respond(204), Stream) is None
    stream = parse(EVENTS, respond(**SSE), Stream)
    assert isinstance(stream, Stream)


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b"", {}, "200: the response body is empty, expected JSON"),
        (b" \n", {}, "200: the response body is empty, expected JSON"),
        (b"{nope", {}, "200: the response body is not valid JSON"),
        (b'{"id": "a"}', {}, "200: the response body does not match the expected shape: "),
        (b"data: {}\n\n", SSE, "200: the server answered with an event stream"),
    ],
)
def test_a_body_that_is_not_what_the_spec_says_is_a_typed_error(
    content: bytes, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(APIResponseValidationError) as raised:
        parse(JSON, respond(content=content, **headers), Stream)
    assert str(raised.value).startswith(message)
    if "shape" in message:  # the first problem, said where it is, and how many more
        assert str(raised.value).endswith(": Field required (and 3 more)")


def test_an_undecodable_body_is_a_typed_error() -> None:
    error = undecodable(respond(), httpx.DecodingError("bad gzip"))
    assert isinstance(error, APIResponseValidationError)
    assert str(error) == "200: the response body could not be decoded: bad gzip"


def test_validation_leaves_the_collector_as_it_was() -> None:
    import gc

    class Watched(int):
        """An int whose validation records whether the collector is on meanwhile."""

        seen: list[bool] = []

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
            from pydantic_core import core_schema

            return core_schema.no_info_after_validator_function(
                lambda v: cls.seen.append(gc.isenabled()) or v, handler(int)
            )

    assert gc.isenabled()
    assert validate_json(dict[str, Watched], b'{"a": 1}') == {"a": 1}
    assert Watched.seen == [False]  # paused while the body was validated
    assert gc.isenabled()
    gc.disable()
    try:
        validate_json(dict[str, int], b'{"a": 1}')
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_first_validation_error_says_where_and_how_many_more() -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError) as raised:
        validate_json(list[int], b'["a", "b", 3]')
    assert first_error(raised.value) == (
        "0: Input should be a valid integer, unable to parse string as an integer (and 1 more)"
    )


# -- raw responses ---------------------------------------------------------------------
def test_a_raw_response_parses_when_asked_and_then_wraps_the_value() -> None:
    calls: list[int] = []

    def value() -> int:
        calls.append(1)
        return 41

    raw: RawResponse[int] = RawResponse(respond(content=b"41"), 2, value)
    assert calls == [] and raw.retries_taken == 2 and raw.content == b"41"
    wrapped: Any = raw.then(lambda number: number + 1)
    assert isinstance(wrapped, RawResponse) and wrapped.parse() == 42
    unread: RawResponse[int] = RawResponse(streamed(Chunks(b"x")), 0, value)
    assert unread.elapsed is None  # a stream not walked yet
