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
    item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}]}
    api, _ = _build({"/ai/things/{id}": {**item, "get": {"responses": answer}}}, schemas)
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


ID = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}]}


def _answer(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


ONE = _answer({"type": "object", "properties": {"data": {"type": "object"}}})
MANY = _answer({"type": "object", "properties": {"data": {"type": "array", "items": {}}}})


def _method_names(paths: dict[str, Any], **config: Any) -> list[str]:
    api, problems = _build(paths, **config)
    assert not problems.errors
    return sorted(_methods(api))


def test_a_last_segment_of_one_operation_is_a_method_of_its_parent() -> None:
    names = _method_names(
        {
            "/calls/{id}/actions/bridge": {**ID, "post": {"responses": NO_CONTENT}},
            "/sims/{id}/public_ip": {**ID, "get": {"responses": ONE}},
            "/sims/{id}/logs": {**ID, "get": {"responses": MANY}},
            "/mails/{id}/schedule": {**ID, "delete": {"responses": NO_CONTENT}},
            # a method moves once, not on to the parent's parent
            "/reports/usage/sync": {"post": {"responses": NO_CONTENT}},
            # two operations: a resource of its own
            "/mails/{id}/tags": {**ID, "get": {"responses": MANY}, "post": {"responses": ONE}},
            # a top-level resource stays one, and so does a configured name
            "/audit_events": {"get": {"responses": MANY}},
            "/ai/chat/completions": {"post": {"responses": ONE}},
        },
        methods={"ai.chat.completions.create": "POST /ai/chat/completions"},
    )
    assert names == [
        "ai.chat.completions.create",
        "audit_events.list",
        "calls.actions.bridge",
        "mails.delete_schedule",
        "mails.tags.create",
        "mails.tags.list",
        "reports.usage.sync",
        "sims.list_logs",
        "sims.retrieve_public_ip",
    ]


def test_a_last_segment_keeps_its_resource_where_the_parent_has_the_name() -> None:
    names = _method_names(
        {
            "/things/{id}/logs": {**ID, "get": {"responses": MANY}},
            "/things/{id}/history": {**ID, "get": {"responses": MANY}},
        },
        methods={"things.list_logs": "GET /things/{id}/history"},
    )
    assert names == ["things.list_logs", "things.logs.list"]


def test_a_get_without_an_id_that_answers_one_thing_is_retrieve() -> None:
    names = _method_names(
        {
            "/balance": {"get": {"responses": ONE}},
            "/regions": {"get": {"responses": MANY}},
            "/numbers": {"get": {"responses": _answer({"type": "array", "items": {}})}},
            # items below it: a collection, whatever its answer
            "/things": {"get": {"responses": ONE}},
            "/things/{id}": {**ID, "get": {"responses": ONE}},
        }
    )
    assert names == [
        "balance.retrieve",
        "numbers.list",
        "regions.list",
        "things.list",
        "things.retrieve",
    ]


def test_a_segment_takes_the_name_the_config_gives_it() -> None:
    paths = {"/10dlc/brand": {"get": {"responses": MANY}, "post": {"responses": ONE}}}
    api, _ = _build(paths)
    assert sorted(_methods(api)) == ["n_10dlc.brand.create", "n_10dlc.brand.list"]
    api, problems = _build(paths, segment_names={"10dlc": "messaging_10dlc"})
    assert not problems.errors
    assert sorted(_methods(api)) == ["messaging_10dlc.brand.create", "messaging_10dlc.brand.list"]
    _, problems = _build(paths, segment_names={"10dlc": "10dlc"})
    assert [(p.message, p.pointer) for p in problems.errors] == [
        (
            "`segment_names` values must be snake_case Python names, not '10dlc'",
            "/segment_names/10dlc",
        )
    ]
    # a segment no path has (a misspelling) names nothing: a warning, an error with --strict
    _, problems = _build(paths, segment_names={"10dcl": "messaging_10dlc"})
    assert not problems.errors
    assert [(p.message, p.pointer) for p in problems.warnings] == [
        (
            "`segment_names` names '10dcl', a segment of no path of the spec",
            "/segment_names/10dcl",
        )
    ]


def test_a_path_parameter_takes_the_name_the_config_gives_it() -> None:
    body = {"type": "object", "properties": {"id": {"type": "string"}}}
    content = {"content": {"application/json": {"schema": body}}}
    api, problems = _build(
        {
            "/sims/{id}": {
                **ID,
                "get": {"responses": ONE},
                "patch": {"requestBody": content, "responses": ONE},
            },
            "/profiles/{id}": {**ID, "get": {"responses": ONE}, "delete": {"responses": ONE}},
        },
        path_parameter_names={
            "PATCH /sims/{id}": {"id": "sim_card_id"},
            "/profiles/{id}": {"id": "profile_id"},
            "/sims/{id}": {"id": "sim_id"},  # after PATCH's own, which still wins
        },
    )
    assert not problems.errors
    methods = _methods(api)

    def arguments(dotted: str) -> list[tuple[str, str, str]]:
        return [(a.name, a.wire_name, a.location) for a in methods[dotted].arguments]

    # the wire name stays; the body's `id` is no longer taken by the path's
    assert arguments("sims.update") == [("sim_card_id", "id", "path"), ("id", "id", "body")]
    assert arguments("sims.retrieve") == [("sim_id", "id", "path")]
    assert arguments("profiles.retrieve") == arguments("profiles.delete")
    assert arguments("profiles.delete") == [("profile_id", "id", "path")]


def test_a_path_parameter_name_must_name_a_parameter_the_spec_has() -> None:
    sims = {"/sims/{id}": {**ID, "get": {"responses": ONE}}}
    unknown = {
        "GET /sims/{id}": {"sim_id": "sim_card_id"},
        "POST /sims/{id}": {"id": "sim_card_id"},
        "/sims": {"id": "sim_card_id"},
    }
    # a name no argument can have is the config's error, found before the spec is read
    _, problems = _build(sims, path_parameter_names={**unknown, "/sims/{id}": {"id": "class"}})
    assert [(p.message, p.pointer) for p in problems.errors] == [
        (
            "the Python name of path parameter 'id' must be snake_case, neither a keyword "
            "nor an argument every method has, not 'class'",
            "/path_parameter_names/~1sims~1{id}/id",
        )
    ]
    _, problems = _build(sims, path_parameter_names=unknown)
    assert [(p.message, p.file) for p in problems.errors] == [
        ("GET /sims/{id} has no path parameter 'sim_id'", "sdk.yaml"),
        ("POST /sims/{id} is not an operation or a path of the spec", "sdk.yaml"),
        ("/sims is not an operation or a path of the spec", "sdk.yaml"),
    ]


def test_a_body_of_raw_bytes_is_positional_after_the_path_parameter() -> None:
    raw = {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
    api, problems = _build(
        {
            "/keys/{id}": {
                **ID,
                "put": {"requestBody": {**raw, "required": True}, "responses": ONE},
            },
            "/blobs": {"post": {"requestBody": raw, "responses": ONE}},
        }
    )
    assert not problems.errors
    methods = _methods(api)
    assert [(a.name, a.positional) for a in methods["keys.update"].arguments] == [
        ("id", True),
        ("body", True),
    ]
    # an optional body cannot come before the keywords: it is one of them
    assert [(a.name, a.positional) for a in methods["blobs.create"].arguments] == [("body", False)]


NETWORK = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "id": {"type": "string", "readOnly": True}},
}


def _networks(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "/networks": {"post": {"requestBody": body, "responses": ONE}},
        "/networks/{id}": {
            **ID,
            "get": {"responses": ONE},
            "patch": {"requestBody": {**body, "required": False}, "responses": ONE},
        },
    }


def test_the_config_can_take_a_whole_body_as_one_named_argument() -> None:
    body = {"required": True, "content": {"application/json": {"schema": NET_REF}}}
    either = {"oneOf": [NET_REF, {"type": "object", "properties": {"url": {"type": "string"}}}]}
    upload = {"required": True, "content": {"multipart/form-data": {"schema": either}}}
    api, problems = _build(
        {**_networks(body), "/clones": {"post": {"requestBody": upload, "responses": ONE}}},
        {"Network": NETWORK},
        body_arguments={
            "POST /networks": "network_create",
            "PATCH /networks/{id}": "network",
            "POST /clones": "clone_request",
        },
    )
    assert not problems.errors
    methods = _methods(api)
    created = methods["networks.create"]
    assert [(a.name, a.wire_name, a.location, a.required) for a in created.arguments] == [
        ("network_create", "", "body", True)
    ]
    assert created.body is not None and created.body.model == "Network"
    # the body's whole type: the model, or the TypedDict that may be given for it
    assert created.arguments[0].annotation == "Union[Network, NetworkParam]"
    updated = methods["networks.update"]
    assert [(a.name, a.location, a.required) for a in updated.arguments] == [
        ("id", "path", True),
        ("network", "body", False),
    ]
    # a body that is one argument already (a union, bytes) is named so instead of `body`
    assert [(a.name, a.wire_name) for a in methods["clones.create"].arguments] == [
        ("clone_request", "")
    ]


def test_a_whole_body_argument_must_name_an_operation_with_a_body_and_a_free_name() -> None:
    body = {"required": True, "content": {"application/json": {"schema": NET_REF}}}
    form = {"content": {"multipart/form-data": {"schema": NETWORK}}}
    paths = {**_networks(body), "/uploads": {"post": {"requestBody": form, "responses": ONE}}}
    schemas = {"Network": NETWORK}
    # a name no argument can have is the config's error, found before the spec is read
    _, problems = _build(paths, schemas, body_arguments={"POST /networks": "class", "/x": "y"})
    assert [(p.message, p.pointer) for p in problems.errors] == [
        (
            "the Python name of a whole body must be snake_case, neither a keyword nor an "
            "argument every method has, not 'class'",
            "/body_arguments/POST ~1networks",
        ),
        (
            "`body_arguments` maps `METHOD /path` to a Python name, not '/x': 'y'",
            "/body_arguments/~1x",
        ),
    ]
    _, problems = _build(
        paths,
        schemas,
        body_arguments={
            "DELETE /networks": "network",
            "GET /networks/{id}": "network",
            "PATCH /networks/{id}": "id",
            "POST /uploads": "upload",
        },
    )
    assert [(p.message, p.file, p.pointer) for p in problems.errors] == [
        (
            "DELETE /networks is not an operation of the spec",
            "sdk.yaml",
            "/body_arguments/DELETE ~1networks",
        ),
        (
            "GET /networks/{id} has no request body",
            "sdk.yaml",
            "/body_arguments/GET ~1networks~1{id}",
        ),
        (
            "the whole body of PATCH /networks/{id} cannot be 'id': another argument has that name",
            "sdk.yaml",
            "/body_arguments/PATCH ~1networks~1{id}",
        ),
        (
            "the body of POST /uploads is multipart/form-data fields, sent one by one: only "
            "a JSON body, or one that is one argument already, can be taken whole",
            "sdk.yaml",
            "/body_arguments/POST ~1uploads",
        ),
    ]


NET_REF = {"$ref": "#/components/schemas/Network"}
