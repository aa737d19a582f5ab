"""The IR builder's parameter step: an operation's path, query and header parameters as
keyword arguments (a deepObject one argument typed by a TypedDict, but the page object's
properties one each), and what pages its answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from . import naming
from . import type_expressions as types
from .ir import Operation, Parameter
from .ir_types import Context
from .openapi import PAGE_OBJECT, parameters_of
from .problems import pointer

PAGE_NUMBER = ("page[number]", "page_number")
PAGE_SIZE = ("page[size]", "page_size")


@dataclass(frozen=True)
class PageParameters:
    """The query parameters that page an answer, as the parameter step found them: the wire
    names of the page number and the page size, and the size's default."""

    number: str | None = None
    size: str | None = None
    default_size: int | None = None


def build_parameters(
    ctx: Context, path: str, at: tuple[str, ...]
) -> tuple[list[Parameter], PageParameters]:
    """The operation's parameters (those of its path item first), cookies left out."""
    document = ctx.document
    _, _, method = at  # ("paths", path, method)
    raw_parameters = parameters_of(document, path, method)
    # The positional argument is the last parameter of the path template, whatever the
    # order of the `parameters` list (`/Accounts/{account_sid}/Calls/{call_sid}`: call_sid);
    # its parents are keywords.
    in_template = re.findall(r"\{([^{}]+)\}", path)
    positional_name = in_template[-1] if in_template else None
    parameters: list[Parameter] = []
    default_size = None
    for index, raw in enumerate(raw_parameters):
        location = raw.get("in")
        if location == "cookie":
            continue
        schema = raw.get("schema") or {}
        wire = str(raw.get("name", ""))
        shape = ctx.mapper.object_shape(schema) if raw.get("style") == "deepObject" else None
        if shape is not None and wire == PAGE_OBJECT:
            members, size = _page_object(ctx, raw, wire, shape)
            parameters += members
            default_size = size if size is not None else default_size
            continue
        try:
            python_name = naming.parameter_name(wire)
        except ValueError as exc:
            ctx.problems.error(str(exc), ctx.file, pointer(*at, "parameters", index))
            continue
        if wire in PAGE_SIZE and isinstance(schema.get("default"), int):
            default_size = schema["default"]
        if shape is not None:  # any other deepObject: one argument
            expr = _deep_object_type(ctx, wire, schema, at)
        else:
            expr = ctx.mapper.type_of(schema)
        parameters.append(
            Parameter(
                python_name,
                wire,
                location,
                expr,
                bool(raw.get("required")) or location == "path",
                str(raw.get("description") or schema.get("description") or ""),
                positional=location == "path" and wire == positional_name,
            )
        )
    return parameters, _page_parameters(parameters, default_size)


def _deep_object_type(ctx: Context, wire: str, schema: Any, at: tuple[str, ...]) -> types.TypeExpr:
    """A deepObject other than the page object is one argument (`filter={"status": {"eq":
    "x"}}`, sent as `filter[status][eq]=x`), typed by the TypedDict of the class that holds it
    in the operation's query model (`...QueryFilter`: nested objects are TypedDicts of
    their own), so that a misspelt key is a type error and the model validates the keys."""
    _, path, method = at
    model = ctx.document["paths"][path][method].get("x-query-model")
    held = ((ctx.mapper.schemas.get(str(model)) or {}).get("properties") or {}).get(wire, schema)
    expr = ctx.mapper.type_of(held)
    # the TypedDict alone, as the official SDK types it: no model gives a filter to pass back
    return expr.given if isinstance(expr, types.Model) else expr


def _page_object(
    ctx: Context, raw: dict[str, Any], wire: str, shape: tuple[dict[str, Any], set[str]]
) -> tuple[list[Parameter], int | None]:
    """The page object's properties, one keyword argument each (`page[number]` on the wire,
    `page_number=` as the official SDK takes it), and the default of its `size`, if any."""
    parameters = []
    default_size = None
    for prop, sub in shape[0].items():
        if prop == "size" and isinstance(sub.get("default"), int):
            default_size = sub["default"]
        parameters.append(
            Parameter(
                naming.parameter_name(f"{wire}_{prop}"),
                f"{wire}[{prop}]",
                "query",
                ctx.mapper.type_of(sub),
                prop in shape[1] and bool(raw.get("required")),
                str(sub.get("description") or ""),
            )
        )
    return parameters, default_size


def _page_parameters(parameters: list[Parameter], default_size: int | None) -> PageParameters:
    number = size = None
    for parameter in parameters:
        if parameter.location == "query" and parameter.wire_name in PAGE_NUMBER:
            number = parameter.wire_name
        if parameter.location == "query" and parameter.wire_name in PAGE_SIZE:
            size = parameter.wire_name
    return PageParameters(number, size, default_size)


def separate_same_names(op: Operation) -> Operation:
    """Two arguments with one name in different places (path `call_control_id` and body
    `call_control_id`, header `PAYMENT-SIGNATURE` and body `payment_signature`): the path
    keeps it; the others take their place as a suffix (`call_control_id_body`)."""
    counts: dict[str, int] = {}
    places: dict[str, set[str]] = {}
    for argument in op.arguments:
        counts[argument.name] = counts.get(argument.name, 0) + 1
        places.setdefault(argument.name, set()).add(argument.location)
    # Only names shared across places are separated; two in one place stay an error.
    counts = {name: n if len(places[name]) == n else 1 for name, n in counts.items()}
    if all(n == 1 for n in counts.values()):
        return op
    rank = {"path": 0, "query": 1, "body": 2, "header": 3}
    keeper = {
        name: min((a for a in op.arguments if a.name == name), key=lambda a: rank[a.location])
        for name in counts
    }

    def rename(argument: Parameter) -> Parameter:
        if counts[argument.name] > 1 and argument is not keeper[argument.name]:
            return replace(argument, name=f"{argument.name}_{argument.location}")
        return argument

    body = replace(op.body, fields=tuple(rename(f) for f in op.body.fields)) if op.body else None
    return replace(op, parameters=tuple(rename(p) for p in op.parameters), body=body)
