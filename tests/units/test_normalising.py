"""The normaliser's rules, one each, on small inline documents."""

from __future__ import annotations

from typing import Any

from generator.normalising import normalise
from generator.problems import Problems


def _spec(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def _normalised(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    problems = Problems()
    document = normalise(_spec(schemas, paths), "spec.yaml", problems).document
    assert not problems.errors, [p.render() for p in problems]
    return document


def test_schema_names_become_class_names_and_references_follow() -> None:
    document = _normalised(
        {
            "inference-embedding_thing": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
            },
            "Holder": {
                "type": "object",
                "properties": {"thing": {"$ref": "#/components/schemas/inference-embedding_thing"}},
            },
        }
    )
    schemas = document["components"]["schemas"]
    assert "InferenceEmbeddingThing" in schemas
    assert schemas["Holder"]["properties"]["thing"] == {
        "$ref": "#/components/schemas/InferenceEmbeddingThing"
    }


def test_a_name_the_models_module_imports_gets_a_suffix() -> None:
    schemas = _normalised({"Field": {"type": "string", "enum": ["a", "b"]}})["components"][
        "schemas"
    ]
    assert list(schemas) == ["FieldSchema"]


def test_nullable_of_openapi_3_0_becomes_a_null_type() -> None:
    schemas = _normalised(
        {"Thing": {"type": "object", "properties": {"n": {"type": "string", "nullable": True}}}}
    )["components"]["schemas"]
    assert schemas["Thing"]["properties"]["n"] == {"type": ["string", "null"]}


def test_closed_objects_are_opened() -> None:
    schemas = _normalised(
        {"Thing": {"type": "object", "additionalProperties": False, "properties": {"a": {}}}}
    )["components"]["schemas"]
    assert "additionalProperties" not in schemas["Thing"]


def test_an_allof_wrapping_one_reference_is_the_reference() -> None:
    schemas = _normalised(
        {
            "Base": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Holder": {
                "type": "object",
                "properties": {
                    "base": {"allOf": [{"$ref": "#/components/schemas/Base"}], "description": "d"}
                },
            },
        }
    )["components"]["schemas"]
    assert schemas["Holder"]["properties"]["base"] == {
        "$ref": "#/components/schemas/Base",
        "description": "d",
    }


def test_an_inline_object_is_hoisted_into_a_named_component() -> None:
    schemas = _normalised(
        {
            "Assistant": {
                "type": "object",
                "properties": {
                    "voice": {"type": "object", "properties": {"id": {"type": "string"}}}
                },
            }
        }
    )["components"]["schemas"]
    assert schemas["Assistant"]["properties"]["voice"] == {
        "$ref": "#/components/schemas/AssistantVoice"
    }
    assert schemas["AssistantVoice"]["properties"] == {"id": {"type": "string"}}


def test_variants_with_distinct_type_tags_get_a_discriminator() -> None:
    def tagged(tag: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"const": tag}},
        }

    schemas = _normalised(
        {
            "Cat": tagged("cat"),
            "Dog": tagged("dog"),
            "Pet": {
                "anyOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ]
            },
        }
    )["components"]["schemas"]
    assert "anyOf" not in schemas["Pet"]
    assert schemas["Pet"]["discriminator"] == {
        "propertyName": "type",
        "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
    }


def test_an_operations_query_parameters_become_one_model() -> None:
    paths = {
        "/things": {
            "get": {
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {"name": "id", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"204": {"description": "none"}},
            }
        }
    }
    document = _normalised({}, paths)
    operation = document["paths"]["/things"]["get"]
    model = document["components"]["schemas"][operation["x-query-model"]]
    assert operation["x-query-model"] == "ThingsListQuery"
    assert model == {
        "type": "object",
        "properties": {"limit": {"type": "integer"}},
        "required": ["limit"],
    }


def test_enum_members_are_named_and_values_differing_in_case_keep_it() -> None:
    schemas = _normalised({"Provider": {"type": "string", "enum": ["telnyx", "Telnyx", "no-one"]}})[
        "components"
    ]["schemas"]
    assert schemas["Provider"]["x-enum-varnames"] == ["telnyx", "Telnyx", "NO_ONE"]


def test_two_schemas_of_one_class_name_are_an_error() -> None:
    problems = Problems()
    normalise(_spec({"a-b": {"type": "string"}, "a_b": {"type": "string"}}), "spec.yaml", problems)
    assert [p.message for p in problems.errors] == [
        "schemas 'a-b' and 'a_b' both become the class name 'AB'; rename one in the curation rules"
    ]
    assert problems.errors[0].pointer == "/components/schemas/a_b"
