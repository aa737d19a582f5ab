"""Stage 3: build the intermediate representation from the normalised spec and sdk.yaml.

Here every operation gets its method name and place in the resource tree, every
parameter its keyword name and type expression, and every response its return type and
paging style. Name collisions are checked here, once. The steps are modules of their own,
each given what it needs as data: `ir_types` (the type of each schema), `ir_parameters`,
`ir_bodies`, `ir_responses` (return types and pagination), `ir_webhooks` and `ir_tree`
(which operation is which method of which resource, the models' modules).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import ir_tree
from .config import load_config
from .ir import Api, Operation, Response, SdkConfig
from .ir_bodies import build_body
from .ir_parameters import build_parameters, separate_same_names
from .ir_responses import answers_a_list, build_response, pagination
from .ir_tree import MethodTree, Placement
from .ir_types import Context, TypeMapper
from .ir_webhooks import webhook_events
from .openapi import HTTP_METHODS, split_target
from .problems import Problems, pointer


def build_operation(
    ctx: Context,
    placement: Placement,
    renamed: dict[str, str] | None = None,
    body_argument: str | None = None,
) -> Operation | None:
    """The operation `placement` names, as the method `placement.parts[-1]`; `renamed`: the
    config's Python names of its path parameters (wire name -> name); `body_argument`: the
    config's name of the one argument taking its whole body."""
    method, path = placement.key
    operation = ctx.document["paths"][path][method]
    at = ("paths", path, method)
    parameters, paging = build_parameters(ctx, path, at)
    parameters = [
        replace(p, name=renamed[p.wire_name])
        if renamed and p.location == "path" and p.wire_name in renamed
        else p
        for p in parameters
    ]
    body = build_body(ctx, operation, at, body_argument)
    response = build_response(ctx, operation, at)
    if response is None:
        return None
    name = placement.parts[-1]
    if (placement.by_default, method, name) == (True, "get", "list") and _reads_one_thing(
        ctx, path, operation, response
    ):
        name = "retrieve"
    operation_ir = Operation(
        name=name,
        http_method=method,
        path=path,
        operation_id=str(operation.get("operationId") or ""),
        summary=str(operation.get("summary") or "").strip(),
        description=str(operation.get("description") or "").strip(),
        deprecated=bool(operation.get("deprecated")),
        parameters=tuple(parameters),
        body=body,
        response=response,
        pagination=pagination(ctx, method, response, operation, paging),
        query_model=str(operation["x-query-model"]) if operation.get("x-query-model") else None,
        server_prefix=ctx.strip_prefix,
    )
    operation_ir = separate_same_names(operation_ir)
    _check_argument_names(ctx, placement, operation_ir, body_argument)
    return operation_ir


def _check_argument_names(
    ctx: Context, placement: Placement, operation: Operation, body_argument: str | None
) -> None:
    """No two arguments of the method share a name (the config's name of a whole body is the
    config's error: `whole_body_problem`)."""
    seen: dict[str, str] = {}
    for argument in operation.arguments:
        if argument.name in seen and argument.name != body_argument:
            ctx.problems.error(
                f"method {placement.dotted} would take two arguments named {argument.name!r} "
                f"({seen[argument.name]} and {argument.location} {argument.wire_name!r})",
                ctx.file,
                pointer("paths", operation.path, operation.http_method),
            )
        seen[argument.name] = f"{argument.location} {argument.wire_name!r}"


def _reads_one_thing(
    ctx: Context, path: str, operation: dict[str, Any], response: Response
) -> bool:
    """A GET at a path without an id that reads one thing (`GET /balance`): its answer is no
    list, and no item of the path (`/things/{id}`) is below it."""
    if answers_a_list(ctx, operation, response):
        return False
    items = (p[len(path) + 1 :] for p in ctx.document["paths"] if p.startswith(path + "/{"))
    return not any("/" not in item for item in items)


def path_parameter_renames(
    ctx: Context, config: SdkConfig, config_file: str
) -> dict[tuple[str, str], dict[str, str]]:
    """(method, path) -> the config's Python names of its path parameters, each entry
    checked against the spec: its operation (or path) is there, with the parameter."""
    paths = ctx.document["paths"]
    checked: list[tuple[bool, list[str], str, str, str]] = []
    for target, wire, name in config.path_parameter_names:
        method, path = split_target(target)
        item = paths.get(path)
        methods = [m for m in item if m in HTTP_METHODS] if isinstance(item, dict) else []
        if method:
            methods = [m for m in methods if m == method]
        problem = (
            f"{target} is not an operation or a path of the spec"
            if not methods
            else f"{target} has no path parameter {wire!r}"
            if "{" + wire + "}" not in path
            else None
        )
        if problem is not None:
            ctx.problems.error(problem, config_file, pointer("path_parameter_names", target, wire))
            continue
        checked.append((bool(method), methods, path, wire, name))
    renames: dict[tuple[str, str], dict[str, str]] = {}
    # a path's entries first, so that an operation's own win whatever the order
    for _, methods, path, wire, name in sorted(checked, key=lambda entry: entry[0]):
        for each in methods:
            renames.setdefault((each, path), {})[wire] = name
    return renames


def body_arguments(ctx: Context, config: SdkConfig, config_file: str) -> dict[tuple[str, str], str]:
    """(method, path) -> the config's name of the argument taking its whole body, each entry
    of an operation the spec has (whether it has a body: `whole_body_problem`)."""
    paths = ctx.document["paths"]
    found: dict[tuple[str, str], str] = {}
    for target, name in config.body_arguments:
        method, path = split_target(target)
        item = paths.get(path)
        if not isinstance(item, dict) or method not in set(HTTP_METHODS) & set(item):
            ctx.problems.error(
                f"{target} is not an operation of the spec",
                config_file,
                pointer("body_arguments", target),
            )
            continue
        found[method, path] = name
    return found


def whole_body_problem(operation: Operation, name: str) -> str | None:
    """What is wrong with taking the operation's body whole as argument `name`, if anything:
    it has no body, a body of form fields, or another argument has that name."""
    target = f"{operation.http_method.upper()} {operation.path}"
    if operation.body is None:
        return f"{target} has no request body"
    if [f.wire_name for f in operation.body.fields] != [""]:
        return (
            f"the body of {target} is {operation.body.media_type} fields, sent one by one: "
            "only a JSON body, or one that is one argument already, can be taken whole"
        )
    if name in {p.name for p in operation.parameters}:
        return f"the whole body of {target} cannot be {name!r}: another argument has that name"
    return None


def segment_names_in_use(ctx: Context, config: SdkConfig, config_file: str) -> dict[str, str]:
    """The config's names of path segments, with a warning for a segment that no path of
    the spec has (a misspelling would name nothing)."""
    segments = {s for path in ctx.document["paths"] for s in path.strip("/").split("/")}
    for segment, _ in config.segment_names:
        if segment not in segments:
            ctx.problems.warning(
                f"`segment_names` names {segment!r}, a segment of no path of the spec",
                config_file,
                pointer("segment_names", segment),
            )
    return dict(config.segment_names)


def build(ctx: Context, config: SdkConfig, methods: dict[str, Any], config_file: str) -> Api:
    """The API of the document: every operation placed as a method, the resource tree, the
    TypedDicts the arguments name, the models' modules and the webhooks' events."""
    tree = MethodTree()
    renames = path_parameter_renames(ctx, config, config_file)
    wholes = body_arguments(ctx, config, config_file)
    segment_names = segment_names_in_use(ctx, config, config_file)
    for placement in ir_tree.placements(ctx, methods, config_file, segment_names):
        if not ir_tree.name_fits(placement, ctx.problems):
            continue
        whole = wholes.get(placement.key)
        operation = build_operation(ctx, placement, renames.get(placement.key), whole)
        problem = whole_body_problem(operation, whole) if operation and whole else None
        if problem is not None:
            target = f"{placement.key[0].upper()} {placement.key[1]}"
            ctx.problems.error(problem, config_file, pointer("body_arguments", target))
        elif operation is not None:
            ir_tree.place(tree, operation, placement, ctx.problems)
    ir_tree.finish(tree, config_file, ctx.problems)
    root = ir_tree.resource_tree(tree, config.sync_client)
    info = ctx.document.get("info") or {}
    arguments = [a.type for ops in tree.resources.values() for op in ops for a in op.arguments]
    homes = ir_tree.model_homes(tree, ctx.mapper.schemas)
    return Api(
        config=config,
        title=str(info.get("title", "")),
        spec_version=str(info.get("version", "")),
        root=root,
        model_names=tuple(ctx.mapper.schemas),
        params=ctx.mapper.param_dicts(arguments),
        model_homes=tuple(sorted(homes.items())),
        webhook_events=webhook_events(ctx, config.webhooks, config_file),
    )


def build_api(
    document: dict[str, Any],
    spec_file: str,
    config_data: dict[str, Any],
    config_file: str,
    problems: Problems,
) -> Api | None:
    config = load_config(config_data, config_file, problems)
    if config is None:
        return None
    ctx = Context(document, spec_file, problems, TypeMapper(document))
    return build(ctx, config, config_data.get("methods") or {}, config_file)
