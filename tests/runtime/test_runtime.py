"""The generated SDK's runtime, through the sync and the async client alike.

Each behaviour of the runtime issue has a test here that fails without it: client
configuration, request encoding, response validation and tolerance, typed errors,
retries with idempotency keys, pagination, raw responses, logging and secrecy.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

import telnyx_ai
from telnyx_ai import AsyncTelnyx, Telnyx
from telnyx_ai.types import Assistant

BASE = "https://api.telnyx.com/v2"
KEY = "KEY-secret-1234567890"

ASSISTANT = {
    "id": "a1",
    "name": "Bot",
    "model": "m",
    "instructions": "Be nice",
    "created_at": "2024-01-01T00:00:00Z",
}


def make(mode: str, **options: Any) -> Telnyx | AsyncTelnyx:
    options.setdefault("api_key", KEY)
    return Telnyx(**options) if mode == "sync" else AsyncTelnyx(**options)


def call(mode: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a client method and return its value, awaiting it for the async client."""
    result = fn(*args, **kwargs)
    if mode == "async":

        async def run() -> Any:
            return await result

        return asyncio.run(run())
    return result


modes = pytest.mark.parametrize("mode", ["sync", "async"])


# -- client ----------------------------------------------------------------------------
def test_api_key_from_environment_and_clear_error_without(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "from-env")
    assert Telnyx().api_key == "from-env"
    monkeypatch.delenv("TELNYX_API_KEY")
    with pytest.raises(telnyx_ai.TelnyxError, match="TELNYX_API_KEY"):
        Telnyx()
    with pytest.raises(telnyx_ai.TelnyxError, match="TELNYX_API_KEY"):
        AsyncTelnyx()


@modes
def test_base_url_from_argument_environment_or_spec(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert str(make(mode).base_url) == BASE + "/"
    monkeypatch.setenv("TELNYX_BASE_URL", "http://localhost:4010/v9")
    assert str(make(mode).base_url) == "http://localhost:4010/v9/"
    assert str(make(mode, base_url="http://x.test/api").base_url) == "http://x.test/api/"


@modes
def test_auth_and_user_agent_headers(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").respond(200, json=ASSISTANT)
        client = make(mode)
        call(mode, client.ai.assistants.retrieve, "a1")
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"] == f"telnyx-ai-python/{telnyx_ai.__version__}"


def test_key_is_never_in_repr() -> None:
    client = Telnyx(api_key=KEY)
    assert KEY not in repr(client)
    assert KEY not in repr(client.ai.assistants)


@modes
def test_with_options_shares_the_pool_and_changes_only_what_is_asked(mode: str) -> None:
    client = make(mode, max_retries=5)
    other = client.with_options(timeout=3.0)
    assert other._pool is client._pool and not other._owns_http
    assert other.max_retries == 5 and other.timeout == 3.0 and client.timeout != 3.0


def test_context_managers_close_the_pool() -> None:
    with Telnyx(api_key=KEY) as client:
        http = client._http
    assert http.is_closed

    async def run() -> httpx.AsyncClient:
        async with AsyncTelnyx(api_key=KEY) as client:
            return client._http

    assert asyncio.run(run()).is_closed


@modes
def test_per_call_extra_headers_query_body_and_timeout(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/assistants").respond(200, json=ASSISTANT)
        client = make(mode)
        call(
            mode,
            client.ai.assistants.create,
            name="n",
            instructions="i",
            model="m",
            extra_headers={"X-Trace": "t1"},
            extra_query={"debug": True},
            extra_body={"experimental": 1},
            timeout=1.5,
        )
    request = route.calls.last.request
    assert request.headers["X-Trace"] == "t1"
    assert request.url.params["debug"] == "true"
    assert json.loads(request.content) == {
        "name": "n",
        "instructions": "i",
        "model": "m",
        "experimental": 1,
    }
    assert request.extensions["timeout"]["read"] == 1.5


# -- requests ----------------------------------------------------------------------------
@modes
def test_omitted_arguments_are_not_sent_and_none_is_null(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/mcp_servers").respond(
            200,
            json={
                "id": "m1",
                "name": "n",
                "type": "t",
                "url": "u",
                "created_at": "2024-01-01T00:00:00Z",
            },
        )
        client = make(mode)
        call(mode, client.ai.mcp_servers.create, name="n", type="t", url="u", api_key_ref=None)
    assert json.loads(route.calls.last.request.content) == {
        "name": "n",
        "type": "t",
        "url": "u",
        "api_key_ref": None,
    }


@modes
def test_deep_object_and_literal_bracket_query_names(mode: str) -> None:
    page = {
        "data": [],
        "meta": {"page_number": 2, "page_size": 5, "total_pages": 2, "total_results": 5},
    }
    with respx.mock(base_url=BASE) as mock:
        tests = mock.get("/ai/assistants/tests").respond(200, json=page)
        servers = mock.get("/ai/mcp_servers").respond(200, json=[])
        client = make(mode)
        call(
            mode,
            client.ai.assistants.tests.list,
            page_number=2,
            page_size=5,
            destination="+13125550001",
        )
        call(mode, client.ai.mcp_servers.list, page_size=10)
    assert tests.calls.last.request.url.params.multi_items() == [
        ("destination", "+13125550001"),
        ("page[number]", "2"),
        ("page[size]", "5"),
    ]
    assert servers.calls.last.request.url.params.multi_items() == [("page[size]", "10")]


@modes
def test_booleans_in_query_are_lowercase(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").respond(200, json=ASSISTANT)
        client = make(mode)
        call(mode, client.ai.assistants.retrieve, "a1", fetch_dynamic_variables_from_webhook=True)
    assert route.calls.last.request.url.params["fetch_dynamic_variables_from_webhook"] == "true"


@modes
@pytest.mark.parametrize(
    ("hostile", "segment"),
    # `.` and `..` themselves are refused (tests/faults/test_faults.py): proxies read even
    # %2E as a dot segment
    [
        ("a/b", "a%2Fb"),
        ("x?y=1", "x%3Fy%3D1"),
        ("frag#x", "frag%23x"),
        ("../../x", "..%2F..%2Fx"),
        ("...", "..."),
    ],
)
def test_path_parameters_stay_in_their_segment(mode: str, hostile: str, segment: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get(url__regex=r"https://api\.telnyx\.com/v2/ai/assistants/[^/?#]+$").respond(
            200, json=ASSISTANT
        )
        client = make(mode)
        call(mode, client.ai.assistants.retrieve, hostile)
    raw_path = route.calls.last.request.url.raw_path.decode()
    assert raw_path == "/v2/ai/assistants/" + segment


@modes
def test_empty_path_parameter_is_refused_before_any_request(mode: str) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.get(url__regex=".*").respond(200, json=ASSISTANT)
        client = make(mode)
        with pytest.raises(ValueError, match="assistant_id"):
            call(mode, client.ai.assistants.retrieve, "")
    assert not route.called


@modes
def test_models_and_dicts_are_both_accepted_in_bodies(mode: str) -> None:
    from telnyx_ai.types import HangupTool

    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/assistants").respond(200, json=ASSISTANT)
        client = make(mode)
        call(
            mode,
            client.ai.assistants.create,
            name="n",
            instructions="i",
            model="m",
            tools=[
                HangupTool.model_validate({"type": "hangup", "hangup": {}}),
                {"type": "hangup", "hangup": {"description": "bye"}},
            ],
        )
    sent = json.loads(route.calls.last.request.content)["tools"]
    assert sent == [
        {"type": "hangup", "hangup": {}},
        {"type": "hangup", "hangup": {"description": "bye"}},
    ]


@modes
def test_invalid_body_is_rejected_before_sending(mode: str) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.post("/ai/assistants").respond(200, json=ASSISTANT)
        client = make(mode)
        with pytest.raises(telnyx_ai.ArgumentError, match="tools.0"):
            call(
                mode,
                client.ai.assistants.create,
                name="n",
                instructions="i",
                model="m",
                tools=[{"type": "no_such_tool"}],
            )
    assert not route.called


# -- responses --------------------------------------------------------------------------
@modes
def test_response_is_validated_and_keeps_unknown_fields_and_enum_values(mode: str) -> None:
    body = {
        **ASSISTANT,
        "brand_new_field": {"x": 1},
        "enabled_features": ["telephony", "holograms"],
    }
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").respond(200, json=body)
        assistant = call(mode, make(mode).ai.assistants.retrieve, "a1")
    assert isinstance(assistant, Assistant)
    assert assistant.model_extra == {"brand_new_field": {"x": 1}}
    assert [str(f) for f in assistant.enabled_features] == ["telephony", "holograms"]


@modes
def test_response_of_the_wrong_shape_raises_a_validation_error(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").respond(200, json={"id": 5})
        with pytest.raises(telnyx_ai.APIResponseValidationError, match="does not match"):
            call(mode, make(mode).ai.assistants.retrieve, "a1")


@modes
@pytest.mark.parametrize("content", [b"{not json", b"<html>oops</html>", b""])
def test_malformed_success_bodies(mode: str, content: bytes) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").respond(200, content=content)
        with pytest.raises(telnyx_ai.APIResponseValidationError) as info:
            call(mode, make(mode).ai.assistants.retrieve, "a1")
    assert info.value.status_code == 200


@modes
def test_text_and_no_content_responses(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1/texml").respond(
            200, text="<Response/>", headers={"content-type": "application/xml"}
        )
        mock.delete("/ai/assistants/a1/versions/v1").respond(204)
        mock.delete("/ai/mcp_servers/m1").respond(200)
        client = make(mode)
        assert call(mode, client.ai.assistants.get_texml, "a1") == "<Response/>"
        assert call(mode, client.ai.assistants.versions.delete, "v1", assistant_id="a1") is None
        assert call(mode, client.ai.mcp_servers.delete, "m1") is None


@modes
def test_raw_response(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(200, json=ASSISTANT, headers={"x-request-id": "r1"}),
            ]
        )
        raw = call(mode, make(mode).ai.assistants.with_raw_response.retrieve, "a1")
    assert raw.status_code == 200 and raw.headers["x-request-id"] == "r1"
    assert raw.retries_taken == 1
    assert raw.http_request.url.path == "/v2/ai/assistants/a1"
    assert raw.elapsed >= 0
    assert isinstance(raw.parse(), Assistant)


def test_every_resource_has_raw_response_twins() -> None:
    client = Telnyx(api_key=KEY)
    resources = [
        client.ai.assistants,
        client.ai.assistants.tests.test_suites.runs,
        client.ai.mcp_servers,
    ]
    for resource in resources:
        methods = [
            n
            for n, v in inspect.getmembers(type(resource))
            if inspect.isfunction(v) and not n.startswith("_")
        ]
        assert methods
        for name in methods:
            assert callable(getattr(resource.with_raw_response, name))


# -- errors -----------------------------------------------------------------------------
ERRORS = [
    (400, telnyx_ai.BadRequestError),
    (401, telnyx_ai.AuthenticationError),
    (403, telnyx_ai.PermissionDeniedError),
    (404, telnyx_ai.NotFoundError),
    (409, telnyx_ai.ConflictError),
    (422, telnyx_ai.UnprocessableEntityError),
    (429, telnyx_ai.RateLimitError),
    (500, telnyx_ai.InternalServerError),
    (503, telnyx_ai.InternalServerError),
]


@modes
@pytest.mark.parametrize(("status", "error"), ERRORS)
def test_status_errors_are_typed_and_carry_what_the_server_said(
    mode: str, status: int, error: type[Exception]
) -> None:
    body = {
        "errors": [
            {
                "code": "10005",
                "title": "Resource not found",
                "detail": "No such assistant",
                "source": {"pointer": "/assistant_id"},
            }
        ]
    }
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").respond(status, json=body, headers={"x-request-id": "req-9"})
        with pytest.raises(error) as info:
            call(mode, make(mode, max_retries=0).ai.assistants.retrieve, "a1")
    exc = info.value
    assert isinstance(exc, telnyx_ai.APIStatusError)
    assert exc.status_code == status and exc.request_id == "req-9" and exc.body == body
    assert exc.errors[0].code == "10005" and exc.errors[0].field == "assistant_id"
    assert str(exc).startswith(f"{status} ") and "assistant_id: No such assistant" in str(exc)
    assert KEY not in str(exc) and KEY not in repr(exc)


@modes
def test_fastapi_validation_errors_read_as_one_line(mode: str) -> None:
    body = {"detail": [{"loc": ["body", "name"], "msg": "field required", "type": "missing"}]}
    with respx.mock(base_url=BASE) as mock:
        mock.post("/ai/assistants").respond(422, json=body)
        with pytest.raises(telnyx_ai.UnprocessableEntityError) as info:
            call(mode, make(mode).ai.assistants.create, name="n", instructions="i", model="m")
    assert str(info.value) == "422 Unprocessable Entity: name: field required"
    assert info.value.errors[0].loc == ("body", "name") and info.value.errors[0].type == "missing"


@modes
def test_redirect_is_not_followed_silently(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").respond(302, headers={"location": "https://elsewhere.test/"})
        with pytest.raises(telnyx_ai.APIStatusError) as info:
            call(mode, make(mode).ai.assistants.retrieve, "a1")
    assert info.value.status_code == 302


# -- retries ----------------------------------------------------------------------------
@modes
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried_with_backoff(
    mode: str, status: int, sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").mock(
            side_effect=[
                httpx.Response(status),
                httpx.Response(status),
                httpx.Response(200, json=ASSISTANT),
            ]
        )
        assert call(mode, make(mode).ai.assistants.retrieve, "a1").id == "a1"
    assert route.call_count == 3
    assert len(sleeps) == 2 and 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


@modes
def test_retries_give_up_after_max_retries(mode: str, sleeps: list[float]) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").respond(500)
        with pytest.raises(telnyx_ai.InternalServerError):
            call(mode, make(mode, max_retries=3).ai.assistants.retrieve, "a1")
    assert route.call_count == 4 and len(sleeps) == 3


@modes
def test_409_is_not_retried_by_default_but_can_be(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").mock(
            side_effect=[httpx.Response(409), httpx.Response(200, json=ASSISTANT)]
        )
        with pytest.raises(telnyx_ai.ConflictError):
            call(mode, make(mode).ai.assistants.retrieve, "a1")
        assert route.call_count == 1
        client = make(mode, retry_statuses=frozenset({409}))
        assert call(mode, client.ai.assistants.retrieve, "a1").id == "a1"


@modes
@pytest.mark.parametrize(
    ("headers", "expected"), [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "1500"}, 1.5)]
)
def test_retry_after_is_honoured(
    mode: str, headers: dict[str, str], expected: float, sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").mock(
            side_effect=[httpx.Response(429, headers=headers), httpx.Response(200, json=ASSISTANT)]
        )
        call(mode, make(mode).ai.assistants.retrieve, "a1")
    assert sleeps == [expected]


@modes
@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after-ms": "nan"},
        {"retry-after": "inf"},
        {"retry-after-ms": "nan", "retry-after": "nan"},
    ],
)
def test_retry_after_that_is_not_a_number_of_seconds_leaves_the_usual_backoff(
    mode: str, headers: dict[str, str], sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").mock(
            side_effect=[httpx.Response(429, headers=headers), httpx.Response(200, json=ASSISTANT)]
        )
        assert call(mode, make(mode).ai.assistants.retrieve, "a1").id == "a1"
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1.0


@modes
def test_retry_after_as_http_date(mode: str, sleeps: list[float]) -> None:
    import email.utils
    import time

    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").mock(
            side_effect=[
                httpx.Response(429, headers={"retry-after": when}),
                httpx.Response(200, json=ASSISTANT),
            ]
        )
        call(mode, make(mode).ai.assistants.retrieve, "a1")
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31


@modes
def test_retry_after_beyond_the_maximum_surfaces_the_error(mode: str, sleeps: list[float]) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").respond(429, headers={"retry-after": "3600"})
        with pytest.raises(telnyx_ai.RateLimitError):
            call(mode, make(mode, max_retry_after=60).ai.assistants.retrieve, "a1")
    assert route.call_count == 1 and sleeps == []


@modes
def test_posts_are_retried_with_one_idempotency_key(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        responses = [
            httpx.Response(500),
            httpx.Response(502),
            httpx.Response(200, json=ASSISTANT),
            httpx.Response(200, json=ASSISTANT),
        ]
        route = mock.post("/ai/assistants").mock(side_effect=responses)
        client = make(mode)
        call(mode, client.ai.assistants.create, name="n", instructions="i", model="m")
        keys = {c.request.headers["Idempotency-Key"] for c in route.calls}
        assert route.call_count == 3 and len(keys) == 1
        call(mode, client.ai.assistants.create, name="n", instructions="i", model="m")
        assert (
            route.calls.last.request.headers["Idempotency-Key"] not in keys
        )  # one key per logical call


@modes
def test_explicit_idempotency_key_wins(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/assistants").respond(200, json=ASSISTANT)
        call(
            mode,
            make(mode).ai.assistants.create,
            name="n",
            instructions="i",
            model="m",
            idempotency_key="mine-1",
        )
    assert route.calls.last.request.headers["Idempotency-Key"] == "mine-1"


@modes
def test_posts_without_a_key_are_never_sent_twice(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.post("/ai/assistants").respond(503)
        with pytest.raises(telnyx_ai.InternalServerError):
            call(
                mode,
                make(mode, auto_idempotency_keys=False).ai.assistants.create,
                name="n",
                instructions="i",
                model="m",
            )
    assert route.call_count == 1
    assert "Idempotency-Key" not in route.calls.last.request.headers


@modes
def test_connection_errors_and_timeouts_are_retried_then_typed(
    mode: str, sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").mock(
            side_effect=[
                httpx.ConnectError("refused"),
                httpx.ReadTimeout("slow"),
                httpx.Response(200, json=ASSISTANT),
            ]
        )
        assert call(mode, make(mode).ai.assistants.retrieve, "a1").id == "a1"
        assert route.call_count == 3
        mock.get("/ai/assistants/a2").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(telnyx_ai.APITimeoutError):
            call(mode, make(mode).ai.assistants.retrieve, "a2")
        mock.get("/ai/assistants/a3").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(telnyx_ai.APIConnectionError) as info:
            call(mode, make(mode).ai.assistants.retrieve, "a3")
    assert not isinstance(info.value, telnyx_ai.APITimeoutError)


# -- pagination ---------------------------------------------------------------------------
def _test(i: int) -> dict[str, Any]:
    return {
        "test_id": f"00000000-0000-0000-0000-{i:012d}",
        "name": f"t{i}",
        "telnyx_conversation_channel": "web_chat",
        "created_at": "2024-01-01T00:00:00Z",
        "rubric": [],
        "instructions": "i",
    }


def _meta_page(request: httpx.Request) -> httpx.Response:
    number = int(request.url.params.get("page[number]", "1"))
    data = [_test(i) for i in range((number - 1) * 2, min(number * 2, 5))]
    return httpx.Response(
        200,
        json={
            "data": data,
            "meta": {"page_number": number, "page_size": 2, "total_pages": 3, "total_results": 5},
        },
    )


def test_meta_pages_walk_lazily_sync() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/tests").mock(side_effect=_meta_page)
        page = Telnyx(api_key=KEY).ai.assistants.tests.list(page_size=2)
        assert route.call_count == 1 and len(page.data) == 2 and page.has_next_page()
        names = [t.name for t in page]
        assert names == ["t0", "t1", "t2", "t3", "t4"] and route.call_count == 3
        assert [len(p.data) for p in page.iter_pages()] == [2, 2, 1]
        last = page.get_next_page().get_next_page()
        assert not last.has_next_page()


def test_meta_pages_walk_lazily_async() -> None:
    async def run() -> tuple[list[str], int]:
        with respx.mock(base_url=BASE) as mock:
            route = mock.get("/ai/assistants/tests").mock(side_effect=_meta_page)
            client = AsyncTelnyx(api_key=KEY)
            names = [t.name async for t in client.ai.assistants.tests.list(page_size=2)]
            first = await client.ai.assistants.tests.list(page_size=2)
            pages = [len(p.data) async for p in first.iter_pages()]
            assert pages == [2, 2, 1]
            return names, route.call_count

    names, calls = asyncio.run(run())
    assert names == ["t0", "t1", "t2", "t3", "t4"] and calls == 6


@modes
def test_bare_array_short_page_ends_without_another_request(mode: str) -> None:
    server = {"id": "m", "name": "n", "type": "t", "url": "u", "created_at": "2024-01-01T00:00:00Z"}

    def pages(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page[number]", "1"))
        return httpx.Response(
            200, json=[{**server, "id": f"m{number}-{i}"} for i in range(3 if number < 3 else 1)]
        )

    async def collect_async(pager: Any) -> list[Any]:
        return [s async for s in pager]

    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/mcp_servers").mock(side_effect=pages)
        client = make(mode)
        pager = client.ai.mcp_servers.list(page_size=3)
        items = list(pager) if mode == "sync" else asyncio.run(collect_async(pager))
    assert len(items) == 7 and route.call_count == 3
    assert [c.request.url.params.get("page[number]") for c in route.calls] == [None, "2", "3"]


@modes
def test_data_only_list_is_a_single_page(mode: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants").respond(
            200, json={"data": [ASSISTANT, {**ASSISTANT, "id": "a2"}]}
        )
        client = make(mode)
        page = call(mode, client.ai.assistants.list)
    assert (
        [a.id for a in page.data] == ["a1", "a2"]
        and not page.has_next_page()
        and route.call_count == 1
    )


# -- logging ------------------------------------------------------------------------------
@modes
def test_logging_shows_method_url_status_attempt_but_never_the_key(
    mode: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TELNYX_LOG", "debug")
    caplog.set_level(logging.DEBUG, logger="telnyx_ai")
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").mock(
            side_effect=[httpx.Response(500), httpx.Response(200, json=ASSISTANT)]
        )
        call(mode, make(mode).ai.assistants.retrieve, "a1")
    text = caplog.text
    assert "GET https://api.telnyx.com/v2/ai/assistants/a1 -> 500 (attempt 1" in text
    assert "-> 200 (attempt 2" in text
    assert "<redacted>" in text and KEY not in text


def test_log_lines_go_to_the_stderr_of_the_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """TELNYX_LOG prints to sys.stderr as it is when a request is logged, also when it was
    redirected after the first client was made."""
    import contextlib
    import io

    monkeypatch.setenv("TELNYX_LOG", "info")
    client = make("sync")
    first, second = io.StringIO(), io.StringIO()
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants/a1").respond(200, json=ASSISTANT)
        for stream in (first, second):
            with contextlib.redirect_stderr(stream):
                client.ai.assistants.retrieve("a1")
    for stream in (first, second):
        assert (
            "GET https://api.telnyx.com/v2/ai/assistants/a1 -> 200 (attempt 1" in stream.getvalue()
        )


def test_import_is_lazy() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, telnyx_ai; c = telnyx_ai.Telnyx(api_key='k'); "
        "print(sorted(m for m in sys.modules if m.startswith(('telnyx_ai', 'pydantic'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2] / "generated",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    loaded = eval(out)  # noqa: S307 - our own subprocess's list literal
    assert not any(m.startswith("telnyx_ai.types.") for m in loaded)
    assert not any(m.startswith("telnyx_ai.resources.ai.") for m in loaded)
    assert not any(m.startswith("pydantic") for m in loaded)


def test_models_load_with_the_first_call_that_needs_them_and_no_others() -> None:
    """Touching a resource loads none of the models; its first call loads the module of the
    models it validates (and the modules above it), not those of other resources."""
    import subprocess
    import sys
    from pathlib import Path

    code = """
import json, sys, respx, telnyx_ai
def models():
    return sorted(m for m in sys.modules if m.startswith("telnyx_ai.types."))
client = telnyx_ai.Telnyx(api_key="k")
tests = client.ai.assistants.tests
touched = models()
with respx.mock(base_url="https://api.telnyx.com/v2") as mock:
    mock.get("/ai/assistants/tests/t1").respond(200, json={
        "test_id": "t1", "name": "n", "destination": "d", "instructions": "i", "rubric": [],
        "created_at": "2024-01-01T00:00:00Z", "telnyx_conversation_channel": "web_chat",
        "max_duration_seconds": 60,
    })
    tests.retrieve("t1")
print(json.dumps([touched, models()]))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2] / "generated",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    touched, called = json.loads(out)
    assert touched == []
    assert "telnyx_ai.types.ai.assistants.tests" in called
    assert set(called) <= {
        "telnyx_ai.types.ai",
        "telnyx_ai.types.ai.assistants",
        "telnyx_ai.types.ai.assistants.tests",
    }, called


@modes
def test_header_overrides_replace_and_omit_removes(mode: str) -> None:
    from telnyx_ai._types import Omit

    http = (
        httpx.Client(headers={"X-Team": "blue"})
        if mode == "sync"
        else httpx.AsyncClient(headers={"X-Team": "blue"})
    )
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").respond(200, json=ASSISTANT)
        client = make(mode, http_client=http)
        call(
            mode,
            client.ai.assistants.retrieve,
            "a1",
            extra_headers={"user-agent": "custom/1", "Accept": Omit()},
        )
    headers = route.calls.last.request.headers
    assert headers.get_list("User-Agent") == ["custom/1"]
    assert "Accept" not in headers
    assert headers["X-Team"] == "blue"


def test_extra_query_page_number_does_not_loop_the_walk() -> None:
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/tests").mock(side_effect=_meta_page)
        page = Telnyx(api_key=KEY).ai.assistants.tests.list(
            page_size=2, extra_query={"page[number]": 2}
        )
        names = [t.name for t in page]
    assert names == ["t2", "t3", "t4"] and route.call_count == 2
    assert [c.request.url.params["page[number]"] for c in route.calls] == ["2", "3"]


def test_asking_past_the_last_page_is_a_clear_error() -> None:
    async def run() -> None:
        with respx.mock(base_url=BASE) as mock:
            mock.get("/ai/assistants/tests").mock(side_effect=_meta_page)
            page = await AsyncTelnyx(api_key=KEY).ai.assistants.tests.list(page_size=2)
            last = await (await page.get_next_page()).get_next_page()
            with pytest.raises(telnyx_ai.TelnyxError, match="last page"):
                await last.get_next_page()

    asyncio.run(run())
    with respx.mock(base_url=BASE) as mock:
        mock.get("/ai/assistants").respond(200, json={"data": []})
        with pytest.raises(telnyx_ai.TelnyxError, match="last page"):
            Telnyx(api_key=KEY).ai.assistants.list().get_next_page()


def test_form_bodies_leave_out_none() -> None:
    from telnyx_ai._request import RequestSpec

    client = Telnyx(api_key=KEY)
    request = client._build_request(
        client._http,
        RequestSpec("post", "/forms", body={"a": None, "b": True}, body_encoding="form"),
    )
    assert request.content == b"b=true"


@modes
def test_a_closed_client_says_so(mode: str) -> None:
    """After close(), a call is a typed error naming the cause, and nothing is sent; a
    client that shares the closed pool (with_options) says the same."""
    with respx.mock(base_url=BASE) as mock:
        route = mock.get("/ai/assistants/a1").respond(200, json=ASSISTANT)
        client = make(mode)
        call(mode, client.ai.assistants.retrieve, "a1")
        sibling = client.with_options(timeout=5)
        if mode == "sync":
            client.close()
        else:
            asyncio.run(client.close())
        for target in (client, sibling):
            with pytest.raises(telnyx_ai.ClientClosedError, match="the client is closed"):
                call(mode, target.ai.assistants.retrieve, "a1")
    assert route.call_count == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_collector_waits_while_a_response_is_validated_and_is_left_as_it_was(mode: str) -> None:
    """Validating a list makes thousands of objects, none of them garbage; the cyclic
    collector, which would walk them again and again as they are made (15% of a list of 20
    assistants), runs after the body is validated. Its state is left as it was: on when it
    was on, also when validation fails; off when the caller had turned it off."""
    import gc

    collections: list[bool] = []
    validating = False

    def hook(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(validating)

    body = {
        "data": [
            ASSISTANT | {"id": f"a{i}", "tools": [{"type": "hangup", "hangup": {}}] * 5}
            for i in range(200)
        ]
    }
    threshold = gc.get_threshold()
    gc.callbacks.append(hook)
    gc.set_threshold(50)
    try:
        from telnyx_ai import _response

        original = _response.validate_json

        def watched(tp: Any, content: bytes | str) -> Any:
            nonlocal validating
            validating = True
            try:
                return original(tp, content)
            finally:
                validating = False

        with respx.mock(base_url=BASE) as mock, pytest.MonkeyPatch.context() as patch:
            patch.setattr(_response, "validate_json", watched)
            mock.get("/ai/assistants").respond(200, json=body)
            page = call(mode, make(mode).ai.assistants.list)
            assert len(page.data) == 200 and gc.isenabled()
            assert collections and not any(collections), (
                "the collector ran while the list was validated"
            )
            mock.get("/ai/assistants").respond(200, json={"data": [{"id": 1}]})
            with pytest.raises(telnyx_ai.APIResponseValidationError):
                call(mode, make(mode).ai.assistants.list)
            assert gc.isenabled()
            gc.disable()
            try:
                mock.get("/ai/assistants").respond(200, json=body)
                call(mode, make(mode).ai.assistants.list)
                assert not gc.isenabled(), "a collector the caller turned off was turned on"
            finally:
                gc.enable()
    finally:
        gc.callbacks.remove(hook)
        gc.set_threshold(*threshold)
