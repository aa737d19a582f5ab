"""Curation: derive the committed, curated spec of one area from Telnyx's public spec.

The rules live in `spec/curation.yaml`: which paths an area keeps and which fixes we
apply to upstream bugs. Curation keeps every component the kept paths reference,
transitively, and nothing else. A rule that no longer matches anything upstream is a
warning that names the rule: upstream keeps changing and a stale rule must not crash.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loading import SourceMap, YAMLError, dump_yaml, load_yaml, parse_yaml
from .openapi import SCHEMA_REF, iter_refs, operations, rewrite_refs
from .problems import Problems, pointer

UPSTREAM_LIMIT = 256 * 1024 * 1024  # a spec larger than this is not a spec
STREAM_MEDIA_TYPE = "text/event-stream"
ITEM_SCHEMA = "x-itemSchema"  # OpenAPI 3.2's `itemSchema`, as an extension of a 3.1 document


def read_upstream(source: str, problems: Problems, file: str, where: str) -> bytes | None:
    """The bytes of the upstream spec: a file, or an http(s) URL fetched with a time limit.
    `file` and `where` locate the setting that named it, for messages."""
    if source.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=120) as response:  # noqa: S310 - http(s) only
                content = bytes(response.read(UPSTREAM_LIMIT + 1))
        except urllib.error.HTTPError as exc:
            problems.error(
                f"cannot fetch the upstream spec {source}: HTTP {exc.code} {exc.reason}",
                file,
                where,
            )
            return None
        except (urllib.error.URLError, OSError) as exc:
            problems.error(
                f"cannot fetch the upstream spec {source}: {getattr(exc, 'reason', exc)}",
                file,
                where,
            )
            return None
        if len(content) > UPSTREAM_LIMIT:
            problems.error(
                f"the upstream spec {source} is larger than {UPSTREAM_LIMIT // 2**20} MiB",
                file,
                where,
            )
            return None
        return content
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        problems.error(f"cannot read upstream spec: {exc.strerror}", source)
        return None


_LOADED: dict[str, dict[str, Any]] = {}  # the last upstream parsed, by the sha256 of its bytes


def load_upstream(content: bytes, source: str, problems: Problems) -> dict[str, Any] | None:
    """The upstream spec is large (seconds to parse) and only read, never pointed into:
    load it fast, and once per process for the same bytes (curation copies what it keeps
    and never changes the upstream document)."""
    digest = hashlib.sha256(content).hexdigest()
    if digest in _LOADED:
        return _LOADED[digest]
    try:
        data = parse_yaml(content)
    except YAMLError as exc:
        problems.error(f"upstream spec is not valid YAML: {exc}", source)
        return None
    if not isinstance(data, dict) or "paths" not in data:
        problems.error("upstream spec is not an OpenAPI document (no `paths`)", source)
        return None
    _LOADED.clear()
    _LOADED[digest] = data
    return data


@dataclass
class Rule:
    """One fix from the rules file, with where it stands for messages."""

    index: int
    body: dict[str, Any]
    file: str
    base: str = "/specs/0/fixes"  # the pointer of the list the rule stands in

    @property
    def where(self) -> str:
        return f"{self.base}/{self.index}"

    @property
    def label(self) -> str:
        kind = self.body.get("kind", "?")
        detail = (
            self.body.get("name")
            or self.body.get("into")
            or self.body.get("operation")
            or self.body.get("file")
            or ""
        )
        return f"{kind} {detail}".strip()


class Curator:
    def __init__(
        self,
        upstream: dict[str, Any],
        rules_file: str,
        rules: dict[str, Any],
        problems: Problems,
        source_map: SourceMap | None = None,
    ):
        self.upstream = upstream
        self.rules_file = rules_file
        self.rules = rules
        self.problems = problems
        self.source_map = source_map
        self.schemas: dict[str, Any] = {}

    # -- selection -------------------------------------------------------------------
    def select_paths(self, prefixes: list[str]) -> dict[str, Any]:
        selected: dict[str, Any] = {}
        for path, item in self.upstream.get("paths", {}).items():
            if any(p == "/" or path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes):
                selected[path] = copy.deepcopy(item)
        return selected

    def select_webhooks(self, spec: dict[str, Any], spec_index: int) -> dict[str, Any]:
        """The webhooks (OpenAPI 3.1: the events the API sends) that areas ask for: `all`,
        or a list of their names. Their payload schemas are then kept too."""
        upstream = self.upstream.get("webhooks") or {}
        names: set[str] = set()
        for index, area in enumerate(spec.get("areas") or []):
            wanted = area.get("webhooks")
            where = pointer("specs", spec_index, "areas", index, "webhooks")
            if wanted == "all":
                names.update(upstream)
            elif isinstance(wanted, list):
                for name in wanted:
                    if name not in upstream:
                        self.problems.warning(
                            f"webhook {name!r} is not in the upstream spec", self.rules_file, where
                        )
                names.update(str(n) for n in wanted)
            elif wanted is not None:
                self.problems.error(
                    "`webhooks` is `all` or a list of webhook names", self.rules_file, where
                )
        return {name: copy.deepcopy(item) for name, item in upstream.items() if name in names}

    def close_over(self, document: dict[str, Any]) -> None:
        """Keep exactly the components that the paths and webhooks reference, transitively:
        schemas (as fixed so far), and parameters, responses, request bodies and the like."""
        upstream_components = self.upstream.get("components", {})
        kept: dict[str, dict[str, Any]] = {}
        pending = [*iter_refs(document["paths"]), *iter_refs(document.get("webhooks") or {})]
        while pending:
            ref = pending.pop()
            parts = ref.split("/")
            if len(parts) != 4 or parts[:2] != ["#", "components"]:
                continue
            kind, name = parts[2], parts[3].replace("~1", "/").replace("~0", "~")
            if name in kept.get(kind, {}):
                continue
            if kind == "schemas" and name in self.schemas:
                component = self.schemas[name]
            elif name in upstream_components.get(kind, {}):
                component = copy.deepcopy(upstream_components[kind][name])
                if kind == "schemas":
                    self.schemas[name] = component
            else:
                continue  # reported by validation of the curated document
            kept.setdefault(kind, {})[name] = component
            pending.extend(iter_refs(component))
        components = document["components"]
        for kind in ("parameters", "responses", "requestBodies", "headers", "examples"):
            components.pop(kind, None)
        components["schemas"] = dict(sorted(kept.pop("schemas", {}).items()))
        for kind, found in sorted(kept.items()):
            components[kind] = dict(sorted(found.items()))

    # -- fixes -----------------------------------------------------------------------
    def apply(self, rule: Rule, document: dict[str, Any]) -> bool:
        kind = rule.body.get("kind")
        handler = getattr(self, f"_fix_{kind}", None)
        if handler is None:
            self.problems.error(f"unknown fix kind {kind!r}", rule.file, rule.where + "/kind")
            return True
        matched: bool = handler(rule, document)
        return matched

    def _fix_declare_tag(self, rule: Rule, document: dict[str, Any]) -> bool:
        name = rule.body["name"]
        tags = document.setdefault("tags", [])
        if any(t.get("name") == name for t in tags):
            return False  # upstream declares it now: the fix is stale
        used = any(name in (op.get("tags") or []) for _, _, op in operations(document))
        if not used:
            return False
        tags.append({"name": name, "description": rule.body.get("description", "")})
        return True

    def _fix_merge_schemas(self, rule: Rule, document: dict[str, Any]) -> bool:
        into = rule.body["into"]
        names = [n for n in rule.body["schemas"] if n in self.schemas]
        if not names:
            return False

        def essence(schema: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in schema.items() if k not in ("title", "description")}

        first = self.schemas[names[0]]
        for name in names[1:]:
            if essence(self.schemas[name]) != essence(first):
                self.problems.warning(
                    f"fix `{rule.label}`: {name} now differs from {names[0]}; not merged",
                    rule.file,
                    rule.where,
                )
                return True
        merged = copy.deepcopy(first)
        merged["title"] = into
        for name in names:
            del self.schemas[name]
        self.schemas[into] = merged
        rewrite_refs(document, {name: into for name in names})
        for schema in self.schemas.values():
            rewrite_refs(schema, {name: into for name in names})
        return True

    def _fix_rename_schemas(self, rule: Rule, document: dict[str, Any]) -> bool:
        pattern = re.compile(rule.body["pattern"])
        renames = {
            name: pattern.sub(rule.body["replacement"], name)
            for name in self.schemas
            if pattern.search(name)
        }
        if not renames:
            return False
        for old, new in renames.items():
            if new in self.schemas and new not in renames:
                self.problems.error(
                    f"fix `{rule.label}`: renaming {old} to {new} collides with an existing schema",
                    rule.file,
                    rule.where,
                )
                return True
        self.schemas = {renames.get(k, k): v for k, v in self.schemas.items()}
        for new in renames.values():
            self.schemas[new]["title"] = new
        rewrite_refs(document, renames)
        for schema in self.schemas.values():
            rewrite_refs(schema, renames)
        return True

    def _fix_replace(self, rule: Rule, document: dict[str, Any]) -> bool:
        target = self._resolve_target(rule, document)
        if target is None:
            return False
        parent, key = target
        if parent.get(key) == rule.body["value"]:
            return False  # upstream already says this: the fix is stale
        parent[key] = copy.deepcopy(rule.body["value"])
        return True

    def _fix_update(self, rule: Rule, document: dict[str, Any]) -> bool:
        """Merge keys into an existing mapping (e.g. add a `pattern` to a field)."""
        target = self._resolve_target(rule, document)
        if target is None:
            return False
        parent, key = target
        node = parent.get(key)
        if not isinstance(node, dict):
            return False
        changes = {k: v for k, v in rule.body["value"].items() if node.get(k) != v}
        if not changes:
            return False
        node.update(copy.deepcopy(changes))
        return True

    def _fix_add_schemas(self, rule: Rule, document: dict[str, Any]) -> bool:
        """Add schemas upstream lacks: the `schemas` of a YAML `file` beside the rules. Each
        description says that curation added it. A schema upstream declares under the same
        name stays upstream's, with a warning: the curated one is stale."""
        name = rule.body.get("file")
        if not isinstance(name, str) or not name:
            self.problems.error(
                "fix `add_schemas` needs `file`, a YAML file beside the rules",
                rule.file,
                rule.where,
            )
            return True
        path = Path(rule.file).parent / name
        if not path.is_file():
            self.problems.error(
                f"fix `{rule.label}`: no file {name} beside the rules",
                rule.file,
                rule.where + "/file",
            )
            return True
        loaded = load_yaml(path, self.problems, self.source_map)
        if loaded is None:
            return True
        schemas = loaded.data.get("schemas")
        if not isinstance(schemas, dict) or not schemas:
            self.problems.error("no `schemas` mapping of names to schemas", loaded.path, "/schemas")
            return True
        upstream = self.upstream.get("components", {}).get("schemas", {})
        added = False
        for schema_name, schema in schemas.items():
            if schema_name in upstream or schema_name in self.schemas:
                self.problems.warning(
                    f"fix `{rule.label}`: upstream declares {schema_name} now; the curated one "
                    "is stale, remove it",
                    loaded.path,
                    pointer("schemas", schema_name),
                )
                continue
            if not isinstance(schema, dict):
                self.problems.error(
                    "a schema is a mapping", loaded.path, pointer("schemas", schema_name)
                )
                continue
            schema = copy.deepcopy(schema)
            note = (
                f"Added by curation (`{name}` of the curation rules): the upstream spec does not "
                "declare it."
            )
            schema["description"] = f"{schema.get('description', '').strip()}\n\n{note}".strip()
            self.schemas[schema_name] = schema
            added = True
        return added

    def _fix_event_stream(self, rule: Rule, document: dict[str, Any]) -> bool:
        """Declare the events of an operation's `text/event-stream` answer with OpenAPI 3.2's
        `itemSchema`, as the extension `x-itemSchema` while the document is 3.1: each event's
        `data` is JSON of the schema `events`. The media type is added where upstream lacks
        it. Stale once upstream declares an item schema of its own."""
        events = rule.body.get("events")
        upstream_schemas = self.upstream.get("components", {}).get("schemas", {})
        if not isinstance(events, str) or (
            events not in self.schemas and events not in upstream_schemas
        ):
            self.problems.error(
                f"fix `{rule.label}`: `events` names no schema of the curated spec: {events!r}",
                rule.file,
                rule.where + "/events",
            )
            return True
        method, _, path = str(rule.body.get("operation", "")).partition(" ")
        operation = document["paths"].get(path, {}).get(method.lower())
        status = str(rule.body.get("status", "200"))
        response = ((operation or {}).get("responses") or {}).get(status)
        if not isinstance(response, dict) or "$ref" in response:
            return False
        content = response.setdefault("content", {})
        media = content.get(STREAM_MEDIA_TYPE)
        if isinstance(media, dict) and ("itemSchema" in media or ITEM_SCHEMA in media):
            return False  # upstream declares the events now: the fix is stale
        media = content.setdefault(
            STREAM_MEDIA_TYPE, {"schema": {"type": "string", "description": "Server-sent events."}}
        )
        media[ITEM_SCHEMA] = {
            "type": "object",
            "description": "One server-sent event; its `data` is JSON.",
            "required": ["data"],
            "properties": {
                "event": {"type": "string"},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": SCHEMA_REF + events},
                },
                "id": {"type": "string"},
            },
        }
        return True

    def _fix_describe(self, rule: Rule, document: dict[str, Any]) -> bool:
        """Append a paragraph to an operation's description (what the SDK does not do yet,
        say); stale once the description says it."""
        method, _, path = str(rule.body.get("operation", "")).partition(" ")
        operation = document["paths"].get(path, {}).get(method.lower())
        text = str(rule.body.get("append", "")).strip()
        if (
            not isinstance(operation, dict)
            or not text
            or text in str(operation.get("description", ""))
        ):
            return False
        operation["description"] = (
            f"{str(operation.get('description', '')).strip()}\n\n{text}".strip()
        )
        return True

    def _resolve_target(
        self, rule: Rule, document: dict[str, Any]
    ) -> tuple[dict[str, Any], str] | None:
        """Walk `at` from an operation (`GET /path`) or a schema; parameters by name."""
        node: Any
        if "operation" in rule.body:
            method, _, path = str(rule.body["operation"]).partition(" ")
            node = document["paths"].get(path, {}).get(method.lower())
        elif "schema" in rule.body:
            node = self.schemas.get(rule.body["schema"])
        else:
            self.problems.error("fix needs `operation` or `schema`", rule.file, rule.where)
            return None
        steps = [str(s) for s in rule.body.get("at", [])]
        if node is None or not steps:
            return None
        for step in steps[:-1]:
            if isinstance(node, list):
                node = next(
                    (p for p in node if isinstance(p, dict) and p.get("name") == step), None
                )
            elif isinstance(node, dict):
                node = node.get(step)
            else:
                node = None
            if node is None:
                return None
        if not isinstance(node, dict) or (
            steps[-1] not in node and rule.body.get("kind") != "replace"
        ):
            return None
        return node, steps[-1]

    # -- the whole run ---------------------------------------------------------------
    def rules_of(self, spec: dict[str, Any], spec_index: int) -> list[Rule]:
        """The spec's own fixes, then those of the shared `fix_sets` it names, in order."""
        rules = [
            Rule(i, body, self.rules_file, pointer("specs", spec_index, "fixes"))
            for i, body in enumerate(spec.get("fixes") or [])
        ]
        sets = self.rules.get("fix_sets") or {}
        for index, name in enumerate(spec.get("fix_sets") or []):
            if not isinstance(sets.get(name), list):
                self.problems.error(
                    f"no fix set named {name!r} (have: {', '.join(sets) or 'none'})",
                    self.rules_file,
                    pointer("specs", spec_index, "fix_sets", index),
                )
                continue
            rules += [
                Rule(i, body, self.rules_file, pointer("fix_sets", name))
                for i, body in enumerate(sets[name])
            ]
        return rules

    def curate(self, spec: dict[str, Any], spec_index: int) -> dict[str, Any]:
        upstream = self.upstream
        prefixes = [p for area in spec.get("areas") or [] for p in area.get("path_prefixes") or []]
        document: dict[str, Any] = {
            "openapi": upstream.get("openapi", "3.1.0"),
            "info": {
                "title": spec.get("title", upstream.get("info", {}).get("title", "")),
                "version": upstream.get("info", {}).get("version", "0"),
                "description": spec.get("description", ""),
            },
            "servers": copy.deepcopy(upstream.get("servers", [])),
            "security": copy.deepcopy(upstream.get("security", [])),
            "tags": [],
            "paths": self.select_paths(prefixes),
            "components": {"schemas": {}},
        }
        webhooks = self.select_webhooks(spec, spec_index)
        if webhooks:
            document["webhooks"] = webhooks
        used_tags = {tag for _, _, op in operations(document) for tag in op.get("tags") or []}
        document["tags"] = [
            copy.deepcopy(t) for t in upstream.get("tags", []) if t.get("name") in used_tags
        ]
        self.close_over(document)
        for rule in self.rules_of(spec, spec_index):
            if not self.apply(rule, document):
                self.problems.warning(
                    f"fix `{rule.label}` matched nothing upstream", rule.file, rule.where
                )
            self.close_over(document)
        schemes = upstream.get("components", {}).get("securitySchemes", {})
        used_schemes = {name for requirement in document["security"] for name in requirement}
        for _, _, op in operations(document):
            used_schemes.update(n for req in op.get("security") or [] for n in req)
        document["components"]["securitySchemes"] = {
            n: copy.deepcopy(schemes[n]) for n in sorted(used_schemes) if n in schemes
        }
        return document


def curate(
    upstream_source: str | Path | None,
    rules_path: Path,
    out_path: Path | None,
    problems: Problems,
    name: str | None = None,
) -> dict[str, Any] | None:
    """Curate one spec of the rules file (the first, or the one called `name`) and write it
    (to `out_path`, or to its `output`, relative to the rules file) unless errors were found.
    The upstream spec is a file or an http(s) URL; None takes the `upstream` of the rules."""
    source_map = SourceMap()
    problems.locate = source_map.locate
    rules_doc = load_yaml(rules_path, problems, source_map)
    if rules_doc is None:
        return None
    specs = rules_doc.data.get("specs") or []
    if not specs:
        problems.error("no `specs` to curate", rules_doc.path, "/specs")
        return None
    index = next((i for i, s in enumerate(specs) if name is None or s.get("name") == name), None)
    if index is None:
        problems.error(
            f"no spec named {name!r} (have: {', '.join(str(s.get('name')) for s in specs)})",
            rules_doc.path,
            "/specs",
        )
        return None
    source = str(upstream_source) if upstream_source is not None else rules_doc.data.get("upstream")
    if not isinstance(source, str) or not source:
        problems.error(
            "no upstream spec: pass --upstream FILE-OR-URL or set `upstream` in the rules",
            rules_doc.path,
            "/upstream",
        )
        return None
    content = read_upstream(source, problems, rules_doc.path, "/upstream")
    upstream = None if content is None else load_upstream(content, source, problems)
    if content is None or upstream is None:
        return None
    curator = Curator(upstream, rules_doc.path, rules_doc.data, problems, source_map)
    document = curator.curate(specs[index], index)
    digest = hashlib.sha256(content).hexdigest()
    document["info"]["x-curated-from"] = {"upstream-sha256": digest, "rules": rules_path.name}
    if problems.errors:
        return None
    target = out_path or rules_path.parent / specs[index]["output"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_yaml(document), encoding="utf-8")
    return document
