"""API diff: what changed between two specs, as an SDK user sees it, and the semver bump.

Both specs go through the same stages as generation (validate, normalise, build the IR),
so the comparison is of the SDK surface: methods and their arguments, return types, and
the models' fields and enum values, not YAML text. Each change is classified from the
user's side: breaking (their code may stop working), feature (new things they may use),
or fix (same surface, corrected details such as defaults and constraints).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config import load_config, load_skills, with_included_methods
from .ir import Api
from .loading import SourceMap, load_text, load_yaml
from .openapi import CONSTRAINTS, SCHEMA_REF, operations, split_target, walk
from .pipeline import front, validate
from .problems import GenerationFailed, Locator, Problems
from .surface_manifest import Manifest, of_api

LEVELS = ("breaking", "feature", "fix")
# What a field's change of is a fix: its default, constraints and format.
COMPARED = ("default", *CONSTRAINTS, "format")
DEFAULT_SPEC_PATH = "spec/ai-assistants.openapi.yaml"


@dataclass(frozen=True)
class Change:
    level: str  # breaking | feature | fix
    kind: str  # e.g. operation-removed, field-type-changed
    subject: str  # what changed, as a user names it
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}" if self.detail else self.subject


@dataclass
class Report:
    changes: list[Change] = field(default_factory=list)
    # (agent skill, the subjects of the changes it documents): the skills that change with them
    skills: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def add(self, level: str, kind: str, subject: str, detail: str = "") -> None:
        self.changes.append(Change(level, kind, subject, detail))

    def by_level(self, level: str) -> list[Change]:
        return [c for c in self.changes if c.level == level]

    @property
    def level(self) -> str | None:
        return next((lvl for lvl in LEVELS if self.by_level(lvl)), None)

    def bump(self, version: str) -> tuple[str, str]:
        """(major | minor | patch | none, the next version) for the current version."""
        major, minor, patch = (int(p) for p in version.split(".")[:3])
        level = self.level
        if level == "breaking" and major > 0:
            return "major", f"{major + 1}.0.0"
        if level in ("breaking", "feature"):  # while major is 0, breaking means minor
            return "minor", f"{major}.{minor + 1}.0"
        if level == "fix":
            return "patch", f"{major}.{minor}.{patch + 1}"
        return "none", version

    def text(self, version: str) -> str:
        bump, new = self.bump(version)
        if not self.changes:
            return f"No changes to the SDK surface; version stays {version}.\n"
        lines = []
        titles = {"breaking": "Breaking changes", "feature": "Features", "fix": "Fixes"}
        for level in LEVELS:
            changes = self.by_level(level)
            if changes:
                lines.append(f"{titles[level]} ({len(changes)}):")
                lines.extend(f"  - {c}" for c in sorted(changes, key=lambda c: (c.kind, c.subject)))
        lines.extend(skill_lines(self, "  - "))
        lines.append(f"Semver bump: {bump} ({version} -> {new})")
        return "\n".join(lines) + "\n"

    def as_json(self, version: str) -> str:
        bump, new = self.bump(version)
        return (
            json.dumps(
                {
                    "bump": bump,
                    "from": version,
                    "to": new,
                    "changes": [asdict(c) for c in self.changes],
                    "skills": {name: list(subjects) for name, subjects in self.skills},
                },
                indent=2,
            )
            + "\n"
        )


def skill_lines(report: Report, bullet: str) -> list[str]:
    """What the report says of the agent skills its changes reach (none: nothing)."""
    if not report.skills:
        return []
    lines = [f"Agent skills regenerated ({len(report.skills)}):"]
    for name, subjects in report.skills:
        shown = ", ".join(f"`{s}`" for s in subjects[:5])
        more = f" and {len(subjects) - 5} more" if len(subjects) > 5 else ""
        lines.append(f"{bullet}`{name}`: {shown}{more}")
    return lines


def affected_skills(
    report: Report,
    old: tuple[Api, dict[str, Any]],
    new: tuple[Api, dict[str, Any]],
    config: dict[str, Any],
    config_file: str,
) -> list[tuple[str, tuple[str, ...]]]:
    """Each agent skill of `config` with the subjects of the changes it documents: a method
    it covers (on either side), or a model its methods reach. A wrong `skills:` section
    is generation's to report; here it reaches nothing."""
    skills = load_skills(config.get("skills"), config_file, Problems(), new[0].methods)
    reached: dict[str, set[str]] = {}
    for api, document in (old, new):
        for skill in skills:
            names = reached.setdefault(skill.name, set())
            roots = []
            for dotted, op in api.methods.items():
                if skill.covers(dotted):
                    names.add(_call(dotted))
                    roots.append(document.get("paths", {}).get(op.path, {}).get(op.http_method))
            names.update(f"types.{model}" for model in _reachable(document, roots))
    affected = []
    for skill in skills:
        subjects = sorted(
            {c.subject for c in report.changes if _subject_root(c.subject) in reached[skill.name]}
        )
        if subjects:
            affected.append((skill.name, tuple(subjects)))
    return affected


def _subject_root(subject: str) -> str:
    """`types.Assistant.name` -> `types.Assistant`; a method's subject is its own root."""
    if subject.startswith("types."):
        return ".".join(subject.split(".")[:2])
    return subject


# -- reading the two sides ----------------------------------------------------------------
def read_spec(
    source: str, repo: Path, problems: Problems, source_map: SourceMap | None = None
) -> tuple[str, dict[str, Any]]:
    """A spec file, `REV:path`, or a bare git revision of the curated spec; what cannot be
    read is a located error in `problems` (raised)."""
    path = Path(source)
    if path.exists():
        document = load_yaml(path, problems, source_map)
    else:
        revision = source if ":" in source else f"{source}:{DEFAULT_SPEC_PATH}"
        try:
            done = subprocess.run(
                ["git", "show", revision],
                cwd=repo,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="surrogateescape",
            )
        except OSError as exc:
            raise GenerationFailed(
                _one_error(
                    source,
                    f"not a file, and git cannot be run to read it as a revision: {exc.strerror}",
                )
            ) from None
        if done.returncode != 0:
            raise GenerationFailed(
                _one_error(
                    source, f"not a file nor a git revision of the spec: {done.stderr.strip()}"
                )
            )
        document = load_text(done.stdout, source, problems, source_map)
    problems.raise_if_errors()
    assert document is not None
    return source, document.data


def _one_error(file: str, message: str) -> Problems:
    problems = Problems()
    problems.error(message, file)
    return problems


def surface(
    name: str,
    spec: dict[str, Any],
    config: dict[str, Any],
    config_file: str,
    locate: Locator | None = None,
) -> tuple[Api, dict[str, Any]]:
    """The IR and the normalised document of one side; methods (body arguments, path
    parameter names) the config gives for operations this spec lacks are simply absent (an
    older spec may not have them yet). `locate` gives
    the problems their lines."""
    problems = Problems(locate=locate)
    validate(spec, name, problems)(problems)
    problems.raise_if_errors()
    paths = spec.get("paths") or {}
    methods = {
        dotted: target
        for dotted, target in (config.get("methods") or {}).items()
        if _in_spec(str(target), paths)
    }
    # the entries of the keys that name operations (or paths) alike
    keyed = {
        key: {target: v for target, v in config[key].items() if _in_spec(str(target), paths)}
        for key in ("body_arguments", "path_parameter_names")
        if isinstance(config.get(key), dict)
    }
    config = {**config, "methods": methods, **keyed}
    normalised, api = front(spec, name, config, config_file, problems)
    return api, normalised.document


def _in_spec(target: str, paths: dict[str, Any]) -> bool:
    """Whether the spec has the operation `METHOD /path` (or the path `/path`)."""
    method, path = split_target(target)
    item = paths.get(path)
    return isinstance(item, dict) and (not method or method in item)


# -- comparing ----------------------------------------------------------------------------
def _reachable(document: dict[str, Any], roots: list[Any]) -> set[str]:
    """The component schemas that `roots` refer to, transitively."""
    schemas = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        for node, _ in walk(stack.pop()):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    stack.append(schemas.get(name))
    return seen


def _usage(document: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Models reachable from requests (bodies, query models) and from responses."""
    requests: list[Any] = []
    responses: list[Any] = []
    for _, _, operation in operations(document):
        requests.append(operation.get("requestBody"))
        if operation.get("x-query-model"):
            requests.append({"$ref": SCHEMA_REF + operation["x-query-model"]})
        responses.append(operation.get("responses"))
    return _reachable(document, requests), _reachable(document, responses)


def _call(dotted: str) -> str:
    """How a change names a method: `client.ai.assistants.create()`."""
    return f"client.{dotted}()"


def compare(
    old: tuple[Api, dict[str, Any]],
    new: tuple[Api, dict[str, Any]],
    released: Manifest | None = None,
) -> Report:
    """The changes from `old` to `new`. `released`, the surface the last release shipped,
    stands for the old side's methods and models where there is one: the old spec through
    today's generator would hide what the generator itself changed."""
    report = Report()
    old_api, old_doc = old
    new_api, new_doc = new
    before = released if released is not None else of_api(old_api, "")
    after = of_api(new_api, "")
    for key in sorted(set(before.methods) | set(after.methods)):
        if key not in after.methods:
            call = _call(before.methods[key]["call"])
            report.add("breaking", "method-removed", call, f"removed ({key})")
        elif key not in before.methods:
            report.add("feature", "method-added", _call(after.methods[key]["call"]), f"new ({key})")
        else:
            _compare_method(report, before.methods[key], after.methods[key])
    _compare_models(report, old_doc, new_doc, set(before.models))
    package = new_api.config.package
    for name in sorted(set(before.models) & set(after.models)):
        before_home, after_home = before.models[name], after.models[name]
        if before_home != after_home:  # the same model, now used by other resources too
            report.add(
                "fix",
                "model-moved",
                f"types.{name}",
                f"moved from `{package}.types.{before_home}` to `{package}.types.{after_home}`; "
                f"`from {package}.types import {name}` is unchanged",
            )
    return report


def _compare_method(report: Report, old: dict[str, Any], new: dict[str, Any]) -> None:
    """The changes of one operation's method (as surface_manifest holds it): its name,
    arguments and return type."""
    subject = _call(new["call"])
    if old["call"] != new["call"]:
        report.add("breaking", "method-renamed", subject, f"was {_call(old['call'])}")
    before, after = old["arguments"], new["arguments"]
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if b is None and a is not None:
            report.add("breaking", "argument-removed", subject, f"argument `{name}` removed")
        elif a is None and b is not None:
            level = "breaking" if b["required"] else "feature"
            report.add(
                level,
                "argument-added",
                subject,
                f"{'required' if b['required'] else 'optional'} argument `{name}` added",
            )
        elif a is not None and b is not None:
            _compare_argument(report, subject, name, a, b)
    if old["returns"] != new["returns"]:
        report.add(
            "breaking",
            "return-type",
            subject,
            f"returns `{new['returns']}`, was `{old['returns']}`",
        )


def _compare_argument(
    report: Report, subject: str, name: str, a: dict[str, Any], b: dict[str, Any]
) -> None:
    if a["required"] != b["required"]:
        level = "breaking" if b["required"] else "feature"
        report.add(
            level,
            "argument-requiredness",
            subject,
            f"argument `{name}` is now {'required' if b['required'] else 'optional'}",
        )
    if a["positional"] != b["positional"]:
        # a call that passed it by position now gives its value to another argument
        report.add(
            "feature" if b["positional"] else "breaking",
            "argument-position",
            subject,
            f"argument `{name}` is now {'positional' if b['positional'] else 'keyword-only'}",
        )
    if a["type"] != b["type"]:
        # an argument that accepts all it did and more breaks no caller
        widened = set(a["accepts"]) <= set(b["accepts"])
        report.add(
            "feature" if widened else "breaking",
            "argument-type",
            subject,
            f"argument `{name}` changed from `{a['type']}` to `{b['type']}`",
        )


def _type_of(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kinds = schema.get("type")
    kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k and k != "null"]
    for combiner in ("oneOf", "anyOf"):
        if schema.get(combiner):
            return " | ".join(
                sorted(
                    _type_of(v)
                    for v in schema[combiner]
                    if not (isinstance(v, dict) and v.get("type") == "null")
                )
            )
    if kinds == ["array"]:
        return f"array of {_type_of(schema.get('items'))}"
    if kinds == ["object"] and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {_type_of(schema['additionalProperties'])}"
    return "/".join(kinds) or "any"


def _nullable(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    kinds = schema.get("type")
    variants = schema.get("oneOf") or schema.get("anyOf") or []
    return (isinstance(kinds, list) and "null" in kinds) or any(
        isinstance(v, dict) and v.get("type") == "null" for v in variants
    )


def _compare_models(
    report: Report, old_doc: dict[str, Any], new_doc: dict[str, Any], old_names: set[str]
) -> None:
    """Models added and removed (`old_names`: the old side's, the released surface's where
    there is one), and the fields and values of those both documents have."""
    old_schemas = old_doc.get("components", {}).get("schemas", {})
    new_schemas = new_doc.get("components", {}).get("schemas", {})
    requests, responses = _usage(new_doc)
    old_requests, old_responses = _usage(old_doc)
    for name in sorted(old_names | set(new_schemas)):
        if name not in new_schemas:
            report.add("breaking", "model-removed", f"types.{name}", "removed")
            continue
        if name not in old_names:
            report.add("feature", "model-added", f"types.{name}", "new")
            continue
        if name not in old_schemas:  # named by the generator: the old spec has no such schema
            continue
        a, b = old_schemas[name], new_schemas[name]
        use = (name in requests or name in old_requests, name in responses or name in old_responses)
        subject = f"types.{name}"
        old_values = [v for v in a.get("enum") or [] if v is not None]
        new_values = [v for v in b.get("enum") or [] if v is not None]
        for value in new_values:
            if value not in old_values:
                report.add("feature", "enum-value-added", subject, f"new value {value!r}")
        for value in old_values:
            if value not in new_values:
                report.add("breaking", "enum-value-removed", subject, f"value {value!r} removed")
        old_props, new_props = a.get("properties") or {}, b.get("properties") or {}
        required = (set(a.get("required") or []), set(b.get("required") or []))
        for prop in sorted(set(old_props) | set(new_props)):
            field_subject = f"{subject}.{prop}"
            if prop not in new_props:
                report.add("breaking", "field-removed", field_subject, "removed")
            elif prop not in old_props:
                now_required = prop in required[1]
                level = "breaking" if now_required and use[0] else "feature"
                detail = f"new {'required ' if now_required else ''}field"
                report.add(level, "field-added", field_subject, detail)
            else:
                was_now = (prop in required[0], prop in required[1])
                _compare_field(
                    report, field_subject, old_props[prop], new_props[prop], was_now, use
                )


def _compare_field(
    report: Report,
    subject: str,
    x: Any,
    y: Any,
    required: tuple[bool, bool],
    use: tuple[bool, bool],
) -> None:
    """The changes of one field of a model: its type, nullability, requiredness and
    constraints, breaking or not as the model is used in requests and responses (`use`)."""
    in_request, in_response = use
    if _type_of(x) != _type_of(y):
        report.add(
            "breaking", "field-type-changed", subject, f"type `{_type_of(x)}` -> `{_type_of(y)}`"
        )
    if _nullable(x) != _nullable(y):
        now_nullable = _nullable(y)
        breaking = (now_nullable and in_response) or (not now_nullable and in_request)
        report.add(
            "breaking" if breaking else ("feature" if now_nullable else "fix"),
            "field-nullability",
            subject,
            "may now be null" if now_nullable else "is no longer nullable",
        )
    was, now = required
    if was != now:
        breaking = (now and in_request) or (not now and in_response)
        report.add(
            "breaking" if breaking else ("fix" if now else "feature"),
            "field-requiredness",
            subject,
            "is now required" if now else "is now optional",
        )
    for keyword in COMPARED:
        if isinstance(x, dict) and isinstance(y, dict) and x.get(keyword) != y.get(keyword):
            report.add(
                "fix",
                "field-constraint",
                subject,
                f"{keyword} {x.get(keyword)!r} -> {y.get(keyword)!r}",
            )


def diff(old_source: str, new_source: str, config_path: Path, repo: Path) -> tuple[Report, str]:
    """The report of the changes from `old_source` to `new_source`, and the version the
    config says; what is wrong with an input is raised as located problems."""
    source_map = SourceMap()
    problems = Problems(locate=source_map.locate)
    config_doc = load_yaml(config_path, problems, source_map)
    problems.raise_if_errors()
    assert config_doc is not None
    config = with_included_methods(config_doc.data, config_doc.path, problems, source_map)
    sdk_config = load_config(config, str(config_path), problems)
    problems.raise_if_errors()
    assert sdk_config is not None
    old_name, old_spec = read_spec(old_source, repo, problems, source_map)
    new_name, new_spec = read_spec(new_source, repo, problems, source_map)
    old = surface(old_name, old_spec, config, str(config_path), source_map.locate)
    new = surface(new_name, new_spec, config, str(config_path), source_map.locate)
    report = compare(old, new)
    report.skills = affected_skills(report, old, new, config, str(config_path))
    return report, sdk_config.version
