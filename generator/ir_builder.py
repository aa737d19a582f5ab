"""Stage 3: build the intermediate representation from the normalised spec and sdk.yaml.

Here every operation gets its method name and place in the resource tree, every
parameter its keyword name and type expression, and every response its return type and
paging style. Name collisions are checked here, once.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from typing import Any

from . import naming
from . import type_expressions as types
from .ir import (
    Api,
    Body,
    EventStream,
    Operation,
    Pagination,
    Parameter,
    Resource,
    Response,
    SdkConfig,
    WebhookEvent,
    WebhookSigning,
)
from .problems import Problems, pointer
from .type_expressions import TypeExpr
from .validating import HTTP_METHODS, SCHEMA_REF, deref, schemas_named

_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_CLASS = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_TOKEN = re.compile(r"^[A-Za-z0-9._-]+$")
_URL = re.compile(r"^https?://[^\s\"'\\<>]+$")
# Modules the generated package imports, and names its modules define or import beside
# the clients: a package or client named so would shadow them.
_IMPORTED_MODULES = frozenset(sys.stdlib_module_names) | {
    "httpx",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "httpx_sse",
    "cryptography",
    "anyio",
}
_TAKEN_CLASS_NAMES = frozenset(naming.EXCEPTION_NAMES) | {
    "NotGiven", "NOT_GIVEN", "Omit", "Stream", "AsyncStream", "StreamedResponse", "AsyncStreamedResponse",
    "RawResponse", "RequestSpec", "SyncAPIClient", "AsyncAPIClient", "Webhooks", "Any", "Mapping",
    "TYPE_CHECKING", "TimeoutTypes", "TelnyxModel",
}  # fmt: skip
_HEADER = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # an HTTP token
_VERSION = re.compile(r"^\d+\.\d+\.\d+([ab]|rc)?\d*$")
JSON_TYPES = ("application/json",)
BODY_ENCODINGS: dict[str, Any] = {
    "application/json": "json",
    "application/x-www-form-urlencoded": "form",
    "multipart/form-data": "multipart",
    "application/octet-stream": "binary",
    "*/*": "binary",
}
TEXT_TYPES = ("text/plain", "application/xml", "text/xml", "text/html", "text/csv")
STREAM_TYPE = "text/event-stream"
_SCALARS = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def load_config(data: dict[str, Any], file: str, problems: Problems) -> SdkConfig | None:
    def text(key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value:
            problems.error(f"`{key}` must be a non-empty string", file, pointer(key))
            return ""
        return value

    package = text("package")
    if package and (not _PACKAGE.fullmatch(package) or package in naming.RESERVED):
        problems.error(
            f"package name {package!r} is not a valid Python package name", file, "/package"
        )
    distribution = text("distribution")
    if distribution and not _DISTRIBUTION.fullmatch(distribution):
        problems.error(
            f"distribution name {distribution!r} is not a valid package name", file, "/distribution"
        )
    version = text("version")
    if version and not _VERSION.fullmatch(version):
        problems.error(
            f"version {version!r} is not of the form MAJOR.MINOR.PATCH", file, "/version"
        )
    if package in _IMPORTED_MODULES:
        problems.error(
            f"package name {package!r} is a module the package imports; it could not import itself",
            file,
            "/package",
        )

    def mapping(key: str) -> dict[str, Any]:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            problems.error(
                f"`{key}` must be a mapping, not {type(value).__name__}", file, pointer(key)
            )
            return {}
        return value

    clients = mapping("clients")
    environment = mapping("environment")
    urls = mapping("urls")
    examples = data.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
        problems.error("`examples` must be a list of {title, code}", file, "/examples")
        examples = []
    for role in ("sync", "async"):
        name = clients.get(role)
        if isinstance(name, str) and (name in _TAKEN_CLASS_NAMES or name in naming.BUILTINS):
            problems.error(
                f"client name {name!r} is a name the package already uses",
                file,
                pointer("clients", role),
            )
    if clients.get("sync", "Client") == clients.get("async", "AsyncClient"):
        problems.error("the sync and async clients need two names", file, "/clients/async")
    for key, value, pattern, what in (
        ("clients/sync", clients.get("sync", "Client"), _CLASS, "a class name"),
        ("clients/async", clients.get("async", "AsyncClient"), _CLASS, "a class name"),
        (
            "environment/api_key",
            environment.get("api_key", "API_KEY"),
            _ENV,
            "an environment variable name",
        ),
        (
            "environment/base_url",
            environment.get("base_url", "BASE_URL"),
            _ENV,
            "an environment variable name",
        ),
        ("environment/log", environment.get("log", "LOG"), _ENV, "an environment variable name"),
        (
            "user_agent",
            data.get("user_agent", package),
            _TOKEN,
            "a product token (letters, digits, . _ -)",
        ),
        ("base_url", data.get("base_url"), _URL, "an http(s) URL"),
    ):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.error(
                f"`{key.replace('/', '.')}` must be {what}, not {value!r}", file, "/" + key
            )
    hand_written = [f"{package}/lib/"]
    listed = data.get("hand_written") or []
    if not isinstance(listed, list):
        problems.error(
            "`hand_written` must be a list of paths inside the output (a folder ends in `/`)",
            file,
            "/hand_written",
        )
        listed = []
    for index, entry in enumerate(listed):
        # a path inside the output: relative, no empty, `.` or `..` part (a folder ends in /)
        if not isinstance(entry, str) or any(
            p in ("", ".", "..") for p in entry.removesuffix("/").split("/")
        ):
            problems.error(
                f"`hand_written` entries must be relative paths inside the output, not {entry!r}",
                file,
                pointer("hand_written", index),
            )
        else:
            hand_written.append(entry)
    if "methods" in data and not isinstance(data["methods"], dict):
        problems.error(
            "`methods` must map dotted method names to operations (`GET /path`)", file, "/methods"
        )
    config = SdkConfig(
        package=package,
        distribution=distribution,
        version=version,
        description=str(data.get("description", "")),
        user_agent=text("user_agent", package),
        sync_client=str(clients.get("sync", "Client")),
        async_client=str(clients.get("async", "AsyncClient")),
        base_url=text("base_url"),
        api_key_env=str(environment.get("api_key", "API_KEY")),
        base_url_env=str(environment.get("base_url", "BASE_URL")),
        log_env=str(environment.get("log", "LOG")),
        urls=tuple((str(k), str(v)) for k, v in urls.items()),
        examples=tuple((str(e.get("title", "")), str(e.get("code", ""))) for e in examples),
        hand_written=tuple(hand_written),
        webhooks=_webhook_signing(data.get("webhooks"), file, problems),
        pattern_hints=_pattern_hints(mapping("pattern_hints"), file, problems),
    )
    return None if problems.errors else config


def _pattern_hints(
    hints: dict[str, Any], file: str, problems: Problems
) -> tuple[tuple[str, str], ...]:
    """`pattern_hints`: regular expression -> the words an argument error says instead."""
    for pattern, words in hints.items():
        if not isinstance(words, str) or not words:
            problems.error(
                "`pattern_hints` values must be non-empty strings (what a matching value is)",
                file,
                pointer("pattern_hints", str(pattern)),
            )
    return tuple((str(k), v) for k, v in hints.items() if isinstance(v, str) and v)


def _webhook_signing(section: Any, file: str, problems: Problems) -> WebhookSigning | None:
    """The `webhooks` section: how the API signs what it sends; None when there is none."""
    if section is None:
        return None
    if not isinstance(section, dict):
        problems.error(
            "`webhooks` must be a mapping (signature_header, timestamp_header, signed_message, ...)",
            file,
            "/webhooks",
        )
        return None
    values: dict[str, Any] = {}
    for key, pattern, what in (
        ("signature_header", _HEADER, "an HTTP header name"),
        ("timestamp_header", _HEADER, "an HTTP header name"),
        ("signed_message", None, "a text with `{timestamp}` and `{payload}` once each"),
    ):
        value = section.get(key)
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            problems.error(
                f"`webhooks.{key}` must be {what}, not {value!r}", file, pointer("webhooks", key)
            )
        values[key] = value
    message = values["signed_message"]
    if isinstance(message, str) and (
        message.count("{timestamp}") != 1
        or message.count("{payload}") != 1
        or message.count("{") != 2
        or message.count("}") != 2
    ):
        problems.error(
            f"`webhooks.signed_message` must hold `{{timestamp}}` and `{{payload}}` once each and no other braces, not {message!r}",
            file,
            "/webhooks/signed_message",
        )
    tolerance = section.get("tolerance", 300)
    if not isinstance(tolerance, int) or isinstance(tolerance, bool) or tolerance <= 0:
        problems.error(
            f"`webhooks.tolerance` must be a positive number of seconds, not {tolerance!r}",
            file,
            "/webhooks/tolerance",
        )
    key_env = section.get("public_key_env")
    if not isinstance(key_env, str) or not _ENV.fullmatch(key_env):
        problems.error(
            f"`webhooks.public_key_env` must be an environment variable name, not {key_env!r}",
            file,
            "/webhooks/public_key_env",
        )
    at = section.get("event_type_at")
    if not isinstance(at, list) or not at or not all(isinstance(part, str) and part for part in at):
        problems.error(
            f"`webhooks.event_type_at` must be the path of property names to the event type, not {at!r}",
            file,
            "/webhooks/event_type_at",
        )
        at = []
    if problems.errors:
        return None
    return WebhookSigning(
        str(values["signature_header"]),
        str(values["timestamp_header"]),
        str(message),
        tolerance,
        str(key_env),
        tuple(at),
    )


class Builder:
    def __init__(
        self,
        document: dict[str, Any],
        spec_file: str,
        config_data: dict[str, Any],
        config_file: str,
        problems: Problems,
    ) -> None:
        self.doc = document
        self.spec_file = spec_file
        self.config_data = config_data
        self.config_file = config_file
        self.problems = problems
        self.schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        self._default_size: int | None = None
        self.defaulted: set[tuple[str, str]] = set()  # operations named from their path
        self._visiting: set[str] = set()  # the union components being mapped

    # -- types -------------------------------------------------------------------
    def component(self, schema: Any) -> tuple[str, Any] | None:
        if (
            isinstance(schema, dict)
            and isinstance(schema.get("$ref"), str)
            and schema["$ref"].startswith(SCHEMA_REF)
        ):
            name = schema["$ref"][len(SCHEMA_REF) :]
            return name, self.schemas.get(name, {})
        return None

    def type_of(self, schema: Any) -> TypeExpr:
        """The one type expression of `schema`, for arguments and responses alike."""
        if not isinstance(schema, dict) or not schema:
            return types.OBJECT
        found = self.component(schema)
        if found is not None:
            return self._component_type(*found)
        if "const" in schema:
            return types.NONE if schema["const"] is None else types.LiteralOf((schema["const"],))
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        options: list[TypeExpr] = []
        if isinstance(schema.get("enum"), list):
            values = tuple(v for v in schema["enum"] if v is not None)
            options += [types.LiteralOf(values)] if values else []
            options += [types.NONE] if None in schema["enum"] else []
        elif schema.get("oneOf") or schema.get("anyOf"):
            options += [
                self.type_of(variant)
                for variant in schema.get("oneOf") or schema.get("anyOf") or []
            ]
        elif isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            options.append(self.type_of(schema["allOf"][0]))
        elif schema.get("allOf"):
            options.append(
                types.OBJECT
            )  # merges are components (normalising.py); one left inline is loose
        else:
            options += [self._primitive(kind, schema) for kind in kinds or ["any"]]
        if "null" in kinds:
            options.append(types.NONE)
        return types.union(options or [types.OBJECT])

    def _component_type(self, name: str, target: Any) -> TypeExpr:
        if not isinstance(target, dict):
            return types.OBJECT
        if isinstance(target.get("enum"), list):
            values = tuple(v for v in target["enum"] if v is not None)
            enumeration = (
                types.Enumeration(name, values) if len(values) > 1 else types.LiteralOf(values)
            )
            return (
                types.union([enumeration, *([types.NONE] if None in target["enum"] else [])])
                if values
                else types.NONE
            )
        if _is_plain(target) or target.get("type") == "array":
            return self.type_of(target)  # a named string or list is the string or list itself
        variants = target.get("oneOf") or target.get("anyOf")
        if variants and not target.get("properties"):
            if name in self._visiting:  # a union of itself: refused by validating.py
                return types.OBJECT
            self._visiting.add(name)
            try:
                return types.Alias(
                    name,
                    tuple(self.type_of(v) for v in variants),
                    open=isinstance(target.get("discriminator"), dict),
                )
            finally:
                self._visiting.discard(name)
        shape = self.object_shape(target)
        given = (
            types.ParamRef(self.param_name(name))
            if shape is not None and shape[0]
            else types.ANY_MAP
        )
        return types.Model(name, given)

    def description_of(self, schema: Any) -> str:
        """A property's description: its own, else that of the component it refers to."""
        found = self.component(schema)
        return str(
            (schema or {}).get("description")
            or (found[1].get("description") if found else "")
            or ""
        )

    def param_name(self, model: str) -> str:
        """The TypedDict beside the model `model`: `{model}Param` (`{model}Dict` for a model
        named a param already), never a schema's own name."""
        return naming.unused(
            model + ("Dict" if model.endswith(("Param", "Params")) else "Param"), self.schemas
        )

    def _primitive(self, kind: str, schema: dict[str, Any]) -> TypeExpr:
        if kind == "string":
            if schema.get("format") == "binary":
                return types.File()
            return (
                types.Text(schema["format"])
                if types.Text.knows(schema.get("format"))
                else types.Scalar("str")
            )
        if kind in _SCALARS:
            return types.Scalar(_SCALARS[kind])
        if kind == "array":
            return types.ListOf(self.type_of(schema.get("items", {})))
        if kind == "object":
            extra = schema.get("additionalProperties")
            return types.MapOf(
                self.type_of(extra) if isinstance(extra, dict) and extra else types.ANY
            )
        return types.OBJECT

    def param_dicts(self, api_types: list[TypeExpr]) -> tuple[types.ParamDict, ...]:
        """The TypedDicts that the arguments `api_types` (and their keys, in turn) name."""
        by_param = {self.param_name(name): name for name in self.schemas}
        done: dict[str, types.ParamDict] = {}
        pending = [
            t.name for expr in api_types for t in expr.walk() if isinstance(t, types.ParamRef)
        ]
        while pending:
            param = pending.pop()
            if param in done or param not in by_param:
                continue
            model = by_param[param]
            shape = self.object_shape(self.schemas[model]) or ({}, set())
            fields = []
            for key, sub in shape[0].items():
                if isinstance(sub, dict) and sub.get("readOnly"):
                    continue
                field_type = self.type_of(sub)
                fields.append(
                    types.ParamField(
                        str(key), field_type, key in shape[1], self.description_of(sub)
                    )
                )
                pending += [t.name for t in field_type.walk() if isinstance(t, types.ParamRef)]
            description = (
                str(self.schemas[model].get("description") or "")
                if isinstance(self.schemas[model], dict)
                else ""
            )
            done[param] = types.ParamDict(param, model, tuple(fields), description)
        return tuple(done[name] for name in sorted(done))

    def object_shape(self, schema: Any) -> tuple[dict[str, Any], set[str]] | None:
        """Properties and required names of an object schema, allOf merged; else None."""
        found = self.component(schema)
        if found is not None:
            schema = found[1]
        if not isinstance(schema, dict):
            return None
        if schema.get("allOf"):
            properties: dict[str, Any] = {}
            required: set[str] = set()
            for part in schema["allOf"]:
                shape = self.object_shape(part)
                if shape is None:
                    return None
                properties.update(shape[0])
                required |= shape[1]
            return properties, required
        if schema.get("type") == "object" or "properties" in schema:
            if schema.get("oneOf") or schema.get("anyOf"):
                return None
            return dict(schema.get("properties") or {}), set(schema.get("required") or [])
        return None

    # -- operations ----------------------------------------------------------------
    def build_operation(
        self, name: str, method: str, path: str, operation: dict[str, Any], where: str
    ) -> Operation | None:
        at = ("paths", path, method)
        parameters: list[Parameter] = []
        raw_parameters = [
            deref(self.doc, p) for p in self.doc["paths"][path].get("parameters", []) or []
        ]
        raw_parameters += [deref(self.doc, p) for p in operation.get("parameters", []) or []]
        path_names = [p.get("name") for p in raw_parameters if p.get("in") == "path"]
        page_number = page_size = None
        self._default_size = None
        for index, raw in enumerate(raw_parameters):
            location = raw.get("in")
            if location == "cookie":
                continue
            schema = raw.get("schema") or {}
            wire = str(raw.get("name", ""))
            description = str(raw.get("description") or schema.get("description") or "")
            shape = self.object_shape(schema) if raw.get("style") == "deepObject" else None
            if shape is not None:
                # deepObject: one keyword argument per property, `page[number]` on the wire.
                for prop, sub in shape[0].items():
                    wire_name = f"{wire}[{prop}]"
                    if prop == "size" and isinstance(sub.get("default"), int):
                        self._default_size = sub["default"]
                    parameters.append(
                        Parameter(
                            naming.parameter_name(f"{wire}_{prop}"),
                            wire_name,
                            "query",
                            self.type_of(sub),
                            prop in shape[1] and bool(raw.get("required")),
                            str(sub.get("description") or ""),
                        )
                    )
                continue
            try:
                python_name = naming.parameter_name(wire)
            except ValueError as exc:
                self.problems.error(str(exc), self.spec_file, pointer(*at, "parameters", index))
                continue
            if wire in ("page[size]", "page_size") and isinstance(schema.get("default"), int):
                self._default_size = schema["default"]
            parameters.append(
                Parameter(
                    python_name,
                    wire,
                    location,
                    self.type_of(schema),
                    bool(raw.get("required")) or location == "path",
                    description,
                    positional=location == "path" and wire == path_names[-1],
                )
            )
        for parameter in parameters:
            if parameter.location == "query" and parameter.wire_name in (
                "page[number]",
                "page_number",
            ):
                page_number = parameter.wire_name
            if parameter.location == "query" and parameter.wire_name in ("page[size]", "page_size"):
                page_size = parameter.wire_name
        body = self.build_body(operation, at)
        response = self.build_response(operation, at)
        if response is None:
            return None
        pagination = self.pagination(method, response, operation, page_number, page_size)
        operation_ir = Operation(
            name=name,
            http_method=method,
            path=path,
            operation_id=str(operation.get("operationId") or ""),
            summary=str(operation.get("summary") or "").strip(),
            description=str(operation.get("description") or "").strip(),
            deprecated=bool(operation.get("deprecated")),
            parameters=tuple(parameters),
            body=body,
            response=response,
            pagination=pagination,
            query_model=str(operation["x-query-model"]) if operation.get("x-query-model") else None,
            server_prefix=self.strip_prefix,
        )
        operation_ir = _separate_same_names(operation_ir)
        seen: dict[str, str] = {}
        for argument in operation_ir.arguments:
            if argument.name in seen:
                self.problems.error(
                    f"method {where} would take two arguments named {argument.name!r} "
                    f"({seen[argument.name]} and {argument.location} {argument.wire_name!r})",
                    self.spec_file,
                    pointer(*at),
                )
            seen[argument.name] = f"{argument.location} {argument.wire_name!r}"
        return operation_ir

    def build_body(self, operation: dict[str, Any], at: tuple[str, ...]) -> Body | None:
        raw = deref(self.doc, operation.get("requestBody"))
        if not isinstance(raw, dict) or not raw.get("content"):
            return None
        content = raw["content"]
        media_type = next((m for m in content if m in BODY_ENCODINGS), None)
        if media_type is None:
            media_type = next(iter(content))
            self.problems.error(
                f"request body media type {media_type!r} is not supported ({', '.join(BODY_ENCODINGS)})",
                self.spec_file,
                pointer(*at, "requestBody", "content", media_type),
            )
            return None
        schema = content[media_type].get("schema") or {}
        found = self.component(schema)
        encoding = BODY_ENCODINGS[media_type]
        if encoding == "binary":  # raw bytes (or a file) sent as they are
            return Body(
                media_type,
                bool(raw.get("required")),
                None,
                (
                    Parameter(
                        "body",
                        "",
                        "body",
                        types.Content(),
                        bool(raw.get("required")),
                        str(raw.get("description") or ""),
                    ),
                ),
                encoding,
            )
        # Multipart bodies carry files, which the model (bytes) sees as placeholders only.
        model = found[0] if found else None
        shape = self.object_shape(schema)
        required = bool(raw.get("required"))
        if shape is None:
            return Body(
                media_type,
                required,
                model,
                (
                    Parameter(
                        "body",
                        "",
                        "body",
                        self.type_of(schema),
                        required,
                        str(raw.get("description") or ""),
                    ),
                ),
                encoding,
            )
        fields = []
        for prop, sub in shape[0].items():
            try:
                python_name = naming.parameter_name(prop)
            except ValueError as exc:
                self.problems.error(
                    f"body property {prop!r}: {exc}", self.spec_file, pointer(*at, "requestBody")
                )
                continue
            if isinstance(sub, dict) and sub.get("readOnly"):
                continue
            fields.append(
                Parameter(
                    python_name,
                    prop,
                    "body",
                    self.type_of(sub),
                    prop in shape[1],
                    self.description_of(sub),
                )
            )
        files = tuple(
            f.wire_name for f in fields if encoding == "multipart" and _uploads_a_file(f.type)
        )
        return Body(media_type, required, model, tuple(fields), encoding, files)

    def build_response(self, operation: dict[str, Any], at: tuple[str, ...]) -> Response | None:
        responses = operation.get("responses") or {}
        success = sorted(str(s) for s in responses if str(s).startswith("2"))
        if not success:
            self.problems.error(
                "operation declares no 2xx response", self.spec_file, pointer(*at, "responses")
            )
            return None
        status = success[0]
        raw = (
            deref(self.doc, responses[status])
            if status in responses
            else deref(self.doc, responses[int(status)])
        )
        content = dict((raw or {}).get("content") or {})
        if not content or status == "204":
            return Response("none", types.NONE, status)
        others = [m for m in content if m != STREAM_TYPE]
        events = self.event_stream(
            operation,
            content.get(STREAM_TYPE),
            others,
            (*at, "responses", status, "content", STREAM_TYPE),
        )
        if events is not None:
            del content[STREAM_TYPE]
            if events.flag is None or not content:
                return Response("stream", events.type, status, replace(events, flag=None))
            answer = self._answer(content, status)
            return Response(answer.kind, answer.type, status, events)
        return self._answer(content, status)

    def _answer(self, content: dict[str, Any], status: str) -> Response:
        json_type = next((m for m in content if m in JSON_TYPES or m.endswith("+json")), None)
        if json_type is not None:
            schema = content[json_type].get("schema") or {}
            return Response("json", self.type_of(schema), status)
        text_type = next((m for m in content if m in TEXT_TYPES or m.startswith("text/")), None)
        if text_type is not None:
            return Response("text", types.Scalar("str"), status)
        # Audio, PDF, octet-stream, images...: the bytes as sent.
        return Response("binary", types.Scalar("bytes"), status)

    def event_stream(
        self, operation: dict[str, Any], media: Any, others: list[str], at: tuple[str, ...]
    ) -> EventStream | None:
        """The events of a `text/event-stream` answer, where its item schema (`itemSchema`,
        or `x-itemSchema` in a 3.1 document) names them: each event's `data` holds JSON of
        the `contentSchema` of its `data` property (or the item schema is that schema). A
        boolean `stream` property of the body asks for the stream; without one it always
        streams. An event stream without an item schema is text, as before."""
        if not isinstance(media, dict):
            return None
        key = "itemSchema" if "itemSchema" in media else "x-itemSchema"
        item = media.get(key)
        if item is None:
            return None
        data = ((item.get("properties") or {}).get("data") or {}) if isinstance(item, dict) else {}
        schema = (
            data.get("contentSchema")
            if isinstance(data, dict) and "contentSchema" in data
            else item
        )
        if self.component(schema) is None:
            where = (
                (*at, key, "properties", "data", "contentSchema")
                if schema is not item
                else (*at, key)
            )
            self.problems.error(
                "the events of a stream must be a schema of components/schemas (a `$ref`)",
                self.spec_file,
                pointer(*where),
            )
            return None
        flag = None
        body = deref(self.doc, operation.get("requestBody"))
        for media_type in ((body or {}).get("content") or {}).values():
            shape = self.object_shape((media_type or {}).get("schema"))
            if shape is not None and _is_boolean(shape[0].get("stream")):
                flag = "stream"
        if flag is None and others:
            self.problems.warning(
                f"the operation answers with {', '.join(others)} or an event stream, but its body has no boolean "
                "`stream` to choose: the method always streams",
                self.spec_file,
                pointer(*at),
            )
        return EventStream(self.type_of(schema), flag)

    def pagination(
        self,
        method: str,
        response: Response,
        operation: dict[str, Any],
        number: str | None,
        size: str | None,
    ) -> Pagination | None:
        if method != "get" or response.kind != "json":
            return None
        status = response.status
        raw = deref(self.doc, (operation.get("responses") or {}).get(status))
        schema = ((raw or {}).get("content") or {}).get("application/json", {}).get("schema") or {}
        found = self.component(schema)
        target = found[1] if found else schema
        if target.get("type") == "array" and number and size:
            return Pagination(
                "array", self.type_of(target.get("items", {})), number, size, self._default_size
            )
        shape = self.object_shape(schema)
        if shape is None or "data" not in shape[0]:
            return None
        data = shape[0]["data"]
        data_component = self.component(data)
        if data_component is not None:
            data = data_component[1]
        if not isinstance(data, dict) or data.get("type") != "array":
            return None
        item = self.type_of(data.get("items", {}))
        meta = shape[0].get("meta")
        meta_shape = self.object_shape(meta) if meta is not None else None
        if meta_shape and {"page_number", "total_pages"} <= set(meta_shape[0]) and number:
            return Pagination("meta", item, number, size, self._default_size)
        if set(shape[0]) == {"data"} and not number:
            return Pagination("single", item)
        return None

    # -- the tree ------------------------------------------------------------------
    @property
    def strip_prefix(self) -> str:
        """A leading path segment that the server URL already ends with (`/v2`)."""
        return naming.server_prefix(self.doc)

    def _move_into_subresources(
        self, tree: dict[tuple[str, ...], list[Operation]], defaulted: set[tuple[str, str]]
    ) -> None:
        """A default-named method that is also the name of a sub-resource (`POST .../chat`
        beside `.../chat/sms`) becomes that sub-resource's `create` (or `retrieve`, ...)."""
        verbs = {
            "get": "retrieve",
            "post": "create",
            "put": "update",
            "patch": "update",
            "delete": "delete",
        }
        for resource_path in sorted(tree, key=len, reverse=True):
            children = {
                p[len(resource_path)]
                for p in tree
                if len(p) > len(resource_path) and p[: len(resource_path)] == resource_path
            }
            for op in list(tree[resource_path]):
                if op.name in children and (op.http_method, op.path) in defaulted:
                    target = (*resource_path, op.name)
                    moved = replace(op, name=verbs.get(op.http_method, op.http_method))
                    if any(o.name == moved.name for o in tree.setdefault(target, [])):
                        continue  # left in place: reported as a method and a sub-resource
                    tree[resource_path].remove(op)
                    tree[target].append(moved)

    def _add(
        self,
        tree: dict[tuple[str, ...], list[Operation]],
        parts: list[str],
        key: tuple[str, str],
        file: str,
        where: str,
    ) -> None:
        dotted = ".".join(parts)
        long_name = next((part for part in parts if len(part) > naming.MAX_NAME_LENGTH), None)
        if long_name is not None:
            self.problems.error(
                f"the name {naming.shorten(long_name)} of {key[0].upper()} {naming.shorten(key[1], 60)} is {len(long_name)} characters long, more than "
                f"{naming.MAX_NAME_LENGTH} (a module file cannot be named so); name the operation in the `methods` of the SDK config",
                file,
                where,
            )
            return
        operation = self.build_operation(
            parts[-1], key[0], key[1], self.doc["paths"][key[1]][key[0]], dotted
        )
        if operation is None:
            return
        resource_ops = tree.setdefault(tuple(parts[:-1]), [])
        clash = next((o for o in resource_ops if o.name == operation.name), None)
        clash_defaulted = clash is not None and (clash.http_method, clash.path) in self.defaulted
        if (
            clash is not None
            and clash_defaulted
            and file == self.spec_file
            and not clash.path.endswith("}")
            and key[1].endswith("}")
        ):
            # `DELETE /things` beside `DELETE /things/{id}`: the one on the whole collection yields.
            if not any(o.name == clash.name + "_all" for o in resource_ops):
                resource_ops[resource_ops.index(clash)] = replace(clash, name=clash.name + "_all")
                clash = None
        if clash is not None and file == self.spec_file:  # a default name: try the alternatives
            for name in naming.alternative_names(key[0], key[1], operation.name):
                if not any(o.name == name for o in resource_ops):
                    operation, clash = replace(operation, name=name), None
                    break
        if clash is not None:
            self.problems.error(
                f"two methods named {dotted} ({clash.http_method.upper()} {clash.path} and "
                f"{key[0].upper()} {key[1]}); name one in the `methods` of the SDK config",
                file,
                where,
            )
            return
        resource_ops.append(operation)

    def build(self, config: SdkConfig) -> Api | None:
        methods: dict[str, Any] = self.config_data.get("methods") or {}
        by_operation: dict[tuple[str, str], str] = {}
        tree: dict[tuple[str, ...], list[Operation]] = {}
        for dotted, target in methods.items():
            where = pointer("methods", dotted)
            parts = str(dotted).split(".")
            if len(parts) < 2 or not all(naming.is_identifier(p) for p in parts):
                self.problems.error(
                    f"{dotted!r} is not a dotted path of Python names (resource.method)",
                    self.config_file,
                    where,
                )
                continue
            taken = naming.taken_by_runtime(parts)
            if taken is not None:
                self.problems.error(
                    f"{dotted!r} uses the name {taken!r}, which the client already has",
                    self.config_file,
                    where,
                )
                continue
            http_method, _, path = str(target).partition(" ")
            key = (http_method.lower(), path)
            if (
                key[0] not in HTTP_METHODS
                or key[1] not in self.doc["paths"]
                or key[0] not in self.doc["paths"][key[1]]
            ):
                self.problems.error(
                    f"{dotted} maps to {target!r}, which the spec does not have",
                    self.config_file,
                    where,
                )
                continue
            if key in by_operation:
                self.problems.error(
                    f"{target} is mapped twice: to {by_operation[key]} and to {dotted}",
                    self.config_file,
                    where,
                )
                continue
            by_operation[key] = dotted
            self._add(tree, parts, key, self.config_file, where)
        for path, item in self.doc["paths"].items():
            for method in item:
                if method in HTTP_METHODS and (method, path) not in by_operation:
                    # Not named in sdk.yaml: the default name, derived from the path.
                    parts = naming.default_method_path(method, path, self.strip_prefix)
                    self.defaulted.add((method, path))
                    self._add(
                        tree, parts, (method, path), self.spec_file, pointer("paths", path, method)
                    )
        self._move_into_subresources(tree, self.defaulted)
        for resource_path in list(tree):
            for i in range(1, len(resource_path)):
                tree.setdefault(resource_path[:i], [])
        for resource_path, ops in tree.items():
            child_names = {
                p[len(resource_path)]
                for p in tree
                if len(p) == len(resource_path) + 1 and p[: len(resource_path)] == resource_path
            }
            for op in ops:
                if op.name in child_names:
                    self.problems.error(
                        f"{'.'.join(resource_path)}.{op.name} is both a method and a sub-resource",
                        self.config_file,
                        pointer("methods"),
                    )

        def node(path: tuple[str, ...]) -> Resource:
            children = tuple(
                node(p) for p in sorted(tree) if len(p) == len(path) + 1 and p[: len(path)] == path
            )
            return Resource(
                path=path,
                class_name=naming.resource_class_name(path[-1]) if path else config.sync_client,
                module="resources." + ".".join(path) if path else "",
                is_package=bool(children),
                operations=tuple(tree.get(path, ())),
                children=children,
            )

        root = node(())
        info = self.doc.get("info") or {}
        arguments = [a.type for ops in tree.values() for op in ops for a in op.arguments]
        homes = self.model_homes(tree)
        return Api(
            config=config,
            title=str(info.get("title", "")),
            spec_version=str(info.get("version", "")),
            root=root,
            model_names=tuple(self.schemas),
            params=self.param_dicts(arguments),
            model_homes=tuple(sorted(homes.items())),
            webhook_events=self.webhook_events(config.webhooks),
        )

    def model_homes(self, tree: dict[tuple[str, ...], list[Operation]]) -> dict[str, str]:
        """Each model's module below `types`, from the resources whose methods reach it: the
        deepest resource they all share (`ai.assistants`); `shared` for one that resources of
        different top-level names share; `other` for one no method reaches (a webhook's
        payload). What reaches a model reaches what it references, so a model's references
        are in its module or one above it: modules import only upwards, and none imports
        `other`."""
        references = {
            name: set(schemas_named(schema, self.schemas)) for name, schema in self.schemas.items()
        }
        users: dict[str, set[tuple[str, ...]]] = {}
        for path, ops in tree.items():
            stack = [name for op in ops for name in _models_named(op) if name in self.schemas]
            while stack:
                name = stack.pop()
                if path not in users.setdefault(name, set()):
                    users[name].add(path)
                    stack.extend(references[name])
        tops = {path[0] for path in tree if path}
        shared, other = (naming.unused("shared", tops), naming.unused("other", tops))
        homes = {}
        for name in self.schemas:
            paths = users.get(name)
            if not paths:
                homes[name] = other
                continue
            prefix = min(paths)
            for path in paths:
                while path[: len(prefix)] != prefix:
                    prefix = prefix[:-1]
            homes[name] = ".".join(prefix) or shared
        return homes

    def webhook_events(self, signing: WebhookSigning | None) -> tuple[WebhookEvent, ...]:
        """The spec's webhooks, each with its payload model and the event type (the one value
        of the property at `event_type_at`) that tells it apart. A webhook without one parses
        as the generic event, with a warning; two with one event type are an error."""
        webhooks = self.doc.get("webhooks") or {}
        if signing is None:
            if webhooks:
                self.problems.warning(
                    "the spec has webhooks but the SDK config no `webhooks` section: no client.webhooks",
                    self.config_file,
                    "/",
                )
            return ()
        events: list[WebhookEvent] = []
        seen: dict[str, str] = {}
        for name, item in sorted(webhooks.items()):
            at = ("webhooks", name)
            operation = (item or {}).get("post") if isinstance(item, dict) else None
            content = (deref(self.doc, (operation or {}).get("requestBody")) or {}).get(
                "content"
            ) or {}
            found = self.component((content.get("application/json") or {}).get("schema"))
            if found is None:
                self.problems.warning(
                    f"webhook {name!r} has no JSON payload schema of components/schemas: it is left out",
                    self.spec_file,
                    pointer(*at),
                )
                continue
            event_types = self._event_types(found[1], signing.event_type_at)
            if not event_types:
                self.problems.warning(
                    f"webhook {name!r} has no `{'.'.join(signing.event_type_at)}` of known values: it parses as the generic event",
                    self.spec_file,
                    pointer(*at),
                )
            for event_type in event_types:
                if event_type in seen:
                    self.problems.warning(
                        f"webhooks {seen[event_type]!r} and {name!r} both send {event_type!r}: it parses as the first one's model",
                        self.spec_file,
                        pointer(*at),
                    )
            event_types = tuple(t for t in event_types if t not in seen)
            seen.update((t, str(name)) for t in event_types)
            summary = str((operation or {}).get("summary") or "").strip()
            events.append(WebhookEvent(str(name), found[0], event_types, summary))
        return tuple(events)

    def _event_types(self, schema: Any, path: tuple[str, ...]) -> tuple[str, ...]:
        """The values the property at `path` may have: its `const` or `enum`, else the one
        value of its `example` (a free string that the spec shows one value of)."""
        for part in path:
            shape = self.object_shape(schema)
            if shape is None or part not in shape[0]:
                return ()
            schema = shape[0][part]
        found = self.component(schema)
        if found is not None:
            schema = found[1]
        if not isinstance(schema, dict):
            return ()
        if isinstance(schema.get("const"), str):
            return (str(schema["const"]),)
        values = [v for v in schema.get("enum") or [] if isinstance(v, str)]
        if values:
            return tuple(dict.fromkeys(values))
        example = schema.get("example")
        return (example,) if isinstance(example, str) and example else ()


def _models_named(op: Operation) -> set[str]:
    """The models an operation's method takes, returns, validates or streams."""
    found = {op.body.model if op.body else None, op.query_model}
    expressions = [a.type for a in op.arguments] + [op.return_type, op.response.type]
    for expr in expressions:
        found.update(
            t.name
            for t in expr.walk()
            if isinstance(t, (types.Model, types.Enumeration, types.Alias))
        )
    return {name for name in found if name}


def _separate_same_names(op: Operation) -> Operation:
    """Two arguments with one name in different places (path `call_control_id` and body
    `call_control_id`, header `PAYMENT-SIGNATURE` and body `payment_signature`): the path
    keeps it; the others take their place as a suffix (`call_control_id_body`)."""
    counts: dict[str, int] = {}
    places: dict[str, set[str]] = {}
    for argument in op.arguments:
        counts[argument.name] = counts.get(argument.name, 0) + 1
        places.setdefault(argument.name, set()).add(argument.location)
    # Only names shared across places are separated; two in one place stay an error.
    counts = {name: n if len(places[name]) == n else 1 for name, n in counts.items()}
    if all(n == 1 for n in counts.values()):
        return op
    rank = {"path": 0, "query": 1, "body": 2, "header": 3}
    keeper = {
        name: min((a for a in op.arguments if a.name == name), key=lambda a: rank[a.location])
        for name in counts
    }

    def rename(argument: Parameter) -> Parameter:
        if counts[argument.name] > 1 and argument is not keeper[argument.name]:
            return replace(argument, name=f"{argument.name}_{argument.location}")
        return argument

    body = replace(op.body, fields=tuple(rename(f) for f in op.body.fields)) if op.body else None
    return replace(op, parameters=tuple(rename(p) for p in op.parameters), body=body)


def _uploads_a_file(expr: TypeExpr) -> bool:
    """A file (what signatures type as FileTypes), perhaps nullable."""
    options = expr.options if isinstance(expr, types.UnionOf) else (expr,)
    return any(isinstance(option, types.File) for option in options)


def _is_boolean(schema: Any) -> bool:
    """A boolean, perhaps nullable (`type: [boolean, 'null']`, or an anyOf/oneOf with one)."""
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "boolean" in kinds and set(kinds) <= {"boolean", "null"}:
        return True
    variants = schema.get("anyOf") or schema.get("oneOf") or []
    return any(_is_boolean(v) for v in variants) and all(
        _is_boolean(v) or (isinstance(v, dict) and v.get("type") == "null") for v in variants
    )


def _is_plain(schema: dict[str, Any]) -> bool:
    """A component that is only a primitive (a named string, say) is inlined."""
    return (
        not schema.get("properties")
        and not schema.get("enum")
        and not schema.get("oneOf")
        and not schema.get("anyOf")
        and not schema.get("allOf")
        and schema.get("type") in ("string", "integer", "number", "boolean")
    )


def build_api(
    document: dict[str, Any],
    spec_file: str,
    config_data: dict[str, Any],
    config_file: str,
    problems: Problems,
) -> Api | None:
    config = load_config(config_data, config_file, problems)
    if config is None:
        return None
    return Builder(document, spec_file, config_data, config_file, problems).build(config)
