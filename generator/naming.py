"""Naming: every Python name the output uses is decided here, once.

Spec names are free text (`page[size]`, `inference-embedding_Assistant`, `from`); Python
names are not. These functions turn one into the other deterministically and never
produce a keyword, a soft keyword or a name that shadows a builtin.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Container
from typing import Any

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
BUILTINS = frozenset(dir(builtins))
# Names every generated method binds or uses in its body (its options, the request spec,
# typing.cast, the pager); a parameter must not shadow them. Generated names in method
# bodies are otherwise CamelCase, upper case or start with `_`, which snake_case never makes.
METHOD_LOCALS = frozenset(
    {
        "self",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "idempotency_key",
        "cast",
        "spec",
        "fetch_page",
        "types_",
        "date",
        "datetime",
    }
)

# The longest name made of a spec's text (a path segment names a module file, which the
# file system caps at 255 bytes; nobody types a name of even 100 characters).
MAX_NAME_LENGTH = 100

# The methods the generated models' base class (TelnyxModel, in `_models`) adds to pydantic's;
# a property of that name gets a `_` (`to_dict_`, the wire name its alias), as pydantic's own
# (`model_dump`) do.
MODEL_METHODS = ("to_dict", "to_json")

# The errors the generated package defines and exports (its `_exceptions` module).
EXCEPTION_NAMES = (
    "TelnyxError", "ArgumentError", "ClientClosedError", "PaginationError", "APIError", "APIStatusError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "InternalServerError", "APIConnectionError",
    "APITimeoutError", "APIResponseValidationError", "APIStreamError", "WebhookVerificationError",
    "ErrorDetail",
)  # fmt: skip


def shorten(text: str, limit: int = 40) -> str:
    """`text` for a message: cut to `limit` characters, with `...` where it was cut."""
    return text if len(text) <= limit else text[:limit] + "..."


def words(text: str) -> list[str]:
    return _WORD.findall(text.replace("'", ""))


def snake_case(text: str) -> str:
    """`page[size]` -> `page_size`, `conversationId` -> `conversation_id`."""
    name = "_".join(w.lower() for w in words(text))
    if not name:
        raise ValueError(f"{text!r} has no letters or digits to make a name from")
    if name[0].isdigit():
        name = "n_" + name
    return name


def pascal_case(text: str) -> str:
    """`inference-embedding_assistant` -> `InferenceEmbeddingAssistant`."""
    parts = words(text)
    if not parts:
        raise ValueError(f"{text!r} has no letters or digits to make a name from")
    name = "".join(p[:1].upper() + p[1:] for p in parts)
    if name[0].isdigit():
        name = "N" + name
    return name


def safe_identifier(name: str, avoid_builtins: bool = False) -> str:
    """Append `_` to keywords (`from` -> `from_`) and, where asked, to builtins."""
    if name in RESERVED or (avoid_builtins and name in BUILTINS):
        return name + "_"
    return name


def parameter_name(wire_name: str) -> str:
    """The keyword argument for a parameter or body field named `wire_name` on the wire."""
    name = safe_identifier(snake_case(wire_name))
    if name in METHOD_LOCALS:
        name += "_"
    return name


def is_identifier(name: str) -> bool:
    return name.isidentifier() and name not in RESERVED


def resource_class_name(segment: str) -> str:
    return pascal_case(segment) + "Resource"


_SYMBOLS = {
    "+": "PLUS", "-": "MINUS", "*": "TIMES", "/": "DIVIDE", "%": "MODULO", "==": "EQ", "!=": "NE",
    ">": "GT", ">=": "GE", "<": "LT", "<=": "LE", "=": "EQUALS", "&": "AND", "|": "OR", "!": "NOT",
    "": "EMPTY",
}  # fmt: skip


def enum_member_name(value: object) -> str:
    """`no-answer` -> `NO_ANSWER`, `>=` -> `GE`, `-name` -> `MINUS_NAME`, `1` -> `VALUE_1`."""
    text = str(value)
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    if text[:1] in "-+" and words(text[1:]):  # `-created_at`: a descending sort key
        return _SYMBOLS[text[0]] + "_" + enum_member_name(text[1:])
    parts = words(text)
    if not parts:
        raise ValueError(f"enum value {value!r} has no letters or digits to make a name from")
    name = "_".join(p.upper() for p in parts)
    if name[0].isdigit():
        name = "VALUE_" + name
    return name


def unused(name: str, taken: Container[str]) -> str:
    """`name`, or `name_` (`name__`, ...) when it is taken."""
    while name in taken:
        name += "_"
    return name


def alternative_names(method: str, path: str, name: str) -> list[str]:
    """Names to try, in order, when a default name is taken by another operation."""
    segments = [s for s in path.strip("/").split("/") if s]
    names = []
    if method == "put" and name == "update":
        names.append("replace")
    if not segments or not segments[-1].startswith("{"):
        names.append(f"{name}_all")
    parameters = [s.strip("{}") for s in segments[:-1] if s.startswith("{")]
    if parameters:
        names.append(f"{name}_by_{snake_case(parameters[-1]).removesuffix('_id')}")
    return names


# Attributes the runtime's clients and resources already have (generator/templates/package/):
# a resource or method must not take their names.
CLIENT_ATTRIBUTES = frozenset(
    {
        "api_key", "base_url", "timeout", "max_retries", "default_headers", "retry_statuses",
        "max_retry_after", "auto_idempotency_keys", "close", "request", "with_options",
        "build_request", "serialise_body", "idempotency_key_for", "may_retry", "retry_delay",
        "settle", "parse", "log_attempt", "reads_body", "public_key", "webhooks",
    }
)  # fmt: skip
RESOURCE_ATTRIBUTES = frozenset({"with_raw_response", "with_streaming_response"})


def taken_by_runtime(parts: list[str]) -> str | None:
    """The first name of a dotted method path that the runtime already uses, if any."""
    if parts and parts[0] in CLIENT_ATTRIBUTES:
        return parts[0]
    return next((p for p in parts[1:] if p in RESOURCE_ATTRIBUTES), None)


def default_method_path(method: str, path: str, strip_prefix: str = "") -> list[str]:
    """Resource path and method name from an HTTP method and path, as the official SDKs
    name them: `GET /ai/assistants` -> ai.assistants.list, `GET /ai/assistants/{id}` ->
    ai.assistants.retrieve, `POST /ai/assistants/{id}/clone` -> ai.assistants.clone."""
    if strip_prefix and (path == strip_prefix or path.startswith(strip_prefix + "/")):
        path = path[len(strip_prefix) :]
    segments = [s for s in path.strip("/").split("/") if s]
    # A segment with no letter or digit (`/-/`) names nothing and is passed over.
    statics = [
        safe_identifier(snake_case(s)) for s in segments if not s.startswith("{") and words(s)
    ]
    ends_with_parameter = bool(segments) and segments[-1].startswith("{")
    if not statics:
        statics = ["root"]
    if ends_with_parameter:
        names = {
            "get": "retrieve",
            "put": "update",
            "patch": "update",
            "post": "update",
            "delete": "delete",
        }
        return _clear_of_runtime([*statics, names.get(method, method)])
    after_parameter = len(segments) > 1 and segments[-2].startswith("{")
    if method == "post" and after_parameter and not statics[-1].endswith("s"):
        return _clear_of_runtime(
            [*statics[:-1], statics[-1]]
        )  # an action on one item: POST /things/{id}/clone
    names = {
        "get": "list",
        "post": "create",
        "put": "update",
        "patch": "update",
        "delete": "delete",
    }
    return _clear_of_runtime([*statics, names.get(method, method)])


def _clear_of_runtime(parts: list[str]) -> list[str]:
    """`/timeout/things` -> `timeout_.things`: never the name of a runtime attribute."""
    return [
        p + "_"
        if (i == 0 and p in CLIENT_ATTRIBUTES) or (i > 0 and p in RESOURCE_ATTRIBUTES)
        else p
        for i, p in enumerate(parts)
    ]


def server_prefix(document: dict[str, Any]) -> str:
    """A leading path segment that the document's server URL already ends with (`/v2`)."""
    servers = document.get("servers") or [{}]
    url = str(servers[0].get("url", "")).rstrip("/") if isinstance(servers[0], dict) else ""
    last = url.rsplit("/", 1)[-1] if "/" in url else ""
    return "/" + last if last and not last.startswith("{") and "." not in last else ""
