"""Naming: every Python name the output uses is decided here, once.

Spec names are free text (`page[size]`, `inference-embedding_Assistant`, `from`); Python
names are not. These functions turn one into the other deterministically and never
produce a keyword, a soft keyword or a name that shadows a builtin.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Container, Mapping
from typing import Any

from .openapi import verb_name
from .runtime_names import CLIENT_ATTRIBUTES, METHOD_LOCALS, RESOURCE_ATTRIBUTES

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
BUILTINS = frozenset(dir(builtins))
# The longest name made of a spec's text (a path segment names a module file, which the
# file system caps at 255 bytes; nobody types a name of even 100 characters).
MAX_NAME_LENGTH = 100


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


def taken_by_runtime(parts: list[str]) -> str | None:
    """The first name of a dotted method path that the runtime already uses, if any."""
    if parts and parts[0] in CLIENT_ATTRIBUTES:
        return parts[0]
    return next((p for p in parts[1:] if p in RESOURCE_ATTRIBUTES), None)


def default_method_path(
    method: str, path: str, strip_prefix: str = "", segment_names: Mapping[str, str] | None = None
) -> list[str]:
    """Resource path and method name from an HTTP method and path, as the official SDKs
    name them: `GET /ai/assistants` -> ai.assistants.list, `GET /ai/assistants/{id}` ->
    ai.assistants.retrieve, `POST /ai/assistants/{id}/clone` -> ai.assistants.clone.
    `segment_names` (the SDK config's) names a path segment where its snake_case would not
    do (`10dlc`: `messaging_10dlc`, not `n_10dlc`)."""
    if strip_prefix and (path == strip_prefix or path.startswith(strip_prefix + "/")):
        path = path[len(strip_prefix) :]
    segments = [s for s in path.strip("/").split("/") if s]
    # A segment with no letter or digit (`/-/`) names nothing and is passed over.
    statics = [
        (segment_names or {}).get(s) or safe_identifier(snake_case(s))
        for s in segments
        if not s.startswith("{") and words(s)
    ]
    ends_with_parameter = bool(segments) and segments[-1].startswith("{")
    if not statics:
        statics = ["root"]
    if ends_with_parameter:
        return _clear_of_runtime([*statics, verb_name(method, on_item=True)])
    after_parameter = len(segments) > 1 and segments[-2].startswith("{")
    if method == "post" and after_parameter and not statics[-1].endswith("s"):
        # an action on one item: POST /things/{id}/clone
        return _clear_of_runtime([*statics[:-1], statics[-1]])
    return _clear_of_runtime([*statics, verb_name(method, on_item=False)])


def leaf_method_name(method: str, name: str, leaf: str) -> str:
    """The method on its parent of a path's last segment that has one operation of its own
    (`leaf`, default-named `name`), as the official SDK names it: an action (POST, PUT,
    PATCH) after the segment (`POST /calls/{id}/actions/bridge` -> calls.actions.bridge); a
    read or a removal is the verb and the segment (`GET /sim_cards/{id}/public_ip` ->
    sim_cards.retrieve_public_ip, `list_x` for a list, `DELETE .../schedule` ->
    delete_schedule)."""
    if method in ("post", "put", "patch"):
        return leaf
    return f"{name}_{leaf.removesuffix('_')}"


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
