"""The check against the OpenAPI schema: its fast schema-object check (jsonschema-rs) finds
what openapi-spec-validator's own check finds, at the same places."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import validating

SPEC = Path(__file__).resolve().parents[2] / "spec" / "ai-assistants.openapi.yaml"

# one way to break a schema object for each kind of rule of the 3.1 dialect
MUTATIONS: dict[str, tuple[str, Any]] = {
    "unknown type": ("type", "integr"),
    "pattern that is no regex": ("pattern", "[a-"),
    "enum that is no list": ("enum", "small"),
    "required that is no list": ("required", "name"),
    "minimum that is no number": ("minimum", "1"),
    "discriminator without a string name": ("discriminator", {"propertyName": 7}),
    "xml name that is no string": ("xml", {"name": 3}),
    "negative maxLength": ("maxLength", -1),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    return loaded


def _paths(
    document: dict[str, Any], original: bool, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[Any, ...]]:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    with monkeypatch.context() as patch:
        if original:
            patch.setattr(validating, "_v31_spec_validator", lambda: OpenAPIV31SpecValidator)
        errors, found = validating._spec_errors(document)
    assert found == len(errors)
    return sorted(path for _, path in errors)


def test_the_fast_check_is_in_use() -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    assert validating._v31_spec_validator() is not OpenAPIV31SpecValidator


def test_both_checks_pass_the_curated_spec(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _paths(document, False, monkeypatch) == _paths(document, True, monkeypatch) == []


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_both_checks_find_the_same_broken_schemas(
    document: dict[str, Any], mutation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, value = MUTATIONS[mutation]
    broken = copy.deepcopy(document)
    names = sorted(broken["components"]["schemas"])[::25]  # ten schemas across the spec
    for name in names:
        broken["components"]["schemas"][name][key] = value
    fast = _paths(broken, False, monkeypatch)
    assert fast == _paths(broken, True, monkeypatch)
    assert {path[:3] for path in fast} == {("components", "schemas", name) for name in names}
