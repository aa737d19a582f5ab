"""The IR builder's resource tree: which operation is which method of which resource (as
the SDK config names it, else by default from its path), name clashes resolved or reported,
and the module of each model below `types`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import naming
from . import type_expressions as types
from .ir import Operation, Resource
from .ir_types import Context
from .openapi import HTTP_METHODS, schemas_named, verb_name
from .problems import Problems, pointer


@dataclass(frozen=True)
class Placement:
    """Where an operation goes: its dotted method path, its (method, path), the file and
    pointer that decided it, and whether it was named by default (from its path; a default
    name yields to others) rather than by the SDK config."""

    parts: list[str]
    key: tuple[str, str]
    file: str
    where: str
    by_default: bool

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass
class MethodTree:
    """The methods of each resource (by resource path), and which operations were named by
    default."""

    resources: dict[tuple[str, ...], list[Operation]] = field(default_factory=dict)
    named_by_default: set[tuple[str, str]] = field(default_factory=set)


def placements(
    ctx: Context,
    methods: dict[str, Any],
    config_file: str,
    segment_names: Mapping[str, str] | None = None,
) -> Iterator[Placement]:
    """The operations the SDK config names (each checked as it comes), then the others, named
    from their paths (`segment_names`: the config's names of path segments)."""
    paths = ctx.document["paths"]
    by_operation: dict[tuple[str, str], str] = {}
    for dotted, target in methods.items():
        where = pointer("methods", dotted)
        problem = _configured_problem(dotted, target, paths, by_operation)
        if problem is not None:
            ctx.problems.error(problem, config_file, where)
            continue
        http_method, _, path = str(target).partition(" ")
        key = (http_method.lower(), path)
        by_operation[key] = dotted
        yield Placement(str(dotted).split("."), key, config_file, where, by_default=False)
    for path, item in paths.items():
        for method in item:
            if method in HTTP_METHODS and (method, path) not in by_operation:
                parts = naming.default_method_path(method, path, ctx.strip_prefix, segment_names)
                where = pointer("paths", path, method)
                yield Placement(parts, (method, path), ctx.file, where, by_default=True)


def _configured_problem(
    dotted: str, target: Any, paths: dict[str, Any], by_operation: dict[tuple[str, str], str]
) -> str | None:
    """What is wrong with a `methods` entry, or None."""
    parts = str(dotted).split(".")
    if len(parts) < 2 or not all(naming.is_identifier(p) for p in parts):
        return f"{dotted!r} is not a dotted path of Python names (resource.method)"
    taken = naming.taken_by_runtime(parts)
    if taken is not None:
        return f"{dotted!r} uses the name {taken!r}, which the client already has"
    http_method, _, path = str(target).partition(" ")
    key = (http_method.lower(), path)
    if key[0] not in HTTP_METHODS or key[1] not in paths or key[0] not in paths[key[1]]:
        return f"{dotted} maps to {target!r}, which the spec does not have"
    if key in by_operation:
        return f"{target} is mapped twice: to {by_operation[key]} and to {dotted}"
    return None


def name_fits(placement: Placement, problems: Problems) -> bool:
    """False, with an error, where a part of the method's path is too long for a file name."""
    parts, (method, path) = placement.parts, placement.key
    long_name = next((part for part in parts if len(part) > naming.MAX_NAME_LENGTH), None)
    if long_name is None:
        return True
    problems.error(
        f"the name {naming.shorten(long_name)} of {method.upper()} {naming.shorten(path, 60)} "
        f"is {len(long_name)} characters long, more than {naming.MAX_NAME_LENGTH} (a module "
        "file cannot be named so); name the operation in the `methods` of the SDK config",
        placement.file,
        placement.where,
    )
    return False


def place(tree: MethodTree, operation: Operation, placement: Placement, problems: Problems) -> None:
    """Add a method to its resource. A default name that is taken yields: to `_all` for a
    method on the whole collection beside one on an item, else to an alternative name; two
    methods of one name are an error."""
    key = placement.key
    resource_ops = tree.resources.setdefault(tuple(placement.parts[:-1]), [])
    clash = next((o for o in resource_ops if o.name == operation.name), None)
    clash_defaulted = clash is not None and (clash.http_method, clash.path) in tree.named_by_default
    if (
        clash is not None
        and clash_defaulted
        and placement.by_default
        and not clash.path.endswith("}")
        and key[1].endswith("}")
    ):
        # `DELETE /things` beside `DELETE /things/{id}`: the one on the whole collection yields.
        if not any(o.name == clash.name + "_all" for o in resource_ops):
            resource_ops[resource_ops.index(clash)] = replace(clash, name=clash.name + "_all")
            clash = None
    if clash is not None and placement.by_default:  # a default name: try the alternatives
        for name in naming.alternative_names(key[0], key[1], operation.name):
            if not any(o.name == name for o in resource_ops):
                operation, clash = replace(operation, name=name), None
                break
    if clash is not None:
        problems.error(
            f"two methods named {placement.dotted} ({clash.http_method.upper()} {clash.path} "
            f"and {key[0].upper()} {key[1]}); name one in the `methods` of the SDK config",
            placement.file,
            placement.where,
        )
        return
    if placement.by_default:
        tree.named_by_default.add(key)
    resource_ops.append(operation)


def finish(tree: MethodTree, config_file: str, problems: Problems) -> None:
    """Default-named methods moved into the sub-resources of their names and out of the
    resources of one method, every resource's parents present, and a method that is also a
    sub-resource reported."""
    _move_into_subresources(tree)
    _move_out_of_leaves(tree)
    resources = tree.resources
    for resource_path in list(resources):
        for i in range(1, len(resource_path)):
            resources.setdefault(resource_path[:i], [])
    for resource_path, ops in resources.items():
        child_names = _child_names(resources, resource_path)
        for op in ops:
            if op.name in child_names:
                problems.error(
                    f"{'.'.join(resource_path)}.{op.name} is both a method and a sub-resource",
                    config_file,
                    pointer("methods"),
                )


def _move_into_subresources(tree: MethodTree) -> None:
    """A default-named method that is also the name of a sub-resource (`POST .../chat`
    beside `.../chat/sms`) becomes that sub-resource's `create` (or `retrieve`, ...)."""
    resources = tree.resources
    for resource_path in sorted(resources, key=len, reverse=True):
        children = _child_names(resources, resource_path)
        for op in list(resources[resource_path]):
            if op.name in children and (op.http_method, op.path) in tree.named_by_default:
                target = (*resource_path, op.name)
                # the call on the sub-resource itself: a GET retrieves it, a POST creates in it
                name = verb_name(op.http_method, on_item=op.http_method == "get")
                moved = replace(op, name=name)
                if any(o.name == moved.name for o in resources.setdefault(target, [])):
                    continue  # left in place: reported as a method and a sub-resource
                resources[resource_path].remove(op)
                resources[target].append(moved)


def _move_out_of_leaves(tree: MethodTree) -> None:
    """A resource below another that is a path's last segment with one default-named
    method and nothing below it (`POST /calls/{id}/actions/bridge`: calls.actions.bridge
    with its `create`) is no resource of its own: the method goes to the parent, named
    after the segment (naming.leaf_method_name: calls.actions.bridge). A name the parent
    has already keeps the resource. A method moves once: its new resource was no leaf."""
    resources = tree.resources
    leaves = [
        path
        for path, ops in resources.items()
        if len(path) > 1 and len(ops) == 1 and not _child_names(resources, path)
    ]
    for resource_path in leaves:
        op, parent = resources[resource_path][0], resource_path[:-1]
        last_segment = op.path.rstrip("/").rsplit("/", 1)[-1]
        if (op.http_method, op.path) not in tree.named_by_default or last_segment.startswith("{"):
            continue
        name = naming.leaf_method_name(op.http_method, op.name, resource_path[-1])
        taken = _child_names(resources, parent) - {resource_path[-1]}
        if name in taken or any(o.name == name for o in resources.get(parent, [])):
            continue
        del resources[resource_path]
        resources.setdefault(parent, []).append(replace(op, name=name))


def _child_names(
    resources: dict[tuple[str, ...], list[Operation]], path: tuple[str, ...]
) -> set[str]:
    """The names of the sub-resources of the resource at `path`."""
    return {p[len(path)] for p in resources if len(p) > len(path) and p[: len(path)] == path}


def resource_tree(tree: MethodTree, client_class: str, path: tuple[str, ...] = ()) -> Resource:
    """The resource at `path` (the client at the root) with its methods and sub-resources."""
    resources = tree.resources
    children = tuple(
        resource_tree(tree, client_class, p)
        for p in sorted(resources)
        if len(p) == len(path) + 1 and p[: len(path)] == path
    )
    return Resource(
        path=path,
        class_name=naming.resource_class_name(path[-1]) if path else client_class,
        module="resources." + ".".join(path) if path else "",
        is_package=bool(children),
        operations=tuple(resources.get(path, ())),
        children=children,
    )


def model_homes(tree: MethodTree, schemas: dict[str, Any]) -> dict[str, str]:
    """Each model's module below `types`, from the resources whose methods reach it: the
    deepest resource they all share (`ai.assistants`); `shared` for one that resources of
    different top-level names share; `other` for one no method reaches (a webhook's
    payload). What reaches a model reaches what it references, so a model's references
    are in its module or one above it: modules import only upwards, and none imports
    `other`."""
    references = {name: set(schemas_named(schema, schemas)) for name, schema in schemas.items()}
    users: dict[str, set[tuple[str, ...]]] = {}
    for path, ops in tree.resources.items():
        stack = [name for op in ops for name in _models_named(op) if name in schemas]
        while stack:
            name = stack.pop()
            if path not in users.setdefault(name, set()):
                users[name].add(path)
                stack.extend(references[name])
    tops = {path[0] for path in tree.resources if path}
    shared, other = (naming.unused("shared", tops), naming.unused("other", tops))
    homes = {}
    for name in schemas:
        paths = users.get(name)
        if not paths:
            homes[name] = other
            continue
        prefix = min(paths)
        for path in paths:
            while path[: len(prefix)] != prefix:
                prefix = prefix[:-1]
        homes[name] = ".".join(prefix) or shared
    return homes


def _models_named(op: Operation) -> set[str]:
    """The models an operation's method takes, returns, validates or streams."""
    found = {op.body.model if op.body else None, op.query_model}
    expressions = [a.type for a in op.arguments] + [op.return_type, op.response.type]
    for expr in expressions:
        found.update(
            t.name
            for t in expr.walk()
            if isinstance(t, (types.Model, types.Enumeration, types.Alias))
        )
    return {name for name in found if name}
