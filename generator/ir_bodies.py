"""The IR builder's body step: an operation's request body as keyword arguments (one per
property of an object body) or one argument (`body`, or the name the config gives a whole
body), with its encoding."""

from __future__ import annotations

from typing import Any

from . import naming
from . import type_expressions as types
from .ir import Body, Parameter
from .ir_types import Context
from .openapi import deref
from .problems import pointer
from .type_expressions import TypeExpr

BODY_ENCODINGS: dict[str, Any] = {
    "application/json": "json",
    "application/x-www-form-urlencoded": "form",
    "multipart/form-data": "multipart",
    "application/octet-stream": "binary",
    "*/*": "binary",
}


def build_body(
    ctx: Context, operation: dict[str, Any], at: tuple[str, ...], whole: str | None = None
) -> Body | None:
    """The operation's request body; `whole`: the config's name of the one argument that
    takes it whole (`body_arguments`): a JSON body's properties are keywords no more, and a
    body that is one argument already (bytes, a union) is named so instead of `body`."""
    raw = deref(ctx.document, operation.get("requestBody"))
    if not isinstance(raw, dict) or not raw.get("content"):
        return None
    content = raw["content"]
    media_type = next((m for m in content if m in BODY_ENCODINGS), None)
    if media_type is None:
        media_type = next(iter(content))
        ctx.problems.error(
            f"request body media type {media_type!r} is not supported "
            f"({', '.join(BODY_ENCODINGS)})",
            ctx.file,
            pointer(*at, "requestBody", "content", media_type),
        )
        return None
    schema = content[media_type].get("schema") or {}
    encoding = BODY_ENCODINGS[media_type]
    if media_type == "*/*" and ctx.mapper.object_shape(schema) is not None:
        # Any media type is one the server takes: an object goes as JSON, the one an object
        # has (and the official SDK sends), its properties keyword arguments; bytes as bytes.
        encoding = "json"
    required = bool(raw.get("required"))
    description = str(raw.get("description") or "")
    if encoding == "binary":  # raw bytes (or a file) sent as they are
        # Bytes that are the request itself come positionally, after the path's id, as the
        # official SDK takes them: `keys.update("greeting", b"hello", id=...)`.
        positional = required and media_type == "application/octet-stream"
        name = whole or "body"
        raw_body = Parameter(name, "", "body", types.Content(), required, description, positional)
        return Body(media_type, required, None, (raw_body,), encoding)
    # Multipart bodies carry files, which the model (bytes) sees as placeholders only.
    found = ctx.mapper.component(schema)
    model = found[0] if found else None
    shape = ctx.mapper.object_shape(schema)
    if shape is None or (whole and encoding == "json"):
        # "": no wire name, the argument is the body itself (sent as it is, validated whole)
        argument = Parameter(
            whole or "body", "", "body", ctx.mapper.type_of(schema), required, description
        )
        return Body(media_type, required, model, (argument,), encoding)
    fields = _fields(ctx, shape, at)
    files = tuple(
        f.wire_name for f in fields if encoding == "multipart" and _uploads_a_file(f.type)
    )
    return Body(media_type, required, model, tuple(fields), encoding, files)


def _fields(
    ctx: Context, shape: tuple[dict[str, Any], set[str]], at: tuple[str, ...]
) -> list[Parameter]:
    """An object body's properties, one keyword argument each (but the read-only ones)."""
    fields = []
    for prop, sub in shape[0].items():
        try:
            python_name = naming.parameter_name(prop)
        except ValueError as exc:
            ctx.problems.error(
                f"body property {prop!r}: {exc}", ctx.file, pointer(*at, "requestBody")
            )
            continue
        if isinstance(sub, dict) and sub.get("readOnly"):
            continue
        fields.append(
            Parameter(
                python_name,
                prop,
                "body",
                ctx.mapper.type_of(sub),
                prop in shape[1],
                ctx.mapper.description_of(sub),
            )
        )
    return fields


def _uploads_a_file(expr: TypeExpr) -> bool:
    """A file (what signatures type as FileTypes), perhaps nullable."""
    options = expr.options if isinstance(expr, types.UnionOf) else (expr,)
    return any(isinstance(option, types.File) for option in options)
