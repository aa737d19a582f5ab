"""The IR builder's rules, one each, on small inline documents and configs."""

from __future__ import annotations

from typing import Any

from generator.ir import Api, Operation
from generator.ir_builder import build_api
from generator.problems import Problems

CONFIG = {
    "package": "demo",
    "distribution": "demo",
    "version": "0.1.0",
    "base_url": "https://api.example.com",
}
NO_CONTENT = {"204": {"description": "done"}}
PAGE = {  # a list answer that pages by page number
    "type": "object",
    "properties": {
        "data": {"type": "array", "items": {"type": "string"}},
        "meta": {
            "type": "object",
            "properties": {"page_number": {"type": "integer"}, "total_pages": {}},
        },
    },
}
A_PAGE = {"200": {"description": "a page", "content": {"application/json": {"schema": PAGE}}}}


def _spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def _build(
    paths: dict[str, Any], schemas: dict[str, Any] | None = None, **config: Any
) -> tuple[Api | None, Problems]:
    problems = Problems()
    api = build_api(_spec(paths, schemas), "spec.yaml", {**CONFIG, **config}, "sdk.yaml", problems)
    return api, problems


def _methods(api: Api | None) -> dict[str, Operation]:
    assert api is not None
    return {".".join([*r.path, op.name]): op for r, op in api.operations}


def test_default_names_come_from_the_path() -> None:
    item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}]}
    api, _ = _build(
        {
            "/things": {"get": {"responses": NO_CONTENT}, "post": {"responses": NO_CONTENT}},
            "/things/{id}": {**item, "get": {"responses": NO_CONTENT}},
            "/things/{id}/clone": {**item, "post": {"responses": NO_CONTENT}},
        }
    )
    assert sorted(_methods(api)) == [
        "things.clone",
        "things.create",
        "things.list",
        "things.retrieve",
    ]


def test_pagination_gets_the_default_page_size_of_the_parameters() -> None:
    parameters = [
        {"name": "page[number]", "in": "query", "schema": {"type": "integer"}},
        {"name": "page[size]", "in": "query", "schema": {"type": "integer", "default": 25}},
    ]
    api, problems = _build({"/things": {"get": {"parameters": parameters, "responses": A_PAGE}}})
    assert not problems.errors
    pagination = _methods(api)["things.list"].pagination
    assert pagination is not None
    assert (pagination.style, pagination.default_size) == ("meta", 25)
    assert (pagination.number_param, pagination.size_param) == ("page[number]", "page[size]")


def test_a_deep_object_is_one_typed_argument_but_the_page_object_pages() -> None:
    """`filter` (a deepObject) is one argument typed by the TypedDict of its query model's
    class, required as the parameter is; an object that names no style is a deepObject;
    `page` is `page_number=` / `page_size=` and pages the answer, style or not."""
    from generator.normalising import normalise

    status = {"type": "object", "properties": {"eq": {"type": "string"}}}
    filter_ = {"type": "object", "properties": {"status": status}}
    paging = {"type": "object", "properties": {"number": {}, "size": {"default": 25}}}
    parameters = [
        {"name": "filter", "in": "query", "style": "deepObject", "schema": filter_},
        {"name": "sort", "in": "query", "required": True, "schema": filter_},
        {"name": "page", "in": "query", "explode": True, "schema": paging},
    ]
    problems = Problems()
    document = normalise(
        _spec({"/things": {"get": {"parameters": parameters, "responses": A_PAGE}}}),
        "spec.yaml",
        problems,
    ).document
    api = build_api(document, "spec.yaml", CONFIG, "sdk.yaml", problems)
    assert not problems.errors
    op = _methods(api)["things.list"]
    arguments = {a.name: (a.wire_name, a.annotation, a.required) for a in op.arguments}
    assert arguments == {
        "filter": ("filter", "ThingsListQueryFilterParam", False),
        "sort": ("sort", "ThingsListQuerySortParam", True),
        "page_number": ("page[number]", "object", False),
        "page_size": ("page[size]", "object", False),
    }
    assert op.pagination is not None and op.pagination.default_size == 25
    assert api is not None and {p.name for p in api.params} == {
        "ThingsListQueryFilterParam",
        "ThingsListQueryFilterStatusParam",
        "ThingsListQuerySortParam",
        "ThingsListQuerySortStatusParam",
    }


def test_a_default_named_method_on_the_collection_yields_to_the_one_on_an_item() -> None:
    item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}]}
    api, problems = _build(
        {
            "/things": {"delete": {"responses": NO_CONTENT}},
            "/things/{id}": {**item, "delete": {"responses": NO_CONTENT}},
        }
    )
    assert not problems.errors
    methods = _methods(api)
    assert methods["things.delete_all"].path == "/things"
    assert methods["things.delete"].path == "/things/{id}"


def test_a_configured_name_never_yields() -> None:
    item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}]}
    api, problems = _build(
        {
            "/things": {"delete": {"responses": NO_CONTENT}},
            "/things/{id}": {**item, "delete": {"responses": NO_CONTENT}},
        },
        methods={"things.delete": "DELETE /things"},
    )
    assert [p.message for p in problems.errors] == [
        "two methods named things.delete (DELETE /things and DELETE /things/{id}); name one in "
        "the `methods` of the SDK config"
    ]
    assert problems.errors[0].file == "spec.yaml"


def test_an_object_body_is_one_keyword_argument_per_property_but_read_only_ones() -> None:
    body = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "id": {"type": "string", "readOnly": True},
            "dry_run": {"type": "boolean"},
        },
    }
    content = {"content": {"application/json": {"schema": body}}}
    api, _ = _build({"/things": {"post": {"requestBody": content, "responses": NO_CONTENT}}})
    fields = _methods(api)["things.create"].body
    assert fields is not None
    assert [(f.name, f.required) for f in fields.fields] == [("name", True), ("dry_run", False)]


def test_a_method_the_spec_does_not_have_is_an_error_of_the_config() -> None:
    _, problems = _build(
        {"/things": {"get": {"responses": NO_CONTENT}}}, methods={"things.all": "GET /nothing"}
    )
    assert [(p.message, p.file, p.pointer) for p in problems.errors] == [
        (
            "things.all maps to 'GET /nothing', which the spec does not have",
            "sdk.yaml",
            "/methods/things.all",
        )
    ]


def test_models_live_in_the_module_of_the_resource_that_uses_them() -> None:
    schemas = {
        "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
        "Unused": {"type": "object", "properties": {"id": {"type": "string"}}},
    }
    answer = {
        "200": {
            "description": "a thing",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
        }
    }
    api, _ = _build({"/ai/things": {"get": {"responses": answer}}}, schemas)
    assert api is not None
    assert api.homes == {"Thing": "ai.things", "Unused": "other"}


def test_the_positional_argument_is_the_last_parameter_of_the_path() -> None:
    # the spec lists the child before its parent: the path's order decides, not the list's
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in ("call_sid", "account_sid")
    ]
    api, problems = _build(
        {
            "/accounts/{account_sid}/calls/{call_sid}": {
                "get": {"parameters": parameters, "responses": NO_CONTENT}
            }
        }
    )
    assert not problems.errors
    operation = _methods(api)["accounts.calls.retrieve"]
    assert [a.name for a in operation.arguments if a.positional] == ["call_sid"]
    assert [a.name for a in operation.arguments if not a.positional] == ["account_sid"]


def test_a_config_includes_the_methods_of_another_and_its_own_win(tmp_path: Any) -> None:
    from generator.config import with_included_methods

    (tmp_path / "sdk.yaml").write_text(
        "methods:\n  things.fetch: GET /things/{id}\n  things.make: POST /things\n"
    )
    own = {"include_methods": "sdk.yaml", "methods": {"things.build": "POST /things"}}
    problems = Problems()
    merged = with_included_methods(own, str(tmp_path / "sdk-all.yaml"), problems)
    assert not problems.errors
    assert merged["methods"] == {"things.fetch": "GET /things/{id}", "things.build": "POST /things"}
    missing = with_included_methods({"include_methods": "nope.yaml"}, str(tmp_path / "a"), problems)
    assert problems.errors and "methods" not in missing


def test_a_body_of_any_media_type_is_sent_as_json_unless_it_is_bytes() -> None:
    """`*/*` says the server takes any media type: an object schema is its JSON, one keyword
    argument per property; a binary string stays one `body` of bytes."""
    thing = {"type": "object", "properties": {"start": {"type": "string"}}}
    raw = {"type": "string", "format": "binary"}

    def post(schema: dict[str, Any]) -> dict[str, Any]:
        body = {"content": {"*/*": {"schema": schema}}}
        return {"post": {"requestBody": body, "responses": NO_CONTENT}}

    api, problems = _build({"/reports": post(thing), "/uploads": post(raw)})
    assert not problems.errors
    methods = _methods(api)
    reports, uploads = methods["reports.create"].body, methods["uploads.create"].body
    assert reports is not None and uploads is not None
    assert (reports.encoding, [f.name for f in reports.fields]) == ("json", ["start"])
    assert (uploads.encoding, [f.name for f in uploads.fields]) == ("binary", ["body"])
