"""Every operation mapped in spec/sdk.yaml, called through ``Telnyx`` and ``AsyncTelnyx``
against a mocked API (respx).

Nothing here is written per operation: the method to call comes from sdk.yaml, its
arguments are synthesised from the OpenAPI spec's schemas (and checked against the
generated method's signature), the request the SDK sends is checked against the spec
(method, percent-encoded path, query, headers, a body that validates against the
request-body schema, or the form and multipart fields it asks for) and the canned answer
is the spec's example or a body synthesised from the response schema (JSON, text or bytes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import json
import re
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pydantic
import pytest
import respx
from support import target
from support.operations import (
    BASE,
    CALL_VARIANTS,
    COMMON_KWARGS,
    CONFIG,
    FASTAPI_422,
    FLAVOURS,
    IDEMPOTENT,
    KNOWN_BUGS,
    ODD_ID_ENCODED,
    OPERATIONS,
    SERVER_ERROR,
    SPEC_OPERATIONS,
    Answer,
    Call,
    Operation,
    build_call,
    cases,
    component_name,
    deref,
    invoke,
    method_of,
    object_shape,
    page_items,
    query_text,
    schema_errors,
    success_answer,
)
from support.params import parameter_sets

sdk_package = target.module()  # telnyx_ai unless TELNYX_CODEGEN_SURFACE says otherwise
AsyncPage = target.module("pagination").AsyncPage
SyncPage = target.module("pagination").SyncPage


@contextlib.contextmanager
def mocked_api(*responses: httpx.Response) -> Iterator[respx.Route]:
    """A mocked API answering the given responses in turn (and nothing more)."""
    with respx.mock(assert_all_called=False) as router:
        yield router.route(host=BASE.host).mock(side_effect=list(responses))


# -- checks ---------------------------------------------------------------------------


def check_signature(op: Operation, method: Any) -> None:
    parameters = inspect.signature(method).parameters
    for arg in op.args:
        assert arg.python in parameters, (
            f"{op}: no argument {arg.python!r} for {arg.location} parameter {arg.wire!r}; "
            f"the method takes {list(parameters)}"
        )
        parameter = parameters[arg.python]
        if arg.location == "path" and arg.wire == op.positional:
            assert list(parameters).index(arg.python) == 0, f"{op}: {arg.python} must come first"
            assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        else:
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, (
                f"{op}: {arg.python} must be keyword-only"
            )
        required = parameter.default is inspect.Parameter.empty
        assert required == arg.required, (
            f"{op}: {arg.location} parameter {arg.wire!r} is {'' if arg.required else 'not '}"
            f"required by the spec, but {arg.python} {'has no' if required else 'has a'} default"
        )
    extras = set(parameters) - {arg.python for arg in op.args}
    expected = COMMON_KWARGS | ({"idempotency_key"} if op.method not in IDEMPOTENT else set())
    assert extras == expected, f"{op}: unexpected arguments {sorted(extras - expected)}"


def check_request(op: Operation, call: Call, request: httpx.Request, api_key: str) -> None:
    assert request.method == op.method.upper()
    assert (request.url.scheme, request.url.host) == (BASE.scheme, BASE.host)
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    assert raw_path == call.path
    # Each path parameter stays one segment, whatever it contains.
    segments = (BASE.path.rstrip("/") + op.url_path).count("/")
    assert raw_path.count("/") == call.path.count("/") == segments
    assert sorted(parse_qsl(raw_query, keep_blank_values=True)) == call.query
    headers = request.headers
    assert headers["Authorization"] == f"Bearer {api_key}"
    assert headers["User-Agent"].startswith(f"{CONFIG['user_agent']}/")
    if op.method in IDEMPOTENT:
        assert "Idempotency-Key" not in headers
    else:
        assert headers.get("Idempotency-Key"), (
            f"{op}: a {op.method.upper()} must carry an Idempotency-Key"
        )
    if op.success[1] == "json":
        assert "application/json" in headers.get("Accept", "")
    if call.body is None:
        assert request.content == b"", f"{op}: no body expected, got {request.content!r}"
        return
    if op.body_media == "application/json":
        assert headers["Content-Type"] == "application/json"
        sent = json.loads(request.content)
        problems = schema_errors(op.body_schema, sent)
        assert not problems, f"{op}: the request body does not match the spec: {problems}"
        assert sent == call.body
        return
    assert op.body_media in ("multipart/form-data", "application/x-www-form-urlencoded"), (
        f"{op}: {op.body_media}?"
    )
    assert headers["Content-Type"].partition(";")[0] == op.body_media
    fields = form_fields(request)
    assert {name: value for name, (value, _) in fields.items()} == {
        name: form_value(value) for name, value in call.body.items()
    }
    if (
        op.body_media == "multipart/form-data"
    ):  # objects and arrays are JSON parts (OpenAPI's default)
        for name, value in call.body.items():
            if isinstance(value, (dict, list)):
                assert fields[name][1] == "application/json", (
                    f"{op}: part {name!r} is {fields[name][1]!r}"
                )


def form_value(value: Any) -> bytes:
    """A field as a form carries it: bytes as they are, objects and arrays as JSON."""
    if isinstance(value, bytes):
        return value
    return (json.dumps(value) if isinstance(value, (dict, list)) else query_text(value)).encode()


def form_fields(request: httpx.Request) -> dict[str, tuple[bytes, str | None]]:
    """The fields of a multipart or URL-encoded request body by name: (value, media type of
    the part, None where it states none)."""
    content_type = request.headers["Content-Type"]
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {
            name: (value.encode(), None)
            for name, value in parse_qsl(request.content.decode(), keep_blank_values=True)
        }
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
    )
    fields: dict[str, tuple[bytes, str | None]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str) and name not in fields, (
            f"a part without a name, or twice: {name!r}"
        )
        fields[name] = (
            part.get_payload(decode=True),
            part["content-type"] and part.get_content_type(),
        )
    return fields


def check_value(schema: Any, value: Any, body: Any) -> None:
    """``value`` is ``body`` parsed into the type the spec's ``schema`` asks for."""
    target = deref(schema)
    if target.get("type") == "array":
        assert isinstance(value, list), f"expected a list, got {type(value).__name__}"
        assert len(value) == len(body)
        for item, raw in zip(value, body, strict=True):
            check_value(target.get("items", {}), item, raw)
        return
    variants = [
        v
        for v in target.get("oneOf") or target.get("anyOf") or []
        if deref(v).get("type") != "null"
    ]
    if variants and object_shape(schema) is None:
        names = {class_name(component_name(v)) for v in variants}
        assert type(value).__name__ in names, (
            f"expected one of {sorted(map(str, names))}, got {value!r}"
        )
        check_value(variants[0], value, body)  # the body was synthesised from the first variant
        return
    shape = object_shape(schema)
    if shape is None or not isinstance(body, dict):
        assert value == body
        return
    name = component_name(schema)
    if not shape[0] and name is None:  # a free-form object: a dict
        assert value == body
        return
    assert isinstance(value, pydantic.BaseModel), f"expected a model, got {value!r}"
    if name is not None:
        assert type(value).__name__ == class_name(name)
    assert not value.model_extra, (
        f"properties that no field of {type(value).__name__} took: {value.model_extra}"
    )
    assert same_instants(value.to_dict()) == same_instants(body), (
        "the model does not dump back to what the API sent"
    )
    if not body:
        return
    fields = {(info.alias or field): field for field, info in type(value).model_fields.items()}
    for wire, raw in body.items():  # round-trip the first plain value through its attribute
        sub = deref(shape[0].get(wire, {}))
        if isinstance(raw, (str, int, float)) and not sub.get("format") and not sub.get("enum"):
            assert getattr(value, fields[wire]) == raw
            return
    wire, raw = next(iter(body.items()))  # else the first value, recursively
    sub_value = getattr(value, fields[wire])
    if isinstance(raw, (dict, list)) and shape[0].get(wire):
        check_value(shape[0][wire], sub_value, raw)
    else:
        assert same_instants(value.to_dict()[wire]) == same_instants(raw)


def class_name(component: str | None) -> str | None:
    """The model class of a component schema: its name, or for a name that is no Python
    class name (`inference-embedding_Assistant`) its words capitalised and joined."""
    if component is None or component.isidentifier() and "_" not in component:
        return component
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", component))


ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def same_instants(value: Any) -> Any:
    """``value`` with date-time strings as datetimes: `.764Z` and `.764000Z` are one instant."""
    if isinstance(value, dict):
        return {key: same_instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [same_instants(item) for item in value]
    if isinstance(value, str) and ISO_INSTANT.match(value):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def check_result(op: Operation, result: Any, answer: Answer, flavour: str) -> None:
    _, kind, schema, _ = op.success
    if kind == "none":
        assert result is None
    elif kind == "binary":
        assert isinstance(result, bytes) and result == answer.body
    elif kind == "text":
        assert isinstance(result, str)
        assert result == answer.body
    elif op.paged:
        assert isinstance(result, SyncPage if flavour == "sync" else AsyncPage)
        check_value(schema, result.body, answer.body)
        data = answer.body if isinstance(answer.body, list) else answer.body["data"]
        assert len(result.data) == len(data) >= 1
        check_value(op.page_data_schema, result.data[0], data[0])
        assert not result.has_next_page()
    else:
        check_value(schema, result, answer.body)


# -- the tests ------------------------------------------------------------------------


@pytest.fixture
def sdk(request: pytest.FixtureRequest, flavour: str) -> Any:
    """The client of the flavour under test: the `client` or the `async_client` fixture."""
    return request.getfixturevalue("client" if flavour == "sync" else "async_client")


@pytest.mark.parametrize(("op", "flavour"), cases("signature"))
async def test_signature(op: Operation, flavour: str, sdk: Any) -> None:
    """Arguments are named, ordered and required as the spec says."""
    check_signature(op, method_of(sdk, op.dotted))


@pytest.mark.parametrize(("op", "variant", "flavour"), cases(*CALL_VARIANTS))
async def test_call(op: Operation, variant: str, flavour: str, sdk: Any) -> None:
    call = build_call(op, variant)
    answer = success_answer(op)
    with mocked_api(answer.response) as route:
        result = await invoke(sdk, op, call)
        if op.paged:  # iterating walks every page: here just this one
            assert await page_items(result) == result.data
    assert route.call_count == 1
    request = route.calls[0].request
    check_request(op, call, request, sdk.api_key)
    if variant == "odd-ids":  # `/`, `?` and `#` are escaped into one segment
        segments = request.url.raw_path.decode().partition("?")[0].split("/")
        template = (BASE.path.rstrip("/") + op.url_path).split("/")
        index = template.index("{" + str(op.positional) + "}")
        assert segments[index] == ODD_ID_ENCODED
    check_result(op, result, answer, flavour)


@pytest.mark.parametrize(("op", "flavour"), cases("422"))
async def test_unprocessable_entity(op: Operation, flavour: str, sdk: Any) -> None:
    call = build_call(op, "required")
    with mocked_api(httpx.Response(422, json=FASTAPI_422)) as route:
        with pytest.raises(sdk_package.UnprocessableEntityError) as caught:
            await invoke(sdk, op, call)
    assert route.call_count == 1
    error = caught.value
    assert error.status_code == 422
    assert error.body == FASTAPI_422
    assert error.errors[0].field == "name"
    assert error.errors[0].message == "field required"


@pytest.mark.parametrize(("op", "flavour"), cases("retry"))
async def test_retry_after_server_error(
    op: Operation, flavour: str, sdk: Any, sleeps: list[float]
) -> None:
    call = build_call(op, "required")
    answer = success_answer(op)
    with mocked_api(httpx.Response(500, json=SERVER_ERROR), answer.response) as route:
        result = await invoke(sdk, op, call)
    assert route.call_count == 2
    requests = [c.request for c in route.calls]
    for request in requests:
        check_request(op, call, request, sdk.api_key)
    keys = [request.headers.get("Idempotency-Key") for request in requests]
    if op.method in IDEMPOTENT:
        assert keys == [None, None]
    else:
        assert keys[0] and keys[0] == keys[1], (
            f"{op}: the retry must reuse the Idempotency-Key: {keys}"
        )
    assert len(sleeps) == 1
    check_result(op, result, answer, flavour)


def test_every_operation_is_called_through_both_clients() -> None:
    """The parametrisations above cover every operation of the spec (read from the spec's
    paths, not from the SDK), through both clients: each has its signature, 422 and retry
    cases, and its call cases (the required arguments, every optional one, and reserved
    characters in the path parameters where it has any), at least one of them expected to
    reach the mocked API (not a known bug). Read from the parameter lists, so it holds
    whichever tests run before it, in whichever worker."""
    assert len({op.dotted for op in OPERATIONS}) == len(OPERATIONS), "two operations, one name"
    checks = {"signature", "422", "retry", *CALL_VARIANTS}
    stale = {k for k in KNOWN_BUGS if k[0] not in {op.dotted for op in OPERATIONS}}
    assert not stale and {k[1] for k in KNOWN_BUGS} <= checks, f"known bugs of nothing: {stale}"
    assert sorted((op.method, op.path) for op in OPERATIONS) == sorted(SPEC_OPERATIONS)
    everything = {
        (method, path, flavour) for method, path in SPEC_OPERATIONS for flavour in FLAVOURS
    }
    for test in (test_signature, test_unprocessable_entity, test_retry_after_server_error):
        covered = [(p["op"].method, p["op"].path, p["flavour"]) for p in parameter_sets(test)]
        assert sorted(covered) == sorted(everything), (
            f"{test.__name__}: missing {sorted(everything - set(covered))}"
        )
    calls = parameter_sets(test_call)
    expected = {
        (method, path, variant, flavour)
        for method, path, flavour in everything
        for variant in CALL_VARIANTS
        if variant != "odd-ids" or "{" in path
    }
    covered_calls = [(p["op"].method, p["op"].path, p["variant"], p["flavour"]) for p in calls]
    assert sorted(covered_calls) == sorted(expected), (
        f"test_call: missing {sorted(expected - set(covered_calls))}"
    )
    exercised = {(p["op"].method, p["op"].path, p["flavour"]) for p in calls if not p.xfail}
    # A surface with a list of known failures (the whole spec) has operations that every
    # call case of fails, each listed there with its kind; the AI package has none.
    if not KNOWN_BUGS:
        assert exercised == everything, (
            f"known bugs in every call of {sorted(everything - exercised)}"
        )
