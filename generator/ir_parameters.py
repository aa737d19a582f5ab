"""The IR builder's parameter step: an operation's path, query and header parameters as
keyword arguments (a deepObject's properties one each), and what pages its answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from . import naming
from .ir import Operation, Parameter
from .ir_types import Context
from .openapi import parameters_of
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
        if shape is not None:
            members, size = _deep_object(ctx, raw, wire, shape)
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
        parameters.append(
            Parameter(
                python_name,
                wire,
                location,
                ctx.mapper.type_of(schema),
                bool(raw.get("required")) or location == "path",
                str(raw.get("description") or schema.get("description") or ""),
                positional=location == "path" and wire == positional_name,
            )
        )
    return parameters, _page_parameters(parameters, default_size)


def _deep_object(
    ctx: Context, raw: dict[str, Any], wire: str, shape: tuple[dict[str, Any], set[str]]
) -> tuple[list[Parameter], int | None]:
    """A deepObject's properties, one keyword argument each (`page[number]` on the wire), and
    the default of its `size`, if it has one."""
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
