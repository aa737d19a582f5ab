"""Stage 1b: check the loaded spec before anything is built from it.

openapi-spec-validator checks the document against the OpenAPI schema; our own checks
cover what it does not and what would otherwise break generation: references that do
not resolve (or leave the file), duplicate operationIds, path parameters used but not
declared or declared but not used, unknown parameter locations, bodies without schemas.
Every problem is reported with its JSON pointer; the source map adds line and column.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .openapi import (
    SCHEMA_REF,
    VALUE_KEYWORDS,
    admits_null,
    deref,
    methods_of,
    resolve_pointer,
    walk,
)
from .parallel import Forked
from .problems import Problems, pointer, split_pointer

SUPPORTED_VERSIONS = ("3.0.", "3.1.")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
_TEMPLATE = re.compile(r"{([^}]+)}")
_WORDS = re.compile(r"[A-Za-z0-9]")


_MAX_REPORTED = 50
_Errors = tuple[list[tuple[str, tuple[Any, ...]]], int]


class SchemaCheck:
    """openapi-spec-validator's verdict, under way: calling it waits for the verdict and
    records it in the given problems; `cancel` stops it when it is no longer wanted."""

    def __init__(
        self, check: Forked[_Errors] | None = None, file: str = "", marker: Path | None = None
    ) -> None:
        self._check, self._file, self._marker = check, file, marker

    def __call__(self, problems: Problems) -> None:
        if self._check is None:
            return
        errors, found = self._check.result()
        self._check = None
        for message, path in errors:
            problems.error(f"not valid OpenAPI: {message}", self._file, pointer(*path))
        if found > _MAX_REPORTED:
            problems.error(f"not valid OpenAPI: {found - _MAX_REPORTED} more errors", self._file)
        if not found and self._marker is not None:
            try:
                self._marker.parent.mkdir(parents=True, exist_ok=True)
                self._marker.touch()
            except OSError:
                pass  # a cache that cannot be written only costs time

    def cancel(self) -> None:
        if self._check is not None:
            self._check.cancel()
            self._check = None


def _spec_errors(document: dict[str, Any]) -> _Errors:
    """The first errors of openapi-spec-validator (message, path) and how many it found."""
    from openapi_spec_validator import OpenAPIV30SpecValidator

    validator_class = (
        _v31_spec_validator()
        if str(document.get("openapi", "")).startswith("3.1")
        else OpenAPIV30SpecValidator
    )
    errors: list[tuple[str, tuple[Any, ...]]] = []
    seen: set[tuple[tuple[Any, ...], frozenset[str]]] = set()
    found = 0
    try:
        for error in validator_class(document).iter_errors():
            found += 1
            if found <= _MAX_REPORTED:
                taken = {path for _, path in errors}
                # the jsonschema-rs backend appends the schema and instance: the first line says it
                message = error.message.split("\n", 1)[0][:300]
                where = _absolute_path(document, tuple(error.path), error.instance, taken)
                said = (where, frozenset(re.findall(r"\w+", message.replace("types", "type"))))
                if said in seen:
                    found -= 1
                    continue  # the same finding in other words (two checks of one node)
                seen.add(said)
                errors.append((message, where))
    except Exception as exc:  # noqa: BLE001 - the validator's own failure is a finding too
        if not found:  # it stumbles over a shape it has already reported: that report says it
            errors.append(
                (f"openapi-spec-validator stopped: {type(exc).__name__}: {str(exc)[:200]}", ())
            )
            found += 1
    return errors, found


def _is_regex(text: str) -> bool:
    try:
        re.compile(text)
    except re.error:
        return False
    return True


@functools.cache
def _v31_spec_validator() -> Any:
    """openapi-spec-validator's 3.1 validator, with its check of every schema object against
    the OpenAPI 3.1 dialect done by jsonschema-rs instead of jsonschema: the same
    meta-schemas, and the one format of them that openapi-schema-validator checks (`regex`,
    by Python's `re`), in a fraction of the time (on the whole spec, most of the check).
    Where a piece of it is missing, openapi-spec-validator's own check runs."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    try:
        check = _dialect_check()
        from openapi_schema_validator import OAS31_BASE_DIALECT_ID
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
        from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator
    except Exception:  # noqa: BLE001 - the original check is correct, only slower
        return OpenAPIV31SpecValidator

    class SchemaObjects(OpenAPIV31SchemaValidator):
        def __call__(
            self, schema: Any, require_properties: bool = True, meta_checked: bool = False
        ) -> Any:
            value = schema.read_value()
            if not isinstance(value, (dict, bool)):  # its own error says not where; this one does
                where = _through_refs(getattr(schema.accessor, "node", None), schema.parts)
                yield OpenAPIValidationError(
                    f"{value!r} is not of type 'object', 'boolean'",
                    path=list(where or ()),
                    instance=value,
                )
                return
            try:
                yield from super().__call__(schema, require_properties, meta_checked)
            except (KeyError, TypeError, AttributeError):
                return  # it stumbled into a part of the wrong shape, which its check reported

        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Any:
            if self._get_schema_dialect_id(schema, schema_value) == OAS31_BASE_DIALECT_ID:
                return check
            return super()._get_schema_checker(schema, schema_value)

    class SpecValidator(OpenAPIV31SpecValidator):
        keyword_validators = {**OpenAPIV31SpecValidator.keyword_validators, "schema": SchemaObjects}

    return SpecValidator


def _dialect_check() -> Callable[[Any], None]:
    """A check of one schema object against the OpenAPI 3.1 dialect by jsonschema-rs, which
    raises jsonschema's SchemaError as openapi-spec-validator's own check does."""
    import jsonschema_rs
    from jsonschema.exceptions import SchemaError
    from openapi_schema_validator import OAS31_BASE_DIALECT_ID, OAS31Validator
    from openapi_schema_validator._specifications import REGISTRY

    vocabulary = "https://spec.openapis.org/oas/3.1/meta/base"
    dialect = OAS31Validator.META_SCHEMA
    registry = jsonschema_rs.Registry(
        [(vocabulary, REGISTRY.contents(vocabulary)), (OAS31_BASE_DIALECT_ID, dialect)]
    )
    anything = {
        "uri": lambda _: True,
        "uri-reference": lambda _: True,
    }  # not checked by the original either
    checker = jsonschema_rs.validator_for(
        dialect,
        registry=registry,
        validate_formats=True,
        formats={"regex": _is_regex, **anything},
    )

    def check(schema: Any) -> None:
        for error in checker.iter_errors(schema):
            raise SchemaError(
                error.message, path=list(error.instance_path), instance=error.instance
            )

    return check


def _through_refs(document: Any, parts: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Where in `document` the path `parts` ends, following the `$ref`s it goes through
    (`.../schema/items/id` with `items` a reference: `components/schemas/X/properties/id`)."""
    at: tuple[Any, ...] = ()
    node = document
    for token in parts:
        seen = 0
        while (
            isinstance(node, dict)
            and token not in node
            and isinstance(node.get("$ref"), str)
            and node["$ref"].startswith("#/")
            and seen < 50
        ):
            try:
                node, at, seen = (
                    resolve_pointer(document, node["$ref"]),
                    tuple(split_pointer(node["$ref"][1:])),
                    seen + 1,
                )
            except KeyError:
                return None
        if isinstance(node, dict) and token in node:
            node, at = node[token], (*at, token)
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            node, at = node[token], (*at, token)
        else:
            return None
    return at


def _absolute_path(
    document: Any, path: tuple[Any, ...], instance: Any, taken: set[tuple[Any, ...]]
) -> tuple[Any, ...]:
    """openapi-spec-validator checks each schema object on its own, so the path of an error
    inside a schema is relative to that schema; find the node it means in the document: the
    first one, in document order, that ends with this path, holds this value and no earlier
    error was placed at (one mistake made in three schemas is three errors)."""

    def walk(
        node: Any, at: tuple[Any, ...], avoid: set[tuple[Any, ...]]
    ) -> Iterator[tuple[Any, ...]]:
        if at[len(at) - len(path) :] == path and node == instance and at not in avoid:
            yield at
        children = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, child in children:
            yield from walk(child, (*at, key), avoid)

    try:
        if path not in taken and resolve_pointer(document, "#" + pointer(*path)) == instance:
            return path
    except KeyError:
        pass
    # a second error about a node already placed (two checks disagreeing in words) goes there too
    return next(walk(document, (), taken), None) or next(walk(document, (), set()), path)


def start_schema_check(
    document: dict[str, Any], file: str, cache_dir: Path | None = None
) -> SchemaCheck:
    """Validate against the OpenAPI schema (openapi-spec-validator), beside the caller.

    It takes a quarter of a second on the AI area and two on the whole Telnyx spec, so it runs in a
    forked child process while the caller goes on (normalising and modelling take longer),
    and a spec that passed once is remembered by the SHA-256 of its content (never by
    timestamps) in `cache_dir`.
    """
    marker = None
    if cache_dir is not None:
        digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        marker = cache_dir / f"valid-{digest}"
        if marker.exists():
            return SchemaCheck()
    return SchemaCheck(Forked(lambda: _spec_errors(document)), file, marker)


def validate_spec(
    document: dict[str, Any], file: str, problems: Problems, cache_dir: Path | None = None
) -> SchemaCheck:
    """Check what the later stages rely on, in-process, while the check against the OpenAPI
    schema runs in a child process; the returned SchemaCheck waits for its verdict (it
    records nothing when our own checks found errors)."""
    version = document.get("openapi")
    if version is None:
        problems.error("not an OpenAPI document: no `openapi` key", file)
    elif not isinstance(version, str) or not version.startswith(SUPPORTED_VERSIONS):
        problems.error(
            f"OpenAPI version {version!r} is not supported (3.0.x or 3.1.x)", file, "/openapi"
        )
    elif not isinstance(document.get("paths"), dict):
        problems.error("the spec has no `paths` mapping", file, "/paths")
    else:
        # The slow check against the OpenAPI schema starts first and runs beside ours.
        ignored_defaults = Problems()  # located when they join the others
        check = start_schema_check(
            _without_null_defaults(document, (), file, ignored_defaults), file, cache_dir
        )
        try:
            _check_refs(document, file, problems)
            _check_schemas(document, file, problems)
            _check_operations(document, file, problems)
        except Exception:
            # Our checks take the shapes of OpenAPI for granted (`parameters` a list, ...);
            # a document that breaks them is reported by the OpenAPI schema's own errors,
            # which say what is wrong and where. Only an error the schema does not explain
            # is ours, and raised.
            check(problems)
            if problems.errors:
                return SchemaCheck()
            raise
        if not problems.errors:
            problems.extend(ignored_defaults)
            return check
        check.cancel()
    return SchemaCheck()


def _without_null_defaults(
    node: Any, at: tuple[str | int, ...], file: str, problems: Problems
) -> Any:
    """`default: null` on a schema that does not admit null (63 times in Telnyx's spec) is
    ignored with a warning; the normaliser drops it too."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if (
                key == "default"
                and value is None
                and not admits_null(node)
                and ("type" in node or "$ref" in node)
            ):
                problems.warning(
                    "`default: null` on a schema that does not admit null is ignored",
                    file,
                    pointer(*at, "default"),
                )
                continue
            skip = key in VALUE_KEYWORDS
            out[key] = value if skip else _without_null_defaults(value, (*at, key), file, problems)
        return out
    if isinstance(node, list):
        return [_without_null_defaults(v, (*at, i), file, problems) for i, v in enumerate(node)]
    return node


def _check_refs(document: dict[str, Any], file: str, problems: Problems) -> None:
    for node, at in walk(document):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        here = pointer(*at, "$ref")
        if not ref.startswith("#/"):
            problems.error(
                f"reference {ref!r} points outside this file; only local references "
                "(#/...) are supported and nothing is fetched at generation time",
                file,
                here,
            )
        else:
            try:
                resolve_pointer(document, ref)
            except KeyError:
                problems.error(f"reference {ref!r} does not resolve", file, here)


def _direct_refs(
    schema: Any, at: tuple[str | int, ...]
) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """The component schemas that `schema` is made of without a container in between:
    its own `$ref` and those of its anyOf / oneOf / allOf members, however nested; with
    the pointer tokens of each `$ref`. A property or an array item is a container: a
    type that refers to itself through one (a tree) is fine."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
        yield ref[len(SCHEMA_REF) :], (*at, "$ref")
    for combiner in ("anyOf", "oneOf", "allOf"):
        members = schema.get(combiner)
        if isinstance(members, list):
            for index, member in enumerate(members):
                yield from _direct_refs(member, (*at, combiner, index))


def _check_schemas(document: dict[str, Any], file: str, problems: Problems) -> None:
    """Reference cycles that no container breaks (`A: {$ref: B}`, `B: {anyOf: [A]}`: a
    type made of itself), and property names no Python name can be made from."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    edges = {
        name: list(_direct_refs(schema, ("components", "schemas", name)))
        for name, schema in schemas.items()
    }
    reported: set[frozenset[str]] = set()
    for start in schemas:
        # depth first from `start`, along direct references only, back to `start`
        stack: list[tuple[str, list[str], tuple[str | int, ...]]] = [(start, [start], ())]
        seen = {start}
        while stack:
            name, chain, first = stack.pop()
            for target, at in edges.get(name, ()):
                where = first or at
                if target == start:
                    if frozenset(chain) not in reported:
                        reported.add(frozenset(chain))
                        problems.error(
                            "reference cycle with no schema in it: " + " -> ".join([*chain, start]),
                            file,
                            pointer(*where),
                        )
                elif target in edges and target not in seen:
                    seen.add(target)
                    stack.append((target, [*chain, target], where))
    _check_property_names(schemas, ("components", "schemas"), file, problems)
    _check_property_names(
        document.get("paths"), ("paths",), file, problems, formats=False
    )  # the inline schemas


KNOWN_FORMATS = frozenset(
    {
        "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
        "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid",
        "json-pointer", "relative-json-pointer", "regex", "int32", "int64", "float", "double",
        "byte", "binary", "password", "decimal", "url",
    }
)  # fmt: skip


def _check_property_names(
    node: Any, at: tuple[str | int, ...], file: str, problems: Problems, formats: bool = True
) -> None:
    for schema, where in walk(node, at):
        fmt = schema.get("format")
        if (
            formats
            and isinstance(fmt, str)
            and fmt not in KNOWN_FORMATS
            and isinstance(schema.get("type"), (str, list))
        ):
            problems.warning(
                f"unknown format {fmt!r} is ignored; the value is typed by its `type` only",
                file,
                pointer(*where, "format"),
            )
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for prop in properties:
                if not _WORDS.search(str(prop)):
                    problems.error(
                        f"property name {prop!r} has no letter or digit to make a Python name from",
                        file,
                        pointer(*where, "properties", prop),
                    )


def _check_operations(document: dict[str, Any], file: str, problems: Problems) -> None:
    operation_ids: dict[str, str] = {}
    templates: dict[str, str] = {}
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            problems.error("a path item must be a mapping", file, pointer("paths", path))
            continue
        shape = _TEMPLATE.sub("{}", path.rstrip("/")) or "/"
        if shape in templates:
            problems.error(
                f"path {path!r} is the same as {templates[shape]!r} once parameter names are "
                "set aside",
                file,
                pointer("paths", path),
            )
        templates.setdefault(shape, path)
        shared = [deref(document, p) for p in item.get("parameters", []) or []]
        for method, operation in methods_of(item):
            at = ("paths", path, method)
            if not isinstance(operation, dict):
                problems.error("an operation must be a mapping", file, pointer(*at))
                continue
            operation_id = operation.get("operationId")
            if isinstance(operation_id, str):
                if operation_id in operation_ids:
                    problems.error(
                        f"duplicate operationId {operation_id!r} "
                        f"(also at {operation_ids[operation_id]})",
                        file,
                        pointer(*at, "operationId"),
                    )
                else:
                    operation_ids[operation_id] = f"{method.upper()} {path}"
            _check_parameters(document, operation, shared, at, file, problems)
            _check_body(deref(document, operation.get("requestBody")), at, file, problems)


def _check_parameters(
    document: dict[str, Any],
    operation: dict[str, Any],
    shared: list[Any],
    at: tuple[str, str, str],
    file: str,
    problems: Problems,
) -> None:
    """An operation's parameters and those of its path item (`index` -1): names, locations,
    schemas, and the path parameters against the path's template."""
    path = at[1]
    templated = _TEMPLATE.findall(path)
    parameters = [
        (i, deref(document, p)) for i, p in enumerate(operation.get("parameters", []) or [])
    ]
    declared_path = set()
    for index, parameter in parameters + [(-1, p) for p in shared]:
        if not isinstance(parameter, dict):
            continue
        where = (
            pointer(*at, "parameters", index)
            if index >= 0
            else pointer("paths", path, "parameters")
        )
        name = parameter.get("name")
        if not _WORDS.search(str(parameter.get("name", ""))):
            problems.error(
                f"parameter name {name!r} has no letter or digit to make a Python name from",
                file,
                where + "/name",
            )
            continue
        location = parameter.get("in")
        if location not in PARAMETER_LOCATIONS:
            problems.error(
                f"parameter {name!r} has unknown location {location!r} "
                f"(expected one of {', '.join(PARAMETER_LOCATIONS)})",
                file,
                where + "/in",
            )
        if location == "path":
            declared_path.add(name)
            if name not in templated:
                problems.error(
                    f"path parameter {name!r} is declared but not used in {path!r}", file, where
                )
        if "schema" not in parameter and "content" not in parameter:
            problems.error(f"parameter {name!r} has no schema", file, where)
    for name in templated:
        if name not in declared_path:
            problems.error(
                f"path parameter {{{name}}} is used in {path!r} but not declared",
                file,
                pointer(*at),
            )


def _check_body(body: Any, at: tuple[str, ...], file: str, problems: Problems) -> None:
    if not isinstance(body, dict) or not body:
        return
    content = body.get("content")
    if not isinstance(content, dict) or not content:
        problems.error("request body has no content", file, pointer(*at, "requestBody"))
        return
    for media_type, media in content.items():
        if not isinstance(media, dict) or "schema" not in media:
            problems.error(
                f"request body {media_type} has no schema",
                file,
                pointer(*at, "requestBody", "content", media_type),
            )
