"""Stage 4c: agent skills, the documents that teach an AI coding agent to use the SDK.

One skill per entry of `skills:` in the SDK config, in the layout of the Agent Skills
specification: `skills/<name>/SKILL.md` (front matter, setup, errors, notes, the core tasks
and supporting operations with their parameters and an example each, an index of every
other operation) and `skills/<name>/references/api-details.md` (every parameter and the
response fields of every operation).

Everything an agent could get wrong is derived from what the code is generated from: the
method paths and signatures from the IR, the response fields from the generated models,
the example values from the spec. The configuration only chooses and explains: which
operations are core tasks and supporting operations, their titles, why they matter, and
example values where the spec has none (read and checked by `config.load_skills`).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .ir import Api, Operation, Parameter, Skill, Task
from .naming import snake_case
from .openapi import deref, parameters_of

RUNTIME = Path(__file__).resolve().parent / "runtime"  # what the skill says of errors comes from it
INLINE_OPTIONAL = 3  # optional parameters a task's table shows; api-details.md has the rest
PRIMARY_FIELDS = 6  # response fields a task names


# -- the response models, as generated -----------------------------------------------------


@dataclass(frozen=True)
class FieldInfo:
    name: str  # the attribute, as code reaches it (`from_`)
    type: str  # the annotation, without its constraints
    required: bool
    description: str = ""


def model_fields(models: Mapping[str, str]) -> dict[str, tuple[FieldInfo, ...]]:
    """Every model class of the generated modules (path -> source) with its fields, read
    from the source the package ships: the names are the ones a user's code reaches."""
    fields: dict[str, tuple[FieldInfo, ...]] = {}
    for source in models.values():
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef):
                fields[node.name] = tuple(_class_fields(node))
    return fields


def _class_fields(node: ast.ClassDef) -> Iterator[FieldInfo]:
    body = node.body
    for i, statement in enumerate(body):
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        name = statement.target.id
        if name.startswith("_") or name == "model_config":
            continue
        following = body[i + 1] if i + 1 < len(body) else None
        description = ""
        if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
            description = " ".join(str(following.value.value).split())
        yield FieldInfo(
            name, _plain_annotation(statement.annotation), _required(statement), description
        )


def _plain_annotation(annotation: ast.expr) -> str:
    """`Annotated[int | None, Field(ge=1)]` -> `int | None`."""
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return ast.unparse(annotation.slice.elts[0])
    return ast.unparse(annotation)


def _required(statement: ast.AnnAssign) -> bool:
    value = statement.value
    if value is None:
        return True
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "Field":
        has_default = value.args or any(
            k.arg in ("default", "default_factory") for k in value.keywords
        )
        return not has_default
    return False


# -- example values, from the spec ---------------------------------------------------------


class Examples:
    """Values for the arguments of an example call: the spec's example of the parameter or
    property, else its default or first enum value, else a value of its type shaped like
    the spec's own values of a property of that name (ids such as `assistant-123`)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.by_name: dict[str, Any] = {}
        self._collect(document.get("components", {}), None)

    def _collect(self, node: Any, name: str | None) -> None:
        # Not openapi.walk: that walker skips the values of `example`, which this reads.
        if isinstance(node, dict):
            if name and "example" in node and _scalar(node["example"]):
                self.by_name.setdefault(name, node["example"])
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    for prop, schema in value.items():
                        self._collect(schema, prop)
                elif key in ("example", "examples"):
                    self._collect_example(value)
                else:
                    self._collect(value, name if key in ("items", "schema") else None)
        elif isinstance(node, list):
            for item in node:
                self._collect(item, name)

    def _collect_example(self, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if _scalar(item):
                    self.by_name.setdefault(key, item)
                else:
                    self._collect_example(item)
        elif isinstance(value, list):
            for item in value:
                self._collect_example(item)

    def deref(self, schema: Any) -> Any:
        return deref(self.document, schema)

    def value(self, schema: Any, name: str, depth: int = 0) -> Any:
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            return self.by_name.get(name, name)
        for key in ("example", "default"):
            if key in schema and schema[key] is not None:
                return schema[key]
        if schema.get("examples") and isinstance(schema["examples"], list):
            return schema["examples"][0]
        if schema.get("enum"):
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        for key in ("oneOf", "anyOf", "allOf"):
            if schema.get(key):
                return self.value(schema[key][0], name, depth + 1)
        return self._typed(schema, name, depth)

    def _typed(self, schema: dict[str, Any], name: str, depth: int) -> Any:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind == "object" or "properties" in schema:
            required = schema.get("required") or []
            properties = schema.get("properties") or {}
            if depth > 4:
                return {}
            return {p: self.value(properties.get(p, {}), p, depth + 1) for p in required}
        if kind == "array":
            count = max(int(schema.get("minItems") or 1), 1)
            return [self.value(schema.get("items", {}), name, depth + 1)] * count
        if kind == "integer":
            return int(schema.get("minimum") or 1)
        if kind == "number":
            return float(schema.get("minimum") or 1)
        if kind == "boolean":
            return True
        return self._text(schema, name)

    def _text(self, schema: dict[str, Any], name: str) -> Any:
        if name in self.by_name and isinstance(self.by_name[name], str):
            return self.by_name[name]
        formats = {
            "uuid": "123e4567-e89b-12d3-a456-426614174000",
            "date-time": "2025-01-01T12:00:00Z",
            "date": "2025-01-01",
            "uri": "https://example.com/webhook",
            "email": "user@example.com",
        }
        return formats.get(str(schema.get("format")), name.replace("_", "-"))


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


# -- what the documents say of each operation ---------------------------------------------


@dataclass(frozen=True)
class Argument:
    name: str
    type: str
    required: bool
    positional: bool
    location: str
    description: str


@dataclass(frozen=True)
class Reads:
    """How code reads the answer: the variable, what it is, and the fields it reaches."""

    variable: str
    returns: str  # the return type as the SDK annotates it
    kind: str  # "object" | "page" | "list" | "stream" | "text" | "bytes" | "none"
    fields: tuple[FieldInfo, ...] = ()
    items: str = ""  # where the items are, for a list in an object (`result.data`)


@dataclass(frozen=True)
class Method:
    dotted: str
    call: str  # client.ai.assistants.create
    http: str  # POST /ai/assistants
    anchor: str
    summary: str
    operation: Operation
    arguments: tuple[Argument, ...]
    reads: Reads
    example: str = ""  # the example call, for a task
    task: Task | None = None

    @property
    def required(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.required)

    @property
    def optional(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if not a.required)

    def shown(self, limit: int | None) -> tuple[Argument, ...]:
        """The arguments a task's table shows: the required ones, the optional ones its
        example gives, then others up to `limit` (None: all)."""
        given = {name for name, _ in self.task.example} if self.task else set()
        used = [a for a in self.optional if a.name in given]
        rest = [a for a in self.optional if a.name not in given]
        return (*self.required, *used, *(rest if limit is None else rest[:limit]))

    @property
    def short_signature(self) -> str:
        """The call with its required parameters only: `tools.add(tool_id, *, assistant_id)`."""
        positional = [a.name for a in self.arguments if a.positional]
        keywords = [a.name for a in self.arguments if a.required and not a.positional]
        parts = positional + (["*", *keywords] if keywords else [])
        return f"{self.call}({', '.join(parts + (['...'] if self.optional else []))})"

    @property
    def signature(self) -> str:
        positional = [a.name for a in self.arguments if a.positional]
        keywords = [
            a.name if a.required else f"{a.name}=..." for a in self.arguments if not a.positional
        ]
        parts = positional + (["*"] + keywords if keywords else [])
        return f"{self.call}({', '.join(parts)})"


def describe(
    api: Api,
    skill: Skill,
    fields: Mapping[str, tuple[FieldInfo, ...]],
    examples: Examples,
) -> list[Method]:
    """The skill's operations in the order of the SDK's methods, each with what the
    documents say of it; a task's example call is written from the spec's values."""
    tasks = {task.method: task for task in (*skill.core, *skill.supporting)}
    methods = []
    for dotted, op in api.methods.items():
        if not skill.covers(dotted):
            continue
        reads = _reads(op, fields)
        task = tasks.get(dotted)
        method = Method(
            dotted=dotted,
            call="client." + dotted,
            http=f"{op.http_method.upper()} {op.path}",
            anchor=dotted.replace(".", "-").replace("_", "-"),
            summary=_first_sentence(op.summary or op.description or dotted),
            operation=op,
            arguments=tuple(_argument(p) for p in op.arguments),
            reads=reads,
            task=task,
        )
        if task is not None:
            method = _with_example(method, examples)
        methods.append(method)
    return methods


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    found = re.search(r"(?<=[.!?])\s", text)
    return text[: found.start()] if found else text


def _argument(parameter: Parameter) -> Argument:
    return Argument(
        name=parameter.name,
        type=parameter.annotation,
        required=parameter.required or parameter.positional,
        positional=parameter.positional,
        location=parameter.location,
        description=_first_sentence(parameter.description),
    )


def _model_name(rendered: str) -> str | None:
    """The model a rendered type names, if it is one class (`Assistant`)."""
    return rendered if re.fullmatch(r"[A-Z][A-Za-z0-9_]*", rendered) else None


def _variable(model: str | None) -> str:
    if model is None:
        return "result"
    if model.endswith("Response"):
        return "response"
    return snake_case(model) or "result"


def _reads(op: Operation, fields: Mapping[str, tuple[FieldInfo, ...]]) -> Reads:
    returns = op.return_annotation
    if op.pagination is not None:
        item = _model_name(op.pagination.item.render("out"))
        return Reads(_variable(item), returns, "page", fields.get(item or "", ()))
    response = op.response
    if response.kind in ("text", "binary", "none", "stream") or response.events is not None:
        kind = {"text": "text", "binary": "bytes", "none": "none"}.get(response.kind, "stream")
        return Reads("result", returns, kind)
    listed = re.fullmatch(r"(?:List|list)\[([A-Z][A-Za-z0-9_]*)\]", returns)
    if listed:
        item = listed.group(1)
        return Reads(_variable(item) + "s", returns, "items", fields.get(item, ()), "result")
    model = _model_name(returns)
    own = fields.get(model or "", ())
    data = next((f for f in own if f.name == "data"), None)
    listed = re.fullmatch(r"list\[([A-Z][A-Za-z0-9_]*)\](?: \| None)?", data.type) if data else None
    if listed:
        item = listed.group(1)
        variable = _variable(model)
        return Reads(variable, returns, "list", fields.get(item, ()), f"{variable}.data")
    return Reads(_variable(model), returns, "object", own)


def primary_fields(reads: Reads) -> tuple[FieldInfo, ...]:
    """The fields a task names: the required ones first, in the model's order."""
    ordered = sorted(
        reads.fields, key=lambda f: (not f.required, f.name != "id" and not f.name.endswith("_id"))
    )
    return tuple(ordered[:PRIMARY_FIELDS])


# -- example code --------------------------------------------------------------------------


def _with_example(method: Method, examples: Examples) -> Method:
    assert method.task is not None
    given = dict(method.task.example)
    op = method.operation
    values: list[tuple[Argument, Any]] = []
    for argument, parameter in zip(method.arguments, op.arguments, strict=True):
        if argument.name in given:
            values.append((argument, given[argument.name]))
        elif argument.required:
            values.append(
                (
                    argument,
                    examples.value(
                        _schema_of(op, parameter, examples), parameter.wire_name or parameter.name
                    ),
                )
            )
    return replace(method, example=_example_code(method, values))


def _schema_of(op: Operation, parameter: Parameter, examples: Examples) -> Any:
    """The schema of an argument in the (normalised) spec."""
    item = examples.document.get("paths", {}).get(op.path, {})
    if parameter.location == "body":
        body = examples.deref(item.get(op.http_method, {}).get("requestBody", {}))
        media = (body.get("content") or {}).get(op.body.media_type if op.body else "", {})
        schema = examples.deref(media.get("schema", {}))
        if parameter.wire_name == "":
            return schema
        return examples.deref(schema).get("properties", {}).get(parameter.wire_name, {})
    for candidate in parameters_of(examples.document, op.path, op.http_method):
        if (
            candidate.get("name") == parameter.wire_name
            and candidate.get("in") == parameter.location
        ):
            if "example" in candidate:
                return {"example": candidate["example"]}
            return candidate.get("schema", {})
    return {}


def literal(value: Any) -> str:
    """A value as Python source, in the formatter's style (double quotes)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(value)


def _example_code(method: Method, values: list[tuple[Argument, Any]]) -> str:
    arguments = [
        literal(value) if argument.positional else f"{argument.name}={literal(value)}"
        for argument, value in values
    ]
    reads = method.reads
    target = "" if reads.kind == "none" else f"{reads.variable} = "
    if reads.kind == "page":
        head = f"for {reads.variable} in {method.call}("
    else:
        head = f"{target}{method.call}("
    one_line = head + ", ".join(arguments) + ")"
    if len(one_line) <= 88:
        call = one_line
    else:
        call = head + "\n" + "".join(f"    {a},\n" for a in arguments) + ")"
    return call + _example_reading(reads)


def _example_reading(reads: Reads) -> str:
    first = primary_fields(reads)[:1]
    if reads.kind == "page":
        name = first[0].name if first else ""
        return f":\n    print({reads.variable}{'.' + name if name else ''})\n"
    if reads.kind in ("list", "items"):
        attribute = f"item.{first[0].name}" if first else "item"
        items = reads.variable if reads.kind == "items" else reads.items
        return f"\nfor item in {items}:\n    print({attribute})\n"
    if reads.kind == "object" and first:
        return f"\nprint({reads.variable}.{first[0].name})\n"
    if reads.kind in ("text", "bytes", "object"):
        return f"\nprint({reads.variable})\n"
    if reads.kind == "stream":
        return f"\nfor event in {reads.variable}:\n    print(event)\n"
    return "\n"


def table_cell(text: object) -> str:
    """Text for a cell of a Markdown table: one line, its pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def yaml_text(text: str) -> str:
    """A string of the front matter: JSON's quoting, which YAML reads as it is."""
    return json.dumps(text, ensure_ascii=False)


_CLASS = re.compile(r"\b[A-Z][A-Za-z0-9_]*\b")
_NOT_MODELS = frozenset({"Any", "Literal", "Union", "Sequence", "Mapping", "List", "Dict"})


def reachable_models(
    methods: list[Method], fields: Mapping[str, tuple[FieldInfo, ...]]
) -> list[str]:
    """Every model a response of `methods` reaches, field by field, in the order met."""
    seen: dict[str, None] = {}
    queue = [name for m in methods for f in m.reads.fields for name in _CLASS.findall(f.type)]
    queue += [name for m in methods for name in _CLASS.findall(m.reads.returns)]
    while queue:
        name = queue.pop(0)
        if name in seen or name in _NOT_MODELS or not fields.get(name):
            continue
        seen[name] = None
        queue.extend(n for f in fields[name] for n in _CLASS.findall(f.type))
    return list(seen)


def reachable_params(methods: list[Method], api: Api) -> list[Any]:
    """Every TypedDict an argument of `methods` may give, and those inside them."""
    by_name = {param.name: param for param in api.params}
    seen: dict[str, None] = {}
    queue = [name for m in methods for a in m.arguments for name in _CLASS.findall(a.type)]
    while queue:
        name = queue.pop(0)
        if name in seen or name not in by_name:
            continue
        seen[name] = None
        queue.extend(n for f in by_name[name].fields for n in _CLASS.findall(f.type.render("in")))
    return [by_name[name] for name in seen]


@dataclass(frozen=True)
class RuntimeFacts:
    """What the skill says of errors and retries, read from the runtime the package ships
    (generator/runtime/), so that the prose cannot drift from the code."""

    max_retries: int
    retry_statuses: tuple[int, ...]
    max_retry_after: float
    idempotent_methods: tuple[str, ...]
    status_classes: tuple[tuple[int, str], ...]  # status -> its error class


def runtime_facts(runtime: Path) -> RuntimeFacts:
    retries = _constants((runtime / "_retries.py").read_text(encoding="utf-8"))
    errors = ast.parse((runtime / "_exceptions.py").read_text(encoding="utf-8"))
    by_status = next(
        node.value
        for node in errors.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "_BY_STATUS"
    )
    assert isinstance(by_status, ast.Dict)
    classes = tuple(
        (ast.literal_eval(key), ast.unparse(value))
        for key, value in zip(by_status.keys, by_status.values, strict=True)
        if key is not None
    )
    return RuntimeFacts(
        max_retries=int(retries["DEFAULT_MAX_RETRIES"]),
        retry_statuses=tuple(sorted(retries["DEFAULT_RETRY_STATUSES"])),
        max_retry_after=float(retries["DEFAULT_MAX_RETRY_AFTER"]),
        idempotent_methods=tuple(sorted(retries["IDEMPOTENT_METHODS"])),
        status_classes=classes,
    )


def _constants(source: str) -> dict[str, Any]:
    """The module's constants written as literals (`frozenset({...})` included)."""
    found: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "frozenset":
                value = value.args[0] if value.args else ast.Set(elts=[])
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    continue
    return found


# -- the documents -------------------------------------------------------------------------


def render_skills(
    api: Api,
    document: dict[str, Any],
    models: Mapping[str, str],
    env: Any,
    skills: tuple[Skill, ...],
) -> dict[str, str]:
    """`skills/<name>/SKILL.md` and `skills/<name>/references/api-details.md` of every skill."""
    if not skills:
        return {}
    fields = model_fields(models)
    examples = Examples(document)
    facts = runtime_facts(RUNTIME)
    env = env.overlay()
    env.filters = {**env.filters, "cell": table_cell, "yaml_text": yaml_text}
    files: dict[str, str] = {}
    for skill in skills:
        methods = describe(api, skill, fields, examples)
        by_method = {m.dotted: m for m in methods}
        context = {
            "api": api,
            "config": api.config,
            "skill": skill,
            "methods": methods,
            "core": [by_method[t.method] for t in skill.core],
            "supporting": [by_method[t.method] for t in skill.supporting],
            "others": [m for m in methods if m.task is None],
            "pages": [m for m in methods if m.reads.kind == "page"],
            "nested": next(
                (
                    m
                    for m in methods
                    if any(a.positional for a in m.arguments)
                    and any(a.location == "path" and not a.positional for a in m.arguments)
                ),
                None,
            ),
            "primary_fields": primary_fields,
            "models": [(name, fields[name]) for name in reachable_models(methods, fields)],
            "params": reachable_params(methods, api),
            "inline_optional": INLINE_OPTIONAL,
            "runtime": facts,
        }
        folder = f"skills/{skill.name}"
        for target, template in (
            ("SKILL.md", "skills/SKILL.md.jinja"),
            ("references/api-details.md", "skills/api-details.md.jinja"),
        ):
            text = env.get_template(template).render(context)
            files[f"{folder}/{target}"] = re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"
    return files
