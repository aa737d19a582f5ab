"""What every stage knows of OpenAPI documents: their operations, their schemas and
references, the verbs of HTTP. Helpers only, no stage: each stage imports them from here
and never another stage's internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .problems import split_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SCHEMA_REF = "#/components/schemas/"
# Keywords whose value is data (an instance, a list of them), never a schema: a walk over
# schemas does not go into them (an example may hold a `$ref` key that refers to nothing).
VALUE_KEYWORDS = ("example", "examples", "default", "enum", "const")
# Keywords whose value maps names to schemas.
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# The validation keywords that constrain a value (a string, a number or an array). A schema
# with one of them is a type of its own to the model generator (an alias, were it an item or
# a variant), and a change of one is a fix to the API diff.
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
)
# What an HTTP method does to a collection (`/things`) and to one item of it (`/things/{id}`),
# as the official SDKs name their methods.
VERB_NAMES: dict[str, tuple[str, str]] = {
    "get": ("list", "retrieve"),
    "post": ("create", "update"),
    "put": ("update", "update"),
    "patch": ("update", "update"),
    "delete": ("delete", "delete"),
}


def verb_name(method: str, on_item: bool) -> str:
    """The method name of `method` on a collection or on an item; an unusual verb (`head`)
    is its own name."""
    names = VERB_NAMES.get(method)
    return names[on_item] if names else method


# -- operations ----------------------------------------------------------------------------
def methods_of(item: Any) -> Iterator[tuple[str, Any]]:
    """The operations of a path item, (method, operation), in the document's order."""
    if isinstance(item, dict):
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, operation


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation of the document that is a mapping: (path, method, operation)."""
    for path, item in (document.get("paths") or {}).items():
        for method, operation in methods_of(item):
            if isinstance(operation, dict):
                yield path, method, operation


# -- schemas ----------------------------------------------------------------------------
def walk(
    node: Any, at: tuple[str | int, ...] = (), *, values: bool = False
) -> Iterator[tuple[dict[str, Any], tuple[str | int, ...]]]:
    """Every mapping in `node` with its path of pointer tokens, `node` first, depth first in
    the document's order; into the value of a VALUE_KEYWORDS keyword only with `values`."""
    if isinstance(node, dict):
        yield node, at
        for key, value in node.items():
            if values or key not in VALUE_KEYWORDS:
                yield from walk(value, (*at, key), values=values)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*at, index), values=values)


def iter_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in `node`, `node` first, depth first, the values of examples too."""
    for mapping, _ in walk(node, values=True):
        yield mapping


def iter_refs(node: Any) -> Iterator[str]:
    """Every `$ref` in `node`, in document order."""
    for mapping in iter_nodes(node):
        ref = mapping.get("$ref")
        if isinstance(ref, str):
            yield ref


def ref_name(schema: Any) -> str | None:
    """The component schema that `schema` refers to (`{$ref: '#/components/schemas/X'}`)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
        return ref[len(SCHEMA_REF) :]
    return None


def admits_null(schema: dict[str, Any]) -> bool:
    """Whether `null` is a value of `schema` (3.1 types, 3.0 `nullable`, an enum with null)."""
    kind = schema.get("type")
    if kind is None and "$ref" not in schema:
        enum = schema.get("enum")
        return not isinstance(enum, list) or not enum or None in enum
    if isinstance(kind, list):
        return "null" in kind
    return kind == "null" or schema.get("nullable") is True


def literal_value(schema: Any) -> Any:
    """The single value a `const` or one-value `enum` schema admits, else None."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return enum[0]
    return None


# -- references -----------------------------------------------------------------------------
def _renamed(target: object, renames: dict[str, str], bare: bool) -> object:
    """A reference (or, where `bare`, a mapping's bare schema name) after `renames`."""
    if isinstance(target, str) and target.startswith(SCHEMA_REF):
        name = target[len(SCHEMA_REF) :]
        return SCHEMA_REF + renames[name] if name in renames else target
    return renames.get(target, target) if bare and isinstance(target, str) else target


def rewrite_refs(node: Any, renames: dict[str, str]) -> None:
    """Rewrite `#/components/schemas/OLD` references in place, and the values of
    discriminator mappings (references or bare names) alike."""
    if isinstance(node, dict):
        if "$ref" in node:
            node["$ref"] = _renamed(node["$ref"], renames, bare=False)
        discriminator = node.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if isinstance(mapping, dict):
            for tag, target in mapping.items():
                mapping[tag] = _renamed(target, renames, bare=True)
        for value in node.values():
            rewrite_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            rewrite_refs(value, renames)


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node a local reference (`#/a/b`) names; KeyError when there is none."""
    node = document
    for token in split_pointer(ref[1:]):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def deref(document: dict[str, Any], node: Any) -> Any:
    """Follow `$ref`s (of parameters, bodies, responses) to what they name."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen.add(ref)
        try:
            node = resolve_pointer(document, ref)
        except KeyError:
            return {}
    return node


def parameters_of(document: dict[str, Any], path: str, method: str) -> list[Any]:
    """The parameters of an operation, those of its path item first, references followed."""
    item = document["paths"][path]
    declared = [*(item.get("parameters") or []), *(item[method].get("parameters") or [])]
    return [deref(document, p) for p in declared]


def split_target(target: str) -> tuple[str, str]:
    """`GET /things` -> ("get", "/things"); a path alone (`/things`) -> ("", "/things"): how
    the SDK config names an operation, or each of a path's."""
    method, _, path = target.rpartition(" ")
    return method.lower(), path


# -- query parameters ------------------------------------------------------------------
# The object query parameter that pages a list (`page[number]`, `page[size]`, `page[after]`):
# its properties are one keyword argument each (`page_number=`), as the official SDKs take
# them and as pagination reads them. Every other object parameter (a deepObject: `filter`,
# `sort`, `created_at`) is one argument, a dict sent as `filter[status][eq]=x`.
PAGE_OBJECT = "page"


def schemas_named(schema: Any, schemas: dict[str, Any]) -> Iterator[str]:
    """The component schemas that `schema` refers to: by `$ref` (to the schema or into it)
    and by the names or references of its discriminators' mappings."""
    for node in iter_nodes(schema):
        discriminator = node.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        for target in [node.get("$ref"), *(mapping.values() if isinstance(mapping, dict) else ())]:
            if not isinstance(target, str):
                continue
            name = (
                split_pointer(target[len(SCHEMA_REF) :])[0]
                if target.startswith(SCHEMA_REF)
                else target
            )
            if name in schemas:
                yield name
