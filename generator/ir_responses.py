"""The IR builder's response step: what an operation's method returns (JSON, text, bytes,
nothing or a stream of events) and how its answer pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import type_expressions as types
from .ir import EventStream, Pagination, Response
from .ir_parameters import PageParameters
from .ir_types import Context
from .openapi import deref
from .problems import pointer

JSON_TYPES = ("application/json",)
TEXT_TYPES = ("text/plain", "application/xml", "text/xml", "text/html", "text/csv")
STREAM_TYPE = "text/event-stream"


def build_response(ctx: Context, operation: dict[str, Any], at: tuple[str, ...]) -> Response | None:
    responses = operation.get("responses") or {}
    success = sorted(str(s) for s in responses if str(s).startswith("2"))
    if not success:
        ctx.problems.error(
            "operation declares no 2xx response", ctx.file, pointer(*at, "responses")
        )
        return None
    status = success[0]
    raw = (
        deref(ctx.document, responses[status])
        if status in responses
        else deref(ctx.document, responses[int(status)])
    )
    content = dict((raw or {}).get("content") or {})
    if not content or status == "204":
        return Response("none", types.NONE, status)
    others = [m for m in content if m != STREAM_TYPE]
    events = event_stream(
        ctx,
        operation,
        content.get(STREAM_TYPE),
        others,
        (*at, "responses", status, "content", STREAM_TYPE),
    )
    if events is not None:
        del content[STREAM_TYPE]
        if events.flag is None or not content:
            return Response("stream", events.type, status, replace(events, flag=None))
        answer = _answer(ctx, content, status)
        return Response(answer.kind, answer.type, status, events)
    return _answer(ctx, content, status)


def _answer(ctx: Context, content: dict[str, Any], status: str) -> Response:
    json_type = next((m for m in content if m in JSON_TYPES or m.endswith("+json")), None)
    if json_type is not None:
        schema = content[json_type].get("schema") or {}
        return Response("json", ctx.mapper.type_of(schema), status)
    text_type = next((m for m in content if m in TEXT_TYPES or m.startswith("text/")), None)
    if text_type is not None:
        return Response("text", types.Scalar("str"), status)
    # Audio, PDF, octet-stream, images...: the bytes as sent.
    return Response("binary", types.Scalar("bytes"), status)


def event_stream(
    ctx: Context, operation: dict[str, Any], media: Any, others: list[str], at: tuple[str, ...]
) -> EventStream | None:
    """The events of a `text/event-stream` answer, where its item schema (`itemSchema`,
    or `x-itemSchema` in a 3.1 document) names them: each event's `data` holds JSON of
    the `contentSchema` of its `data` property (or the item schema is that schema). A
    boolean `stream` property of the body asks for the stream; without one it always
    streams. An event stream without an item schema is text, as before."""
    if not isinstance(media, dict):
        return None
    key = "itemSchema" if "itemSchema" in media else "x-itemSchema"
    item = media.get(key)
    if item is None:
        return None
    data = ((item.get("properties") or {}).get("data") or {}) if isinstance(item, dict) else {}
    schema = (
        data.get("contentSchema") if isinstance(data, dict) and "contentSchema" in data else item
    )
    if ctx.mapper.component(schema) is None:
        where = (
            (*at, key, "properties", "data", "contentSchema") if schema is not item else (*at, key)
        )
        ctx.problems.error(
            "the events of a stream must be a schema of components/schemas (a `$ref`)",
            ctx.file,
            pointer(*where),
        )
        return None
    flag = None
    body = deref(ctx.document, operation.get("requestBody"))
    for media_type in ((body or {}).get("content") or {}).values():
        shape = ctx.mapper.object_shape((media_type or {}).get("schema"))
        if shape is not None and _is_boolean(shape[0].get("stream")):
            flag = "stream"
    if flag is None and others:
        ctx.problems.warning(
            f"the operation answers with {', '.join(others)} or an event stream, but its body "
            "has no boolean `stream` to choose: the method always streams",
            ctx.file,
            pointer(*at),
        )
    return EventStream(ctx.mapper.type_of(schema), flag)


def pagination(
    ctx: Context,
    method: str,
    response: Response,
    operation: dict[str, Any],
    paging: PageParameters,
) -> Pagination | None:
    """How a GET's JSON answer pages: an array with page number and size parameters, an
    object with `data` and a `meta` of page numbers, or one page of `data` only."""
    if method != "get" or response.kind != "json":
        return None
    mapper, number, size = ctx.mapper, paging.number, paging.size
    schema = _json_schema(ctx, operation, response)
    found = mapper.component(schema)
    target = found[1] if found else schema
    if target.get("type") == "array" and number and size:
        item = mapper.type_of(target.get("items", {}))
        return Pagination("array", item, number, size, paging.default_size)
    shape = mapper.object_shape(schema)
    data = _data_array(ctx, shape)
    if shape is None or data is None:
        return None
    item = mapper.type_of(data.get("items", {}))
    meta = shape[0].get("meta")
    meta_shape = mapper.object_shape(meta) if meta is not None else None
    if meta_shape and {"page_number", "total_pages"} <= set(meta_shape[0]) and number:
        return Pagination("meta", item, number, size, paging.default_size)
    if set(shape[0]) == {"data"} and not number:
        return Pagination("single", item)
    return None


def answers_a_list(ctx: Context, operation: dict[str, Any], response: Response) -> bool:
    """Whether a JSON answer is a list: an array, or an object whose `data` is an array (a
    page of them, or all of them)."""
    if response.kind != "json":
        return False
    schema = _json_schema(ctx, operation, response)
    found = ctx.mapper.component(schema)
    if (found[1] if found else schema).get("type") == "array":
        return True
    return _data_array(ctx, ctx.mapper.object_shape(schema)) is not None


def _json_schema(ctx: Context, operation: dict[str, Any], response: Response) -> Any:
    """The schema of the operation's JSON answer of `response.status`."""
    raw = deref(ctx.document, (operation.get("responses") or {}).get(response.status))
    return ((raw or {}).get("content") or {}).get("application/json", {}).get("schema") or {}


def _data_array(ctx: Context, shape: tuple[dict[str, Any], set[str]] | None) -> Any:
    """The array schema of an object's `data` property, if it has one that is an array."""
    if shape is None or "data" not in shape[0]:
        return None
    data = shape[0]["data"]
    data_component = ctx.mapper.component(data)
    if data_component is not None:
        data = data_component[1]
    return data if isinstance(data, dict) and data.get("type") == "array" else None


def _is_boolean(schema: Any) -> bool:
    """A boolean, perhaps nullable (`type: [boolean, 'null']`, or an anyOf/oneOf with one)."""
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "boolean" in kinds and set(kinds) <= {"boolean", "null"}:
        return True
    variants = schema.get("anyOf") or schema.get("oneOf") or []
    return any(_is_boolean(v) for v in variants) and all(
        _is_boolean(v) or (isinstance(v, dict) and v.get("type") == "null") for v in variants
    )
