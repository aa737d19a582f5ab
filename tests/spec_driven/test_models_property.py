"""Property tests of every model against its schema in the curated spec.

The oracle is spec/ai-assistants.openapi.yaml read as plain YAML (support.operations),
never the normaliser's output: a model generated from a schema the normaliser got wrong
disagrees with the spec, and fails here. For each model of the package,
hypothesis-jsonschema generates instances valid against its schema in the spec: the model
must parse each one, and its dump (by alias, without unset fields) must validate against
the schema again; an unknown field must be kept; an instance with a wrong type in a
required field must be rejected.

Where a model's schema is: a component schema under its own name (or the class name of a
name that is not one, `callConversationEnded` -> `CallConversationEnded`); a schema the
normaliser named inside a component (`TelephonySettings/properties/voicemail_detection` ->
`TelephonySettingsVoicemailDetection`) at the place the normaliser says it came from (its
`origins`: only the place is asked of it, never the schema; a wrong place is a schema the
model does not agree with); an operation's query parameters, body or answer at that
operation, which the generated method names (`query_model=`, `body_model=`, `cast_to=`).
"""

from __future__ import annotations

import copy
import enum
import inspect
import re
from functools import cache
from typing import Any

import jsonschema
import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from support.operations import (
    CONFIG,
    OPERATIONS,
    PAGE_OBJECT,
    SPEC,
    SPEC_PATH,
    deref,
    is_deep_object,
    method_of,
)

QUERIES = "x-query-models"  # where the query models' schemas are put, beside the spec's own
# OpenAPI keywords that are annotations to JSON Schema tools, or that they do not know.
ANNOTATIONS = ("discriminator", "example", "readOnly", "writeOnly", "xml", "externalDocs")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _at(pointer: str) -> Any:
    """The node at ``pointer`` in the spec (or among the query models)."""
    node: Any = {**SPEC, QUERIES: query_models()}
    for token in pointer.lstrip("/").split("/"):
        node = node[int(token)] if isinstance(node, list) else node[_unescape(token)]
    return node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def class_name(component: str) -> str:
    """A component's class name: as it is where it is one, else its words capitalised."""
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", component):
        return component
    words = re.split(r"[^A-Za-z0-9]+", component)
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def query_schema(op: Any) -> dict[str, Any]:
    """The object an operation's query parameters make, keyed by wire name; the page object
    is its properties, `page[number]`, as the SDK takes them; any other deepObject is one
    property, an object (`filter`)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    item = SPEC["paths"][op.path]
    for parameter in [*(item.get("parameters") or []), *(op.spec.get("parameters") or [])]:
        parameter = deref(parameter)
        if parameter.get("in") != "query":
            continue
        name, schema = parameter["name"], parameter.get("schema") or {}
        if is_deep_object(parameter) and name == PAGE_OBJECT and "properties" in deref(schema):
            properties.update({f"{name}[{k}]": v for k, v in deref(schema)["properties"].items()})
            continue
        properties[name] = schema
        if parameter.get("required"):
            required.append(name)
    return {
        "type": "object",
        "properties": properties,
        **({"required": required} if required else {}),
    }


def _wired(op: Any) -> list[tuple[str, str]]:
    """(keyword, model) pairs of the generated method of ``op``: the models it validates
    its query and body with and parses its answer into."""
    from telnyx_ai import Telnyx

    source = inspect.getsource(method_of(Telnyx(api_key="k"), op.dotted))
    return re.findall(r"\b(query_model|body_model|cast_to)=types_\.(\w+)", source)


@cache
def locations() -> dict[str, str]:
    """Each model of the package -> a JSON pointer to its schema in the spec (the query
    models' under QUERIES)."""
    from generator.normalising import normalise
    from generator.problems import Problems
    from telnyx_ai import types

    found = {
        class_name(name): f"/components/schemas/{_escape(name)}"
        for name in SPEC["components"]["schemas"]
    }
    normalised = normalise(copy.deepcopy(SPEC), str(SPEC_PATH), Problems(), CONFIG.get("methods"))
    for name, origin in normalised.origins.items():
        found.setdefault(name, origin)
    for op in OPERATIONS:
        for keyword, name in _wired(op):
            if name in found:
                continue
            if keyword == "query_model":
                found[name] = f"/{QUERIES}/{name}"
                # a query parameter's own model (an enum): the query model's name and its
                # own, `AiRetrieveConversationHistoriesQuery` + `region`
                for wire in query_schema(op)["properties"]:
                    if hasattr(types, name + class_name(wire)):
                        found.setdefault(
                            name + class_name(wire),
                            f"/{QUERIES}/{name}/properties/{_escape(wire)}",
                        )
            elif keyword == "body_model":
                found[name] = "/" + "/".join(
                    _escape(t)
                    for t in (
                        "paths",
                        op.path,
                        op.method,
                        "requestBody",
                        "content",
                        op.body_content,
                        "schema",
                    )
                )
            else:
                status, _, _, media = op.success
                response = op.spec["responses"].get(str(status), op.spec["responses"].get(status))
                where = ["paths", op.path, op.method, "responses", str(status)]
                if "$ref" in response:
                    where = _unescape_pointer(response["$ref"])
                found[name] = "/" + "/".join(
                    _escape(t) for t in [*where, "content", str(media), "schema"]
                )
    return found


def _unescape_pointer(ref: str) -> list[str]:
    return [_unescape(t) for t in ref.lstrip("#/").split("/")]


@cache
def query_models() -> dict[str, Any]:
    return {
        name: query_schema(op)
        for op in OPERATIONS
        for keyword, name in _wired(op)
        if keyword == "query_model"
    }


@cache
def document() -> dict[str, Any]:
    """The spec as one JSON Schema resource: its OpenAPI annotations out (see
    `json_schema`), the query models beside it."""
    return json_schema({**SPEC, QUERIES: query_models()})


def schema_of(name: str) -> Any:
    """The spec's schema of model ``name`` (references still in place)."""
    return _at(locations()[name])


COMBINERS = ("oneOf", "anyOf", "allOf", "not")
# keywords whose value maps names (never keywords) to schemas
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def json_schema(node: Any, variant: bool = False) -> Any:
    """The spec's schema as JSON Schema tools must read it to agree with OpenAPI readers:

    * OpenAPI's own keywords out (`discriminator`, `example`, `readOnly`, `writeOnly`,
      `xml`, `externalDocs`: annotations, or unknown to JSON Schema); extensions (`x-...`)
      and values (`enum`, `const`, `default`, `examples`) kept as they are, and so are the
      names of `properties` (a property may be called `example`);
    * `properties` without a `type` (nor a `$ref` or combiner) is an object, as OpenAPI
      readers (and the models) take it, where JSON Schema would admit any non-object too;
      not inside a combiner's variant, which only adds constraints to its parent.

    The spec is OpenAPI 3.1, whose schemas are JSON Schema 2020-12: it has no `nullable`
    (a 3.0 keyword) to rewrite. ``enum_class_schema`` is the one other adjustment."""
    if isinstance(node, list):
        return [json_schema(v, variant) for v in node]
    if not isinstance(node, dict):
        return node
    schema = {}
    for key, value in node.items():
        if key in ANNOTATIONS:
            continue
        if key in ("enum", "const", "default", "examples") or key.startswith("x-"):
            schema[key] = value
        elif key in SCHEMA_MAPS and isinstance(value, dict):  # names -> schemas
            schema[key] = {name: json_schema(sub) for name, sub in value.items()}
        else:
            schema[key] = json_schema(value, key in COMBINERS)
    if (
        not variant
        and isinstance(schema.get("properties"), dict)
        and not ({"type", "$ref", "allOf", "oneOf", "anyOf", "not"} & set(schema))
    ):
        schema["type"] = "object"
    return schema


def _target(ref: str) -> tuple[str, Any]:
    """A reference's name (for recursion) and its schema in the spec."""
    assert ref.startswith("#/"), ref
    return ref, _at(ref[1:])


def inline(schema: Any, depth: int = 0, stack: tuple[str, ...] = ()) -> Any:
    """Resolve references; a recursive one, past one level, keeps only its non-recursive
    variants, so that generation terminates."""
    if isinstance(schema, list):
        return [inline(s, depth, stack) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name, target = _target(ref)
        if stack.count(name) >= 1:
            return inline(_base_case(target, name), depth + 1, (*stack, name))
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return {**inline(copy.deepcopy(target), depth + 1, (*stack, name)), **rest}
    return {
        k: inline(v, depth, stack) if k not in ("enum", "const", "default", "examples") else v
        for k, v in schema.items()
    }


def _references(node: Any, name: str) -> bool:
    if isinstance(node, dict):
        if node.get("$ref") == name:
            return True
        return any(_references(v, name) for v in node.values())
    if isinstance(node, list):
        return any(_references(v, name) for v in node)
    return False


def _base_case(target: dict[str, Any], name: str) -> dict[str, Any]:
    """The schema without its way back to itself: a union keeps its other variants, an
    object loses the optional properties that lead back (they must then be absent)."""
    variants = target.get("oneOf") or target.get("anyOf")
    if variants:
        leaves = [v for v in variants if not _refers_back(v, name)]
        return {"oneOf": leaves}
    properties = target.get("properties")
    if isinstance(properties, dict):
        required = set(target.get("required") or [])
        back = {
            key
            for key, sub in properties.items()
            if key not in required and _refers_back(sub, name)
        }
        return {
            **target,
            "properties": {key: False if key in back else sub for key, sub in properties.items()},
        }
    return target


def _refers_back(variant: Any, name: str, seen: frozenset[str] = frozenset()) -> bool:
    if _references(variant, name):
        return True
    ref = variant.get("$ref") if isinstance(variant, dict) else None
    if isinstance(ref, str):
        other, target = _target(ref)
        if other in seen:
            return False
        return _refers_back(target, name, seen | {other})
    if isinstance(variant, dict):
        return any(
            _refers_back(v, name, seen) for v in variant.values() if isinstance(v, (dict, list))
        )
    if isinstance(variant, list):
        return any(_refers_back(v, name, seen) for v in variant)
    return False


def model(name: str) -> Any:
    from telnyx_ai import types as _models

    value = getattr(_models, name)
    return value if hasattr(value, "model_validate") else pydantic.TypeAdapter(value)


def validate(adapter: Any, data: Any) -> Any:
    return (
        adapter.model_validate(data)
        if hasattr(adapter, "model_validate")
        else adapter.validate_python(data)
    )


def dump(adapter: Any, value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return pydantic.TypeAdapter(Any).dump_python(
        value, mode="json", by_alias=True, exclude_unset=True
    )


def validator(name: str) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(
        {**document(), "$ref": "#" + locations()[name]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


NAMES = sorted(locations())
# A format OpenAPI uses that hypothesis-jsonschema does not generate by itself.
FORMATS = {"uuid": st.uuids().map(str)}


def enum_class_schema(name: str, schema: Any) -> Any:
    """The second adjustment: an enum schema that admits null (`null` among its values, or
    in its type) is an enum class of its strings, and each field of that type is
    `X | None`. So the class itself is drawn from the strings; null is drawn where the
    class is used, by the models of those fields."""
    from telnyx_ai import types

    model_class = getattr(types, name)
    if not (isinstance(model_class, type) and issubclass(model_class, enum.Enum)):
        return schema
    target = deref(schema)
    values = [v for v in target.get("enum") or [] if v is not None]
    kinds = target.get("type")
    if isinstance(kinds, list):
        kinds = [k for k in kinds if k != "null"]
    return (
        {**target, **({"enum": values} if "enum" in target else {}), "type": kinds}
        if kinds
        else {**target, "enum": values}
    )


def strategy(name: str) -> st.SearchStrategy[Any]:
    schema = enum_class_schema(name, schema_of(name))
    return from_schema(
        json_schema(inline(schema)), allow_x00=False, codec="utf-8", custom_formats=FORMATS
    )


def test_every_model_has_its_schema_in_the_spec() -> None:
    """The models under test are the models of the package: every component schema of the
    spec is one, and every model class the package exports is one of them."""
    from telnyx_ai import types as _models

    assert [n for n in NAMES if not hasattr(_models, n)] == []
    exported = {
        n
        for n in _models.__all__
        if isinstance(getattr(_models, n), type)
        and issubclass(getattr(_models, n), pydantic.BaseModel)
    }
    # the event of a webhook type the SDK does not know yet: the SDK's own, not the spec's
    assert sorted(exported - set(NAMES)) == ["UnknownWebhookEvent"]


def _wrong_value(schema: dict[str, Any]) -> Any:
    target = deref(schema)
    kinds = target.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "null" in kinds:
        return None
    if target.get("enum") or "const" in target:
        return ["not", "a", "tag"]
    if "string" in kinds:
        return {"not": "a string"}
    if "integer" in kinds or "number" in kinds:
        return "not a number"
    if "boolean" in kinds:
        return "maybe"
    if "array" in kinds:
        return 42
    if "object" in kinds or target.get("properties") or target.get("oneOf") or target.get("anyOf"):
        return 42
    return None


def wrong_field(name: str) -> tuple[str, Any] | None:
    """The first required field of the schema, with a value of a wrong type for it."""
    schema = deref(schema_of(name))
    for field in (schema.get("required") or [])[:1]:
        wrong = _wrong_value(schema.get("properties", {}).get(field, {}))
        if wrong is not None:
            return field, wrong
    return None


def is_object_model(name: str) -> bool:
    value = model(name)
    return (
        isinstance(value, type)
        and issubclass(value, pydantic.BaseModel)
        and bool(value.model_fields)
    )


# Drawing instances is what costs (hypothesis-jsonschema merges subschemas at every draw;
# ConversationFlow is the slowest case of this file), so every drawn instance serves all
# three checks.
# The budget is the hypothesis profile's (tests/conftest.py): a few examples in `make
# test`, many in `make test-deep`.
@pytest.mark.parametrize("name", NAMES)
def test_model_agrees_with_its_schema(name: str) -> None:
    """For instances valid against the schema: the model parses each one and its dump (by
    alias, without unset fields) validates against the schema again; a field newer than the
    SDK is kept, not refused (even where the spec says `additionalProperties: false`); a
    wrong type in a required field is rejected, pointing at that field."""
    adapter = model(name)
    check = validator(name)
    wrong = wrong_field(name)
    open_model = is_object_model(name)

    @given(strategy(name))
    def agrees(instance: Any) -> None:
        value = validate(adapter, instance)
        dumped = dump(adapter, value)
        errors = sorted(check.iter_errors(dumped), key=str)
        where = list(errors[0].absolute_path) if errors else None
        assert not errors, f"{name}: dump does not validate: {errors[0].message} at {where}"
        if open_model and isinstance(instance, dict):
            newer = validate(adapter, {**instance, "field_from_the_future": [1, "two"]})
            assert newer.model_extra is not None and newer.model_extra["field_from_the_future"] == [
                1,
                "two",
            ]
        if wrong is not None:
            field, bad = wrong
            with pytest.raises(pydantic.ValidationError) as info:
                validate(adapter, {**instance, field: bad})
            assert any(
                e["loc"] and e["loc"][0] == field or field in str(e["loc"])
                for e in info.value.errors()
            )

    agrees()


def test_every_kind_of_check_applies_to_some_schema() -> None:
    """The combined test above must keep exercising each of its three checks."""
    assert sum(1 for n in NAMES if wrong_field(n) is not None) > 50
    assert sum(1 for n in NAMES if is_object_model(n)) > 100
