"""Streams of server-sent events and streamed responses, against a real HTTP server on
127.0.0.1 that sends its events one by one (respx cannot show that an event arrives before
the body ends, nor that a connection goes back to the pool).

The server plays a script chosen by the `X-Script` header. Scripts that must prove an
event was delivered while the server still held the rest wait on a gate the test opens.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.servers import serving
from support.sse_server import (
    ANTHROPIC,
    MESSAGES,
    MODEL,
    Script,
    chunk,
)

import telnyx_ai
from telnyx_ai import AsyncStream, AsyncTelnyx, Stream, Telnyx
from telnyx_ai import types as models


@pytest.fixture
def server() -> Iterator[str]:
    Script.gate = threading.Event()
    Script.hits = []
    with serving(Script) as base:
        yield f"{base}/v2"
    Script.gate.set()


modes = pytest.mark.parametrize("mode", ["sync", "async"])


def script(name: str) -> dict[str, Any]:
    return {"extra_headers": {"X-Script": name}}


def chat(
    mode: str,
    base_url: str,
    body: dict[str, Any],
    *,
    until: int | None = None,
    on_first: Any = None,
    into: list[Any] | None = None,
    streams: list[Any] | None = None,
    **options: Any,
) -> list[Any]:
    """Stream a chat completion with a new client and collect its events (into `into`, which
    keeps those that came before an error; the stream into `streams`); `on_first` runs when
    the first event is in, `until` leaves the loop early after that many events."""
    events = into if into is not None else []
    streams = streams if streams is not None else []

    def take(events: list[Any], event: Any) -> bool:
        events.append(event)
        if len(events) == 1 and on_first is not None:
            on_first()
        return until is not None and len(events) >= until

    if mode == "sync":
        with Telnyx(api_key="k", base_url=base_url, **options) as client:
            stream = client.ai.chat.completions.create(
                messages=MESSAGES, model=MODEL, stream=True, **body
            )
            assert isinstance(stream, Stream)
            streams.append(stream)
            for event in stream:
                if take(events, event):
                    break
            return events

    async def go() -> list[Any]:
        async with AsyncTelnyx(api_key="k", base_url=base_url, **options) as client:
            stream = await client.ai.chat.completions.create(
                messages=MESSAGES, model=MODEL, stream=True, **body
            )
            assert isinstance(stream, AsyncStream)
            streams.append(stream)
            async for event in stream:
                if take(events, event):
                    break
            return events

    return asyncio.run(go())


@modes
def test_events_arrive_one_by_one_as_validated_chunks(mode: str, server: str) -> None:
    """The first chunk is delivered while the server still holds the rest (it waits for the
    gate, which only the first chunk opens); `[DONE]` ends the stream although the server
    keeps the connection open and would send more."""
    seen_before_release: list[bool] = []
    events = chat(
        mode,
        server,
        script("chunks"),
        on_first=lambda: (seen_before_release.append(not Script.gate.is_set()), Script.gate.set()),
    )
    assert seen_before_release == [True]
    assert all(isinstance(e, models.ChatCompletionChunk) for e in events)
    assert "".join(e.choices[0].delta.content or "" for e in events) == "Hi there"
    assert events[-1].choices[0].finish_reason == "stop"
    assert [hit["body"]["stream"] for hit in Script.hits] == [True]
    assert Script.hits[0]["accept"] == "text/event-stream"


@modes
def test_without_stream_the_answer_is_a_chat_completion_model(mode: str, server: str) -> None:
    if mode == "sync":
        with Telnyx(api_key="k", base_url=server) as client:
            completion = client.ai.chat.completions.create(messages=MESSAGES, model=MODEL)
    else:

        async def go() -> Any:
            async with AsyncTelnyx(api_key="k", base_url=server) as client:
                return await client.ai.chat.completions.create(
                    messages=MESSAGES, model=MODEL, stream=False
                )

        completion = asyncio.run(go())
    assert isinstance(completion, models.ChatCompletion)
    assert completion.choices[0].message.content == "Hi there" and completion.usage is not None
    assert completion.usage.total_tokens == 5
    assert Script.hits[0]["accept"] == "application/json"


@modes
def test_leaving_the_loop_early_gives_the_connection_back(mode: str, server: str) -> None:
    """With a pool of one connection, a stream left by `break` must not hold it: the next
    call gets it (a held connection makes the next call wait for the pool and time out)."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeout = httpx.Timeout(5.0, pool=1.0)
    if mode == "sync":
        with Telnyx(
            api_key="k",
            base_url=server,
            http_client=httpx.Client(limits=limits, timeout=timeout),
            max_retries=0,
        ) as client:
            for _round in range(3):
                stream = client.ai.chat.completions.create(
                    messages=MESSAGES, model=MODEL, stream=True, **script("endless")
                )
                for i, _event in enumerate(stream):
                    if i == 2:
                        break
                assert stream.response.is_closed  # at once, on `break`
            assert (
                client.ai.chat.completions.create(messages=MESSAGES, model=MODEL).id == "chatcmpl-1"
            )
            with client.ai.chat.completions.create(
                messages=MESSAGES, model=MODEL, stream=True, **script("endless")
            ) as stream:
                assert next(stream).id == "chatcmpl-1"  # leaving the `with` closes it
            assert stream.response.is_closed
            with pytest.raises(RuntimeError):
                for _event in client.ai.chat.completions.create(
                    messages=MESSAGES, model=MODEL, stream=True, **script("endless")
                ):
                    raise RuntimeError("the caller fails mid-stream")
            with client.ai.chat.completions.with_raw_response.create(
                messages=MESSAGES, model=MODEL, stream=True, **script("endless")
            ) as raw:
                assert raw.status_code == 200 and raw.elapsed is None
                assert next(iter(raw.parse())).id == "chatcmpl-1"
            assert (
                client.ai.chat.completions.create(messages=MESSAGES, model=MODEL).id == "chatcmpl-1"
            )
        return

    async def go() -> None:
        http = httpx.AsyncClient(limits=limits, timeout=timeout)
        async with AsyncTelnyx(
            api_key="k", base_url=server, http_client=http, max_retries=0
        ) as client:
            for _round in range(3):
                stream = await client.ai.chat.completions.create(
                    messages=MESSAGES, model=MODEL, stream=True, **script("endless")
                )
                i = 0
                async for _event in stream:
                    i += 1
                    if i == 3:
                        break
            assert (
                await client.ai.chat.completions.create(messages=MESSAGES, model=MODEL)
            ).id == "chatcmpl-1"
            async with await client.ai.chat.completions.create(
                messages=MESSAGES, model=MODEL, stream=True, **script("endless")
            ) as stream:
                assert (await stream.__anext__()).id == "chatcmpl-1"
            assert stream.response.is_closed  # at once, on leaving `async with`
            with pytest.raises(RuntimeError):
                async for _event in await client.ai.chat.completions.create(
                    messages=MESSAGES, model=MODEL, stream=True, **script("endless")
                ):
                    raise RuntimeError("the caller fails mid-stream")
            raw = await client.ai.chat.completions.with_raw_response.create(
                messages=MESSAGES, model=MODEL, stream=True, **script("endless")
            )
            assert raw.status_code == 200 and raw.elapsed is None
            await raw.aclose()
            assert (
                await client.ai.chat.completions.create(messages=MESSAGES, model=MODEL)
            ).id == "chatcmpl-1"
        await http.aclose()

    asyncio.run(go())


@modes
def test_a_stalled_stream_raises_a_timeout(mode: str, server: str) -> None:
    events: list[Any] = []
    streams: list[Any] = []
    with pytest.raises(telnyx_ai.APITimeoutError):
        chat(
            mode,
            server,
            script("stall"),
            timeout=httpx.Timeout(5.0, read=0.3),
            into=events,
            streams=streams,
        )
    assert [e.choices[0].delta.content for e in events] == ["Hi"]  # delivered before the stall
    assert len(Script.hits) == 1  # never retried once the stream has begun
    assert streams[0].response.is_closed


@modes
def test_a_connection_lost_mid_stream_raises_a_connection_error(mode: str, server: str) -> None:
    with pytest.raises(telnyx_ai.APIConnectionError) as info:
        chat(mode, server, script("dropped"))
    assert "while streaming" in str(info.value) and not isinstance(
        info.value, telnyx_ai.APITimeoutError
    )
    assert len(Script.hits) == 1


@modes
@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("error", "the model is overloaded"),
        ("errors", "model is not available"),
        ("bare_error", "an error event without data"),
    ],
)
def test_an_error_event_raises_a_typed_error_with_what_the_server_said(
    mode: str, server: str, name: str, said: str
) -> None:
    events: list[Any] = []
    streams: list[Any] = []
    with pytest.raises(telnyx_ai.APIStreamError) as info:
        chat(mode, server, script(name), into=events, streams=streams)
    assert str(info.value) == f"the stream failed: {said}"
    assert [e.choices[0].delta.content for e in events] == ["Hi"]
    assert streams[0].response.is_closed and len(Script.hits) == 1
    if name == "error":
        assert info.value.error_type == "overloaded_error"
        assert isinstance(info.value.body, dict) and info.value.body["error"]["code"] == 529
    if name == "errors":
        assert [e.code for e in info.value.errors] == ["10015"]


@modes
@pytest.mark.parametrize(
    ("name", "said", "body"),
    [
        ("invalid", "an event of the stream does not match the expected shape", "not a list"),
        (
            "not_a_stream",
            "expected an event stream, the server answered with application/json",
            "chatcmpl-1",
        ),
    ],
)
def test_an_answer_that_is_no_stream_of_chunks_raises_a_validation_error(
    mode: str, server: str, name: str, said: str, body: str
) -> None:
    """An event of the wrong shape, or a JSON answer to a stream request: the typed error
    with what the server sent."""
    with pytest.raises(telnyx_ai.APIResponseValidationError) as info:
        chat(mode, server, script(name))
    assert said in str(info.value) and body in str(info.value.body)


@modes
def test_events_the_call_did_not_ask_for_fail_without_waiting_for_the_end(
    mode: str, server: str
) -> None:
    """A call without `stream=True` answered with an event stream that goes on: the typed
    error comes while the server still holds the stream (reading it whole would wait)."""
    held: list[bool] = []

    async def call_async() -> None:
        async with AsyncTelnyx(api_key="k", base_url=server) as client:
            await client.ai.chat.completions.create(
                messages=MESSAGES, model=MODEL, **script("unasked")
            )

    with pytest.raises(
        telnyx_ai.APIResponseValidationError, match="the server answered with an event stream"
    ):
        try:
            if mode == "sync":
                with Telnyx(api_key="k", base_url=server) as client:
                    client.ai.chat.completions.create(
                        messages=MESSAGES, model=MODEL, **script("unasked")
                    )
            else:
                asyncio.run(call_async())
        finally:
            held.append(not Script.gate.is_set())
    assert held == [True]


@modes
def test_an_error_status_before_the_stream_is_retried(
    mode: str, server: str, sleeps: list[float]
) -> None:
    events = chat(mode, server, script("busy_then_stream"), on_first=Script.gate.set)
    assert len(events) == 3 and len(Script.hits) == 2
    assert (
        Script.hits[0]["key"] and Script.hits[0]["key"] == Script.hits[1]["key"]
    )  # the same idempotency key


@modes
def test_a_rejected_stream_request_is_the_usual_typed_error(mode: str, server: str) -> None:
    with pytest.raises(telnyx_ai.UnprocessableEntityError) as info:
        chat(mode, server, script("rejected"))
    assert info.value.status_code == 422 and [str(e) for e in info.value.errors] == [
        "model: unknown model"
    ]
    assert len(Script.hits) == 1  # a 422 is not retried


@modes
def test_anthropic_events_are_typed_by_their_type(mode: str, server: str) -> None:
    def collect(name: str) -> list[Any]:
        if mode == "sync":
            with Telnyx(api_key="k", base_url=server) as client:
                with client.ai.anthropic.v1.messages(
                    max_tokens=64, messages=MESSAGES, model="m", stream=True, **script(name)
                ) as stream:
                    return list(stream)

        async def go() -> list[Any]:
            async with AsyncTelnyx(api_key="k", base_url=server) as client:
                stream = await client.ai.anthropic.v1.messages(
                    max_tokens=64, messages=MESSAGES, model="m", stream=True, **script(name)
                )
                return [event async for event in stream]

        return asyncio.run(go())

    events = collect("anthropic")
    assert [type(e).__name__ for e in events] == [
        "AnthropicMessageStartEvent", "AnthropicContentBlockStartEvent", "AnthropicPingEvent",
        "AnthropicContentBlockDeltaEvent", "AnthropicContentBlockDeltaEvent",
        "AnthropicContentBlockStopEvent", "AnthropicMessageDeltaEvent", "AnthropicMessageStopEvent",
    ]  # fmt: skip
    assert (
        "".join(
            e.delta.text for e in events if isinstance(e, models.AnthropicContentBlockDeltaEvent)
        )
        == "Hi there"
    )
    with pytest.raises(telnyx_ai.APIStreamError) as info:
        collect("anthropic_error")
    assert info.value.event == "error" and info.value.error_type == "overloaded_error"
    assert "Overloaded" in str(info.value)


@modes
def test_a_stalled_streamed_response_raises_a_timeout(mode: str, server: str) -> None:
    timeout = httpx.Timeout(5.0, read=0.3)
    with pytest.raises(telnyx_ai.APITimeoutError):
        if mode == "sync":
            with Telnyx(api_key="k", base_url=server, timeout=timeout) as client:
                with client.ai.chat.completions.with_streaming_response.create(
                    messages=MESSAGES, model=MODEL, stream=True, **script("stall")
                ) as response:
                    list(response.iter_lines())
        else:

            async def go() -> None:
                async with AsyncTelnyx(api_key="k", base_url=server, timeout=timeout) as client:
                    async with client.ai.chat.completions.with_streaming_response.create(
                        messages=MESSAGES, model=MODEL, stream=True, **script("stall")
                    ) as response:
                        [line async for line in response.iter_lines()]

            asyncio.run(go())


@modes
def test_streamed_response_is_read_as_it_arrives(mode: str, server: str) -> None:
    """`with_streaming_response`: the first bytes of a download arrive while the server
    still holds the rest; `parse()` of a JSON call gives the model."""
    if mode == "sync":
        with Telnyx(api_key="k", base_url=server) as client:
            with client.ai.clusters.with_streaming_response.fetch_graph("task-1") as response:
                assert response.status_code == 200
                pieces = response.iter_bytes()
                first = next(pieces)
                held = not Script.gate.is_set()
                Script.gate.set()
                size = len(first) + sum(len(piece) for piece in pieces)
            with client.ai.chat.completions.with_streaming_response.create(
                messages=MESSAGES, model=MODEL
            ) as response:
                completion = response.parse()
            with client.ai.chat.completions.with_streaming_response.create(
                messages=MESSAGES, model=MODEL, stream=True, **script("anthropic")
            ) as response:
                lines = [line for line in response.iter_lines() if line]
    else:

        async def go() -> tuple[bytes, bool, int, Any, list[str]]:
            async with AsyncTelnyx(api_key="k", base_url=server) as client:
                async with client.ai.clusters.with_streaming_response.fetch_graph(
                    "task-1"
                ) as response:
                    pieces = response.iter_bytes()
                    first = await pieces.__anext__()
                    held = not Script.gate.is_set()
                    Script.gate.set()
                    size = len(first) + sum([len(piece) async for piece in pieces])
                async with client.ai.chat.completions.with_streaming_response.create(
                    messages=MESSAGES, model=MODEL
                ) as response:
                    completion = await response.parse()
                async with client.ai.chat.completions.with_streaming_response.create(
                    messages=MESSAGES, model=MODEL, stream=True, **script("anthropic")
                ) as response:
                    lines = [line async for line in response.iter_lines() if line]
                return first, held, size, completion, lines

        first, held, size, completion, lines = asyncio.run(go())
    assert held and 0 < len(first) < 131072 and size == 131072
    assert isinstance(completion, models.ChatCompletion)
    assert lines[0] == "event: message_start" and len(lines) == 2 * len(ANTHROPIC)


@modes
def test_a_mocked_transport_streams_and_a_closed_stream_ends(mode: str) -> None:
    """Users test with httpx's MockTransport (or respx), whose responses hold their whole
    body: the events come all the same; walking a stream after close() gives nothing more."""
    body = "".join(f"data: {json.dumps(chunk(i, 'x'))}\n\n" for i in range(3)) + "data: [DONE]\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=body.encode(), headers={"content-type": "text/event-stream"}
        )

    if mode == "sync":
        with Telnyx(
            api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler))
        ) as client:
            assert (
                len(
                    list(
                        client.ai.chat.completions.create(
                            messages=MESSAGES, model=MODEL, stream=True
                        )
                    )
                )
                == 3
            )
            stream = client.ai.chat.completions.create(messages=MESSAGES, model=MODEL, stream=True)
            stream.close()
            assert list(stream) == []
        return

    async def go() -> tuple[int, list[Any]]:
        async with AsyncTelnyx(
            api_key="k", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
        ) as client:
            count = len(
                [
                    c
                    async for c in await client.ai.chat.completions.create(
                        messages=MESSAGES, model=MODEL, stream=True
                    )
                ]
            )
            stream = await client.ai.chat.completions.create(
                messages=MESSAGES, model=MODEL, stream=True
            )
            await stream.close()
            return count, [c async for c in stream]

    assert asyncio.run(go()) == (3, [])


@modes
def test_the_attempt_deadline_ends_at_the_headers_of_a_stream(mode: str, server: str) -> None:
    """A stream may last longer than the attempt's deadline (here 0.3 s, from `timeout`):
    it ends with the headers; then each event only has to come within the read timeout."""
    events = chat(mode, server, script("slow"), timeout=0.3, max_retries=0)
    assert len(events) == 8
