"""Where streams come from: the curation rules declare an operation's events (OpenAPI 3.2's
`itemSchema`, as `x-itemSchema`), the schemas upstream lacks are added with a note, and
each rule turns stale, with a warning naming it, once upstream says the same. The IR
builder reads the events from either key, or reports a stream it cannot type."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.curation import curate
from generator.ir_builder import build_api
from generator.problems import Problems

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
CONFIG = ROOT / "spec" / "sdk.yaml"

UPSTREAM: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Up", "version": "1"},
    "paths": {
        "/chat": {
            "post": {
                "operationId": "chat",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"stream": {"type": "boolean"}},
                            }
                        }
                    }
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "additionalProperties": True}
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {"schemas": {}},
}

CHUNK = {"type": "object", "description": "A piece.", "properties": {"text": {"type": "string"}}}
RULES = {
    "fix_sets": {
        "chat": [
            {"kind": "add_schemas", "file": "schemas.yaml"},
            {"kind": "event_stream", "operation": "POST /chat", "events": "Chunk"},
            {"kind": "describe", "operation": "POST /chat", "append": "Streams when asked."},
        ]
    },
    "specs": [
        {
            "name": "mini",
            "output": "out.yaml",
            "areas": [{"name": "all", "path_prefixes": ["/"]}],
            "fix_sets": ["chat"],
        }
    ],
}


def run_curation(
    tmp_path: Path, upstream: dict[str, Any], rules: dict[str, Any] = RULES
) -> tuple[dict[str, Any] | None, list[str]]:
    (tmp_path / "up.yaml").write_text(yaml.safe_dump(upstream))
    (tmp_path / "schemas.yaml").write_text(yaml.safe_dump({"schemas": {"Chunk": CHUNK}}))
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    problems = Problems()
    document = curate(tmp_path / "up.yaml", tmp_path / "rules.yaml", None, problems)
    return document, [p.render() for p in problems]


def test_the_rules_declare_the_events_and_add_the_schemas_they_name(tmp_path: Path) -> None:
    document, messages = run_curation(tmp_path, UPSTREAM)
    assert document is not None and messages == []
    media = document["paths"]["/chat"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    assert media["x-itemSchema"]["properties"]["data"]["contentSchema"] == {
        "$ref": "#/components/schemas/Chunk"
    }
    assert media["x-itemSchema"]["properties"]["data"]["contentMediaType"] == "application/json"
    assert "application/json" in document["paths"]["/chat"]["post"]["responses"]["200"]["content"]
    chunk = document["components"]["schemas"]["Chunk"]
    assert (
        chunk["description"].startswith("A piece.")
        and "Added by curation (`schemas.yaml`" in chunk["description"]
    )
    assert document["paths"]["/chat"]["post"]["description"] == "Streams when asked."


@pytest.mark.parametrize("key", ["itemSchema", "x-itemSchema"])
def test_each_rule_is_stale_once_upstream_says_the_same(tmp_path: Path, key: str) -> None:
    upstream = copy.deepcopy(UPSTREAM)
    operation = upstream["paths"]["/chat"]["post"]
    operation["responses"]["200"]["content"]["text/event-stream"] = {
        key: {"$ref": "#/components/schemas/Chunk"}
    }
    operation["description"] = "Streams when asked."
    upstream["components"]["schemas"]["Chunk"] = {**CHUNK, "description": "Upstream's own."}
    document, messages = run_curation(tmp_path, upstream)
    assert document is not None
    assert document["components"]["schemas"]["Chunk"]["description"] == "Upstream's own."
    media = document["paths"]["/chat"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    assert media == {key: {"$ref": "#/components/schemas/Chunk"}}  # upstream's declaration stands
    rules = tmp_path / "rules.yaml"
    assert any(
        f"{tmp_path / 'schemas.yaml'}:" in m
        and "upstream declares Chunk now; the curated one is stale" in m
        for m in messages
    ), messages
    assert any(
        f"{rules}:" in m
        and "fix `event_stream POST /chat` matched nothing upstream (/fix_sets/chat/1)" in m
        for m in messages
    ), messages
    assert any(
        "fix `describe POST /chat` matched nothing upstream (/fix_sets/chat/2)" in m
        for m in messages
    ), messages


def test_a_rule_naming_what_is_missing_is_a_located_error(tmp_path: Path) -> None:
    rules = copy.deepcopy(RULES)
    rules["fix_sets"]["chat"][0]["file"] = "missing.yaml"
    rules["specs"][0]["fix_sets"].append("nope")
    document, messages = run_curation(tmp_path, UPSTREAM, rules)
    assert document is None
    assert any(
        "fix `add_schemas missing.yaml`: no file missing.yaml beside the rules "
        "(/fix_sets/chat/0/file)" in m
        for m in messages
    ), messages
    assert any(
        "`events` names no schema of the curated spec: 'Chunk' (/fix_sets/chat/1/events)" in m
        for m in messages
    ), messages
    assert any(
        "no fix set named 'nope' (have: chat) (/specs/0/fix_sets/1)" in m for m in messages
    ), messages
    assert not (tmp_path / "out.yaml").exists()


@functools.lru_cache(maxsize=None)
def _curated() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    return loaded


def curated() -> dict[str, Any]:
    """The committed curated spec, a copy of its own for each test to change."""
    return copy.deepcopy(_curated())


def build(document: dict[str, Any]) -> tuple[Any, list[str]]:
    problems = Problems()
    api = build_api(document, "spec.yaml", yaml.safe_load(CONFIG.read_text()), "sdk.yaml", problems)
    return api, [p.render() for p in problems.errors]


def chat_of(api: Any) -> Any:
    return next(op for _, op in api.operations if op.path == "/ai/chat/completions")


def test_every_declared_stream_is_in_the_ir_with_its_event_type() -> None:
    document = curated()
    api, errors = build(document)
    assert errors == []
    declared = {
        path: media["x-itemSchema"]["properties"]["data"]["contentSchema"]["$ref"].rsplit("/", 1)[1]
        for path, item in document["paths"].items()
        for op in item.values()
        if isinstance(op, dict)
        for response in (op.get("responses") or {}).values()
        for media_type, media in (response.get("content") or {}).items()
        if media_type == "text/event-stream" and "x-itemSchema" in media
    }
    streams = {op.path: op.response.events for _, op in api.streams}
    assert set(streams) == set(declared) and len(declared) == 3
    for path, events in streams.items():
        assert events.item.render("out") == declared[path] and events.flag == "stream"
    assert chat_of(api).response.type.render("out") == "ChatCompletion"


def test_the_ir_reads_itemschema_and_streams_without_a_flag() -> None:
    document = curated()
    operation = document["paths"]["/ai/chat/completions"]["post"]
    content = operation["responses"]["200"]["content"]
    content["text/event-stream"]["itemSchema"] = content["text/event-stream"].pop("x-itemSchema")
    del content["application/json"]
    api, errors = build(document)
    assert errors == []
    op = chat_of(api)
    assert op.response.kind == "stream" and op.return_annotation == "Stream[ChatCompletionChunk]"


def test_a_stream_of_untyped_events_is_a_located_error() -> None:
    document = curated()
    media = document["paths"]["/ai/chat/completions"]["post"]["responses"]["200"]["content"][
        "text/event-stream"
    ]
    media["x-itemSchema"]["properties"]["data"]["contentSchema"] = {"type": "object"}
    _, errors = build(document)
    assert any(
        "the events of a stream must be a schema of components/schemas" in e
        and "/paths/~1ai~1chat~1completions/post/responses/200/content/text~1event-stream/"
        "x-itemSchema/properties/data/contentSchema"
        in e
        for e in errors
    ), errors


def test_a_rule_whose_events_upstream_declares_now_still_applies(tmp_path: Path) -> None:
    """Upstream declares the event schema before it declares the stream: the curated schema
    is stale (a warning), the stream rule uses upstream's schema."""
    upstream = copy.deepcopy(UPSTREAM)
    upstream["components"]["schemas"]["Chunk"] = {**CHUNK, "description": "Upstream's own."}
    document, messages = run_curation(tmp_path, upstream)
    assert document is not None, messages
    assert document["components"]["schemas"]["Chunk"]["description"] == "Upstream's own."
    media = document["paths"]["/chat"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    assert media["x-itemSchema"]["properties"]["data"]["contentSchema"] == {
        "$ref": "#/components/schemas/Chunk"
    }
    assert len(messages) == 2 and "upstream declares Chunk now" in messages[0]
    assert (
        "fix `add_schemas schemas.yaml` matched nothing upstream (/fix_sets/chat/0)" in messages[1]
    )


@pytest.mark.parametrize(
    "flag", [{"type": ["boolean", "null"]}, {"anyOf": [{"type": "boolean"}, {"type": "null"}]}]
)
def test_a_nullable_stream_flag_is_the_flag(flag: dict[str, Any]) -> None:
    document = curated()
    body = document["components"]["schemas"]["ChatCompletionRequest"]
    body["properties"]["stream"] = flag
    api, errors = build(document)
    assert (
        errors == []
        and chat_of(api).response.events.flag == "stream"
        and chat_of(api).response.kind == "json"
    )


def test_a_stream_beside_json_without_a_flag_is_a_warning() -> None:
    document = curated()
    del document["components"]["schemas"]["ChatCompletionRequest"]["properties"]["stream"]
    problems = Problems()
    api = build_api(document, "spec.yaml", yaml.safe_load(CONFIG.read_text()), "sdk.yaml", problems)
    assert chat_of(api).response.kind == "stream"
    assert any(
        "answers with application/json or an event stream, but its body has no boolean `stream`"
        in p.render()
        for p in problems.warnings
    )
