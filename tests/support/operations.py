"""The spec's operations as the spec-driven tests see them: each operation of spec/sdk.yaml
with its method, arguments synthesised from the OpenAPI schemas, and the canned answer (the
spec's example or a body synthesised from the response schema). The spec is the oracle,
read as plain YAML: nothing here comes from the generator but the names of the operations
sdk.yaml does not name (see _operations)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import keyword
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from support import target

sdk_package = target.module()
AsyncPage = target.module("pagination").AsyncPage

# The spec and config of the package under test (tests/support/target.py): the AI package
# unless TELNYX_CODEGEN_SURFACE says otherwise.
SPEC_PATH = target.TARGET.spec
CONFIG_PATH = target.TARGET.config
BASE_URL = "https://api.telnyx.com/v2"
BASE = httpx.URL(BASE_URL)
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
IDEMPOTENT = ("get", "head", "options")
SPEC_URI = "urn:telnyx-ai-spec"
ODD_ID = "id/with?odd#chars"
ODD_ID_ENCODED = "id%2Fwith%3Fodd%23chars"
FASTAPI_422 = {"detail": [{"loc": ["body", "name"], "msg": "field required", "type": "missing"}]}
SERVER_ERROR = {"errors": [{"code": "10007", "title": "Unexpected error", "detail": "boom"}]}
# Keyword arguments every generated method has besides the operation's own.
COMMON_KWARGS = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})
METHOD_LOCALS = COMMON_KWARGS | {"self", "idempotency_key"}
# Values tried, in order, for a string with a `pattern` (phone numbers, SIP URIs).
PATTERN_CANDIDATES = ("+13125550001", "sip:agent@example.com")
FIXED_FORMATS = {
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "uri": "https://example.com/callback",
    "email": "user@example.com",
}
UPLOAD = b"RIFF\x00\x01fake audio"  # the value of every `format: binary` field
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"  # a binary answer


# -- the spec ------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    """YAML data as JSON data (a YAML timestamp becomes its ISO string)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, (dt.datetime, dt.date)):
        return node.isoformat().replace("+00:00", "Z")
    return node


class _PlainLoader(yaml.CSafeLoader):
    """libyaml's safe loader, timestamps left the text the spec wrote (JSON has none)."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def _load(path: Path) -> Any:
    """The file's data, read as plain YAML (not through the generator's loader)."""
    return _plain(yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainLoader))  # noqa: S506


SPEC: dict[str, Any] = _load(SPEC_PATH)
CONFIG: dict[str, Any] = _load(CONFIG_PATH)
REGISTRY: Registry = Registry().with_resource(
    SPEC_URI, Resource.from_contents(SPEC, default_specification=DRAFT202012)
)


def resolve_pointer(ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references are expected, got {ref!r}"
    node: Any = SPEC
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def deref(schema: Any) -> Any:
    """Follow ``$ref``s; keywords next to a ``$ref`` win over the target's (OpenAPI 3.1)."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**resolve_pointer(schema["$ref"]), **siblings}
    return schema


def component_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/components/schemas/"):
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return None


def object_shape(schema: Any) -> tuple[dict[str, Any], list[str]] | None:
    """Properties and required names of an object schema (allOf merged), else None."""
    schema = deref(schema)
    if not isinstance(schema, dict):
        return None
    if schema.get("allOf"):
        properties: dict[str, Any] = {}
        required: list[str] = []
        for part in schema["allOf"]:
            shape = object_shape(part)
            if shape is None:
                return None
            properties.update(shape[0])
            required += [r for r in shape[1] if r not in required]
        return properties, required
    if (schema.get("type") == "object" or "properties" in schema) and not (
        schema.get("oneOf") or schema.get("anyOf")
    ):
        return dict(schema.get("properties") or {}), list(schema.get("required") or [])
    return None


def _absolute_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                SPEC_URI + v
                if k == "$ref" and isinstance(v, str) and v.startswith("#")
                else _absolute_refs(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute_refs(v) for v in node]
    return node


@cache
def _validator(schema_json: str) -> Any:
    cls = jsonschema.Draft202012Validator
    schema = _absolute_refs(json.loads(schema_json))
    return cls(schema, registry=REGISTRY, format_checker=cls.FORMAT_CHECKER)


def schema_errors(schema: Any, instance: Any) -> list[str]:
    """What is wrong with ``instance`` under ``schema`` (Draft 2020-12, refs into the spec)."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


# -- Python names, by the rule the SDK documents ------------------------------------

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def snake_case(text: str) -> str:
    """``page[size]`` -> ``page_size``, ``conversationId`` -> ``conversation_id``."""
    name = "_".join(w.lower() for w in _WORD.findall(text.replace("'", "")))
    return "n_" + name if name[:1].isdigit() else name


def python_name(wire: str) -> str:
    """The keyword argument for a parameter or body property named ``wire`` on the wire."""
    name = snake_case(wire)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"  # `from` -> `from_`
    if name in METHOD_LOCALS:
        name += "_"
    return name


def path_parameter_name(method: str, path: str, wire: str) -> str:
    """The keyword argument for path parameter ``wire``: the config's name for it
    (`path_parameter_names`, by operation, `PATCH /sims/{id}`, or by path), else its own."""
    names = CONFIG.get("path_parameter_names") or {}
    given = {**names.get(path, {}), **names.get(f"{method.upper()} {path}", {})}
    return str(given.get(wire) or python_name(wire))


def body_argument_name(method: str, path: str) -> str | None:
    """The one keyword argument taking the operation's whole request body, where the config
    names one (`body_arguments`, `POST /networks: network_create`), else None: the body is
    one keyword per property."""
    names = CONFIG.get("body_arguments") or {}
    name = names.get(f"{method.upper()} {path}")
    return None if name is None else str(name)


# -- values from schemas --------------------------------------------------------------


def synth(schema: Any, name: str = "value", *, examples: bool = False) -> Any:
    """A minimal value valid against ``schema``.

    const, then (for responses) the spec's example, then default, then the first enum
    value; unions take their first non-null variant (tagged with its discriminator
    value); objects get their required properties (a response object without any, its
    first property); arrays get ``max(minItems, 1)`` items.
    """
    schema = deref(schema)
    if not isinstance(schema, dict):
        return "value"
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if examples:
        if "example" in schema:
            return copy.deepcopy(schema["example"])
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return copy.deepcopy(schema["examples"][0])
    if schema.get("default") is not None:
        return copy.deepcopy(schema["default"])
    enum = [v for v in schema.get("enum") or [] if v is not None]
    if enum:
        return enum[0]
    for combiner in ("oneOf", "anyOf"):
        variants = schema.get(combiner)
        if variants:
            variant = next((v for v in variants if deref(v).get("type") != "null"), variants[0])
            value = synth(variant, name, examples=examples)
            discriminator = schema.get("discriminator")
            if isinstance(discriminator, dict) and isinstance(value, dict):
                mapping = discriminator.get("mapping") or {}
                tag = next((k for k, ref in mapping.items() if ref == variant.get("$ref")), None)
                if tag is not None:
                    value[discriminator["propertyName"]] = tag
            return value
    if schema.get("allOf"):
        parts = [synth(part, name, examples=examples) for part in schema["allOf"]]
        if all(isinstance(p, dict) for p in parts):
            merged: dict[str, Any] = {}
            for part in parts:
                merged.update(part)
            shape = object_shape(schema)
            if shape is not None:
                for prop in shape[1]:
                    merged.setdefault(prop, synth(shape[0].get(prop, {}), prop, examples=examples))
            return merged
        return parts[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema or "additionalProperties" in schema else "any"
    if kind == "object":
        properties = schema.get("properties") or {}
        names = list(schema.get("required") or [])
        if examples and not names:  # a response: give it something to round-trip
            names = list(properties)[:1]
        value = {p: synth(properties.get(p, {}), p, examples=examples) for p in names}
        extra = schema.get("additionalProperties")
        if not properties and not value and extra is not False:
            value = {
                "key": synth(extra if isinstance(extra, dict) else {}, "key", examples=examples)
            }
        return value
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 1)
        return [synth(schema.get("items", {}), name, examples=examples) for _ in range(count)]
    if kind == "string":
        text = FIXED_FORMATS.get(str(schema.get("format")), f"{name}-value")
        if "pattern" in schema:
            candidates = [text, *PATTERN_CANDIDATES]
            text = next((c for c in candidates if re.search(schema["pattern"], c)), "")
            assert text, f"{name}: no sample value matches the pattern {schema['pattern']!r}"
        if "maxLength" in schema:
            text = text[: int(schema["maxLength"])]
        return text.ljust(int(schema.get("minLength", 0)), "x")
    if kind in ("integer", "number"):
        number: float = 1
        if "minimum" in schema:
            number = schema["minimum"]
        elif "exclusiveMinimum" in schema:
            number = schema["exclusiveMinimum"] + 1
        if "maximum" in schema:
            number = min(number, schema["maximum"])
        if schema.get("multipleOf"):
            number = math.ceil(number / schema["multipleOf"]) * schema["multipleOf"]
        return int(number) if kind == "integer" else float(number)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return {"key": "value"}


def query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def synth_every_key(schema: Any, name: str = "value") -> Any:
    """A value of ``schema`` with every property of every object given, down to the
    leaves (a deepObject argument, to see each of its keys on the wire)."""
    target = deref(schema)
    shape = object_shape(target)
    if shape is not None and shape[0]:
        return {key: synth_every_key(sub, key) for key, sub in shape[0].items()}
    variants = [v for v in target.get("oneOf") or target.get("anyOf") or [] if v]
    if variants and "const" not in target and not target.get("enum"):
        first = next((v for v in variants if deref(v).get("type") != "null"), variants[0])
        return synth_every_key(first, name)
    if target.get("type") == "array":
        return [synth_every_key(target.get("items", {}), name)]
    return synth(target, name)


def deep_pairs(key: str, value: Any) -> list[tuple[str, str]]:
    """A deepObject on the wire: `filter[state][eq]=x`, a list inside it `filter[tags][]=a`
    once per item (the form the spec's notes write: `filter[customer_reference][in][]`)."""
    if isinstance(value, dict):
        return [pair for sub, item in value.items() for pair in deep_pairs(f"{key}[{sub}]", item)]
    if isinstance(value, list):
        return [pair for item in value for pair in deep_pairs(f"{key}[]", item)]
    return [] if value is None else [(key, query_text(value))]


# The object query parameter whose properties are keyword arguments of their own
# (`page_number=`), as the official SDK takes them; any other object is one argument.
PAGE_OBJECT = "page"


def is_deep_object(parameter: dict[str, Any]) -> bool:
    """A query parameter sent as `name[key]=v`: a deepObject, or an object with properties
    that names no style (OpenAPI's form style would spread them; nothing means that)."""
    shape = object_shape(parameter.get("schema") or {})
    return (
        parameter.get("in") == "query"
        and parameter.get("style", "deepObject") == "deepObject"
        and shape is not None
        and bool(shape[0] or parameter.get("style"))
    )


# -- operations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    wire: str  # name on the wire: `page[size]`, `from`
    python: str  # keyword argument
    location: str  # path | query | header | body
    schema: Any
    required: bool
    deep: bool = False  # a deepObject: one dict argument, sent as `filter[a][b]=v`


@dataclass(frozen=True)
class Operation:
    dotted: str  # ai.assistants.tags.remove
    method: str  # get, post, ...
    path: str  # /ai/assistants/{assistant_id}/tags/{tag}

    def __str__(self) -> str:
        return self.dotted

    @property
    def spec(self) -> dict[str, Any]:
        return SPEC["paths"][self.path][self.method]  # type: ignore[no-any-return]

    @property
    def url_path(self) -> str:
        """The path under the base URL: the spec's, less a leading segment the base URL
        already ends with (`/v2/mobile_voice_connections` under `.../v2`), as the SDK
        documents."""
        prefix = BASE.path.rstrip("/")
        if prefix and self.path.startswith(prefix + "/"):
            return self.path[len(prefix) :]
        return self.path

    @property
    def path_names(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def positional(self) -> str | None:
        """The last path parameter is the method's one positional argument."""
        return self.path_names[-1] if self.path_names else None

    @property
    def parameters(self) -> list[Arg]:
        raw = [deref(p) for p in SPEC["paths"][self.path].get("parameters") or []]
        raw += [deref(p) for p in self.spec.get("parameters") or []]
        args: list[Arg] = []
        for parameter in raw:
            wire, where, schema = parameter["name"], parameter["in"], parameter.get("schema") or {}
            deep = is_deep_object(parameter)
            shape = object_shape(schema)
            if deep and wire == PAGE_OBJECT and shape is not None:  # page[number] / page[size]
                for prop, sub in shape[0].items():
                    required = bool(parameter.get("required")) and prop in shape[1]
                    args.append(
                        Arg(f"{wire}[{prop}]", python_name(f"{wire}_{prop}"), where, sub, required)
                    )
                continue
            required = where == "path" or bool(parameter.get("required"))
            python = (
                path_parameter_name(self.method, self.path, wire)
                if where == "path"
                else python_name(wire)
            )
            args.append(Arg(wire, python, where, schema, required, deep))
        return args

    @property
    def body(self) -> dict[str, Any] | None:
        body = deref(self.spec.get("requestBody"))
        return body if isinstance(body, dict) and body.get("content") else None

    @property
    def body_content(self) -> str:
        """The request body's entry of `content`: JSON where offered, else the only one."""
        assert self.body is not None
        content = self.body["content"]
        return "application/json" if "application/json" in content else next(iter(content))

    @property
    def body_media(self) -> str:
        """The media type the request body goes as: its content's, but an object that may be
        any (`*/*`) goes as JSON."""
        media = self.body_content
        if media == "*/*" and object_shape(self.body_schema) is not None:
            return "application/json"
        return media

    @property
    def body_schema(self) -> Any:
        assert self.body is not None
        return self.body["content"][self.body_content]["schema"]

    @property
    def body_args(self) -> list[Arg]:
        """One per property of an object body; one (no wire name) for a body the config
        takes whole."""
        if self.body is None:
            return []
        whole = body_argument_name(self.method, self.path)
        if whole is not None:
            return [Arg("", whole, "body", self.body_schema, bool(self.body.get("required")))]
        shape = object_shape(self.body_schema)
        assert shape is not None, f"{self}: the request body is not an object"
        return [
            Arg(prop, python_name(prop), "body", sub, prop in shape[1])
            for prop, sub in shape[0].items()
            if not deref(sub).get("readOnly")
        ]

    @property
    def args(self) -> list[Arg]:
        return self.parameters + self.body_args

    @property
    def success(self) -> tuple[int, str, Any, str | None]:
        """(status, kind: json | text | binary | none, schema, media type) of the success
        response; JSON where the response offers it (an event stream is its alternative)."""
        responses = self.spec["responses"]
        status = sorted(str(s) for s in responses if str(s).startswith("2"))[0]
        response = deref(responses.get(status, responses.get(int(status))))
        content = response.get("content") or {}
        if status == "204" or not content:
            return int(status), "none", None, None
        media = "application/json" if "application/json" in content else next(iter(content))
        textual = media.startswith("text/") or media in ("application/xml", "application/csv")
        kind = "json" if media == "application/json" else "text" if textual else "binary"
        return int(status), kind, content[media].get("schema") or {}, media

    @property
    def paged(self) -> bool:
        """A list the SDK pages through: an array, or a `data` array beside `meta` with
        `page_number` and `total_pages`, asked for with a page number (and for an array a
        page size) parameter; or an object with nothing but `data`, without one."""
        if self.method != "get" or self.page_data_schema is None:
            return False
        wires = {arg.wire for arg in self.parameters if arg.location == "query"}
        numbered = bool(wires & {"page[number]", "page_number"})
        shape = object_shape(self.success[2])
        if shape is None:  # an array
            return numbered and bool(wires & {"page[size]", "page_size"})
        meta = object_shape(shape[0]["meta"]) if "meta" in shape[0] else None
        if meta is not None and {"page_number", "total_pages"} <= set(meta[0]):
            return numbered
        return set(shape[0]) == {"data"} and not numbered

    @property
    def page_data_schema(self) -> Any:
        """The items schema of a list response (a bare array or an object's `data` array)."""
        _, kind, schema, _ = self.success
        if kind != "json":
            return None
        target = deref(schema)
        if target.get("type") == "array":
            return target.get("items", {})
        shape = object_shape(schema)
        if shape is None or "data" not in shape[0]:
            return None
        data = deref(shape[0]["data"])
        return data.get("items", {}) if data.get("type") == "array" else None


SPEC_OPERATIONS = {
    (method, path)
    for path, item in SPEC["paths"].items()
    for method in item
    if method in HTTP_METHODS
}


def _named_methods() -> dict[str, str]:
    """The config's `methods`, with those of the file it includes (`include_methods`: the
    whole spec takes the AI areas' names from sdk.yaml), merged as the build merges them."""
    from generator.config import with_included_methods
    from generator.problems import Problems

    merged = with_included_methods(CONFIG, str(CONFIG_PATH), Problems())
    return dict(merged.get("methods") or {})


def _operations() -> list[Operation]:
    """Every operation of the spec, named as sdk.yaml names it; an operation sdk.yaml does
    not name is named from its path by the generator (generator.diffing.surface: the one
    thing asked of it here, the rule being the generator's own; a wrong name is a method
    the tests cannot find)."""
    from generator.diffing import surface

    named = {
        (target.split()[0].lower(), target.split()[1]): dotted
        for dotted, target in _named_methods().items()
    }
    api, _ = surface(str(SPEC_PATH), copy.deepcopy(SPEC), CONFIG, str(CONFIG_PATH))
    derived = {(op.http_method, op.path): dotted for dotted, op in api.methods.items()}
    return [Operation(named.get(key) or derived[key], *key) for key in sorted(SPEC_OPERATIONS)]


OPERATIONS = _operations()
FLAVOURS = ("sync", "async")
CALL_VARIANTS = ("required", "optional", "odd-ids")


def _known_failures(path: Path) -> dict[tuple[str, str], str]:
    """(operation, check) -> reason, from a file of kinds: each with its `reason` and its
    `cases`, "dotted.name check" strings."""
    if not path.exists():
        return {}
    found: dict[tuple[str, str], str] = {}
    for kind, entry in (_load(path) or {}).items():
        for case in entry["cases"]:
            dotted, check = case.split()
            assert (dotted, check) not in found, f"{path}: {case} twice"
            found[dotted, check] = f"{kind}: {entry['reason']}"
    return found


# Bugs of the generated SDK: (operation, check) -> what is wrong. `check` is a call
# variant, "signature", "422" or "retry"; the matching cases become strict xfails.
# The AI package has none: it passes every check below. Another surface's known failures
# are listed by kind in tests/spec_driven/known_failures_<surface>.yaml.
KNOWN_BUGS: dict[tuple[str, str], str] = _known_failures(
    Path(__file__).resolve().parents[1] / "spec_driven" / f"known_failures_{target.SURFACE}.yaml"
)


def cases(*checks: str) -> list[Any]:
    """Parameters (op, check, flavour) for every operation, check and client flavour;
    (op, flavour) when there is only one check. Known bugs are marked strict xfail."""
    params = []
    for op in OPERATIONS:
        for check in checks:
            if check == "odd-ids" and not op.path_names:
                continue
            reason = KNOWN_BUGS.get((op.dotted, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            for flavour in FLAVOURS:
                values = (op, check, flavour) if len(checks) > 1 else (op, flavour)
                params.append(
                    pytest.param(*values, id=f"{op.dotted}-{check}-{flavour}", marks=marks)
                )
    return params


# -- calling --------------------------------------------------------------------------


@dataclass
class Call:
    args: list[Any]
    kwargs: dict[str, Any]
    path: str  # the raw path the request must have, percent-encoded
    query: list[tuple[str, str]]  # sorted (name, value) pairs
    body: Any  # the JSON body the request must carry; None for no body


def method_of(root: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


def argument_value(arg: Arg, every: bool) -> Any:
    """A value of the argument: bytes for a file, else one synthesised from its schema; a
    whole object body (no wire name) as its keywords would make it, of its required
    properties (`every` one) each synthesised from the merged shape."""
    shape = object_shape(arg.schema) if arg.location == "body" and not arg.wire else None
    if shape is not None:
        return {
            prop: argument_value(Arg(prop, prop, "body", sub, True), every=False)
            for prop, sub in shape[0].items()
            if (every or prop in shape[1]) and not deref(sub).get("readOnly")
        }
    if deref(arg.schema).get("format") == "binary":
        return UPLOAD
    return synth(arg.schema, arg.wire or "body")


def build_call(op: Operation, variant: str) -> Call:
    """Arguments for ``op``: the required ones, or every optional one too ("optional"),
    or the required ones with path parameters full of reserved characters ("odd-ids");
    and the request they must produce."""
    if variant == "odd-ids":
        path_values = {
            n: ODD_ID if n == op.positional else f"{n}/with?odd#chars" for n in op.path_names
        }
    else:  # a value of the parameter's format (a uuid), else one naming the parameter
        formats = {
            arg.wire: deref(arg.schema).get("format")
            for arg in op.parameters
            if arg.location == "path"
        }
        path_values = {
            n: FIXED_FORMATS.get(str(formats.get(n)), f"{n}-0001") for n in op.path_names
        }
    args: list[Any] = [path_values[op.positional]] if op.positional else []
    kwargs: dict[str, Any] = {}
    query: list[tuple[str, str]] = []
    body: Any = {}  # the body's properties, or the whole body (an argument of no wire name)
    whole = False
    for arg in op.args:
        if arg.location == "path":
            assert deref(arg.schema).get("type", "string") == "string"
            if arg.wire != op.positional:
                kwargs[arg.python] = path_values[arg.wire]
            continue
        if not arg.required and variant != "optional":
            continue
        if arg.deep:  # every key, down to the leaves, each on the wire as `filter[a][b]`
            kwargs[arg.python] = synth_every_key(arg.schema, arg.wire)
            query += deep_pairs(arg.wire, kwargs[arg.python])
            continue
        value = argument_value(arg, every=variant == "optional")
        kwargs[arg.python] = value
        if arg.location == "query":
            query += [
                (arg.wire, query_text(v)) for v in (value if isinstance(value, list) else [value])
            ]
        elif arg.location == "body" and not arg.wire:
            body, whole = value, True
        elif arg.location == "body":
            body[arg.wire] = value
        else:  # pragma: no cover - the spec has no header or cookie parameters
            raise AssertionError(f"{op}: unexpected parameter location {arg.location!r}")
    path = op.url_path
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    expected_body = None
    if op.body is not None and (body or whole or op.body.get("required")):
        expected_body = (
            body if op.body_media != "application/json" else json.loads(json.dumps(body))
        )
    return Call(
        args, kwargs, BASE.raw_path.decode().rstrip("/") + path, sorted(query), expected_body
    )


async def invoke(sdk: Any, op: Operation, call: Call) -> Any:
    result = method_of(sdk, op.dotted)(*call.args, **call.kwargs)
    if isinstance(sdk, sdk_package.AsyncTelnyx):
        result = await result  # a coroutine, or an AsyncPager: the first page
    return result


async def page_items(page: Any) -> list[Any]:
    if isinstance(page, AsyncPage):
        return [item async for item in page]
    return list(page)


@dataclass
class Answer:
    response: httpx.Response
    body: Any  # the JSON value or the text sent; None for no content


def success_answer(op: Operation) -> Answer:
    """The spec's example of the success response, else a body synthesised from its schema."""
    status, kind, schema, media = op.success
    if kind == "none":
        return Answer(httpx.Response(status), None)
    if kind == "binary":
        return Answer(
            httpx.Response(status, content=PNG, headers={"content-type": str(media)}), PNG
        )
    if kind == "text":
        text = deref(schema).get("example")
        if not isinstance(text, str):
            text = "Enhanced instructions: greet the caller and be brief."
            if "xml" in str(media):
                text = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello</Say></Response>'
        return Answer(httpx.Response(status, text=text, headers={"content-type": str(media)}), text)
    body = synth(schema, component_name(schema) or "response", examples=True)
    problems = schema_errors(schema, body)
    assert not problems, f"{op}: the synthesised response does not match the spec: {problems}"
    return Answer(httpx.Response(status, json=body), body)
