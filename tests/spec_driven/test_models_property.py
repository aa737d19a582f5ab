"""Property tests of every model against its schema.

For each component schema of the curated spec, hypothesis-jsonschema generates valid
instances: the generated model must parse each one, and its dump (by alias, without
unset fields) must validate against the schema again; an unknown field must be kept; an
instance with a wrong type in a required field must be rejected.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pydantic
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from generator.normalising import normalise
from generator.problems import Problems

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
REF = "#/components/schemas/"


@cache
def schemas() -> dict[str, Any]:
    """The component schemas as the models were generated from them (normalised)."""
    document = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    methods = yaml.safe_load((SPEC.parent / "sdk.yaml").read_text()).get(
        "methods"
    )  # they name the operations' classes
    return dict(
        normalise(document, str(SPEC), Problems(), methods).document["components"]["schemas"]
    )


def _strip(node: Any) -> Any:
    """OpenAPI-only keywords out, so that JSON Schema tools read the schema plainly."""
    if isinstance(node, dict):
        return {
            k: _strip(v)
            for k, v in node.items()
            if k not in ("discriminator", "example", "x-enum-varnames", "readOnly", "writeOnly")
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def inline(schema: Any, depth: int = 0, stack: tuple[str, ...] = ()) -> Any:
    """Resolve references; a recursive one, past one level, keeps only its non-recursive
    variants, so that generation terminates."""
    if isinstance(schema, list):
        return [inline(s, depth, stack) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref[len(REF) :]
        target = schemas()[name]
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
        if node.get("$ref") == REF + name:
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
        other = ref[len(REF) :]
        if other in seen:
            return False
        return _refers_back(schemas()[other], name, seen | {other})
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
    document = {"$ref": REF + name, "components": {"schemas": _strip(schemas())}}
    return jsonschema.Draft202012Validator(
        document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


NAMES = sorted(schemas())
# A format OpenAPI uses that hypothesis-jsonschema does not generate by itself.
FORMATS = {"uuid": st.uuids().map(str)}


def strategy(name: str) -> st.SearchStrategy[Any]:
    return from_schema(
        _strip(inline({"$ref": REF + name})), allow_x00=False, codec="utf-8", custom_formats=FORMATS
    )


def test_every_schema_has_a_model() -> None:
    from telnyx_ai import types as _models

    assert [n for n in NAMES if not hasattr(_models, n)] == []


def _wrong_value(schema: dict[str, Any]) -> Any:
    target = schema
    if "$ref" in schema:
        target = schemas()[schema["$ref"][len(REF) :]]
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
    schema = schemas()[name]
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


# Drawing instances is what costs (hypothesis-jsonschema merges subschemas at every draw:
# 6 s an instance for ConversationFlow), so every drawn instance serves all three checks.
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
