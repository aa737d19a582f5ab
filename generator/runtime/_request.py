"""What one call sends: ``RequestSpec``, and how it becomes an ``httpx.Request``.

Path parameters are percent-encoded into their own segment, header values checked to be
sendable, the query encoded in declaration order (an array repeats its key, an object is
bracketed down to its leaves: `filter[status][eq]=x`), and the arguments validated against
the spec's request models before anything is sent (an ``ArgumentError`` names the argument).
A body goes as JSON, a form, multipart parts or bytes.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote, urlencode

import httpx

from ._exceptions import ArgumentError
from ._settings import PATTERN_HINTS
from ._types import NOT_GIVEN, NotGiven, Omit, TimeoutTypes
from ._uploads import content, is_file, upload, upload_value
from ._validation import adapter

__all__ = [
    "IDEMPOTENCY_HEADER",
    "RequestSpec",
    "build_request",
    "encode_query",
    "header_value",
    "httpx_timeout",
    "path_segment",
    "plain",
    "serialise_body",
    "validate_arguments",
]

if TYPE_CHECKING:
    from typing_extensions import TypeAliasType

T_co = TypeVar("T_co", covariant=True)

# The header under which a server recognises a retried POST, PUT, PATCH or DELETE.
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class RequestSpec(Generic[T_co]):
    """Everything a generated method knows about one call. ``T_co`` is the type of what
    the call returns (``request(spec)`` is typed by it): ``cast_to`` validated, a stream,
    text, bytes or None."""

    method: str
    path: str
    path_params: Mapping[str, object] = field(default_factory=dict)
    query: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, object] = field(default_factory=dict)
    body: Mapping[str, object] | None = None
    body_model: Any = None  # model class validating the body before it is sent
    body_required: bool = True  # an optional body with nothing in it is not sent
    body_encoding: str = "json"  # json | form | multipart | binary
    file_fields: tuple[str, ...] = ()  # the multipart fields that upload a file
    query_model: Any = None  # model class validating the query parameters before sending
    arg_names: Mapping[str, str] = field(default_factory=dict)  # wire name -> argument
    # the type the response body is validated into: a class, checked against T_co by type
    # checkers, or a union's alias (`TypeAliasType`), which they cannot check
    cast_to: type[T_co] | TypeAliasType | None = None
    response_kind: str = "json"  # json | text | binary | none | stream
    stream_type: Any = None  # the type of each event, when this call answers with a stream
    extra_headers: Mapping[str, str | Omit] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    idempotency_key: str | NotGiven = NOT_GIVEN


def path_segment(name: str, value: object) -> str:
    """Percent-encode one path parameter so it can never leave its segment."""
    if isinstance(value, Enum):
        value = value.value
    text = str(value)
    if not text:
        raise ArgumentError(f"`{name}` must be a non-empty string, got {value!r}")
    if text in (".", ".."):
        # even encoded (%2E), proxies that normalise paths take it for a dot segment and
        # send the request elsewhere: `DELETE /things/A/tags/..` would delete A itself
        raise ArgumentError(f"`{name}` cannot be {text!r}: in a URL path it means another resource")
    return quote(text, safe="")


_UNSENDABLE = re.compile(r"[^\t\x20-\x7e]")  # a header value is printable ASCII and tabs


def header_value(name: str, value: str, what: str | None = None) -> str:
    """`value` if HTTP can carry it as the value of header `name`; else an ArgumentError
    that names the character and its position, never the value."""
    found = _UNSENDABLE.search(value)
    if found is not None:
        raise ArgumentError(
            f"{what or f'the value of header {name!r}'} has the character "
            f"U+{ord(found.group()):04X} at position {found.start()}, "
            "which an HTTP header cannot carry (a pasted space or line break?)"
        )
    return value


def query_value(value: object) -> str:
    """A scalar as the text a query parameter or a header carries."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def plain(value: Any, *, models: bool = False) -> Any:
    """An argument as the data a request model validates: a UUID and a date or time as their
    text (RFC 3339), any mapping a dict, any other sequence a list. A model (one a response
    gave, say) stays as it is, so that what the server sent (an enum value newer than the SDK,
    a field it does not know) goes back as it came; `models`: as its JSON data instead (for a
    body no model validates)."""
    if value is None or isinstance(value, (str, int, float, bytes, bytearray, memoryview)):
        return value
    if isinstance(value, Mapping):
        return {key: plain(item, models=models) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(item, models=models) for item in value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(type(value), "model_dump"):  # a model: pydantic is loaded by now
        return value.to_dict() if models and hasattr(value, "to_dict") else value
    if isinstance(value, Sequence):
        return [plain(item, models=models) for item in value]
    return value


def _form_value(value: object) -> str | bytes:
    """A form field: strings and bytes as they are, objects and arrays as JSON."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return query_value(value)


def _multipart_field(value: object) -> tuple[None, str | bytes] | tuple[None, str, str]:
    """A part of a multipart body that is not a file: objects and arrays as JSON parts
    (OpenAPI's default for complex values), anything else as text."""
    if isinstance(value, (dict, list)):
        return (None, json.dumps(value), "application/json")
    return (None, _form_value(value))


def encode_query(query: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query pairs in declaration order; arrays repeat the key (form, explode); an object
    (a deepObject) is bracketed down to its leaves (see _deep_pairs)."""
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        if isinstance(value, NotGiven) or value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, query_value(v)) for v in value)
        elif isinstance(value, Mapping):
            _deep_pairs(key, value, pairs)
        else:
            pairs.append((key, query_value(value)))
    return pairs


def _deep_pairs(key: str, value: object, pairs: list[tuple[str, str]]) -> None:
    """`filter={"status": {"eq": "x"}}` as `filter[status][eq]=x`. A list inside an object
    is `filter[tags][]=a&filter[tags][]=b`: OpenAPI leaves arrays in a deepObject undefined,
    and the bracketed list is the form the Telnyx spec's own notes write
    (`filter[customer_reference][in][]`). None is left out: the query has no null."""
    if value is None or isinstance(value, NotGiven):
        return
    if isinstance(value, Mapping):
        for sub, item in value.items():
            _deep_pairs(f"{key}[{sub}]", item, pairs)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _deep_pairs(f"{key}[]", item, pairs)
    else:
        pairs.append((key, query_value(value)))


def _argument_problem(error: Any, names: Mapping[str, str]) -> str:
    """One problem of a validation error, said of the argument (not the wire name); a
    pattern the SDK's config puts in words (PATTERN_HINTS) is said so."""
    loc = [str(p) for p in error.get("loc", ())]
    if loc:
        loc[0] = names.get(loc[0], loc[0])
    where = ".".join(loc)
    pattern = (error.get("ctx") or {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern in PATTERN_HINTS:
        message = f"must be {PATTERN_HINTS[pattern]}, got {error.get('input')!r}"
    else:
        message = str(error.get("msg"))
    return f"{where}: {message}" if where else message


def validate_arguments(model: Any, values: Any, names: Mapping[str, str], what: str) -> Any:
    """Validate what the caller passed, strictly (no unknown enum values or tags), and
    return it as JSON data by wire name; raise ArgumentError naming the argument."""
    import pydantic

    from ._models import strict_enums

    try:
        with strict_enums():
            if hasattr(model, "model_validate"):
                value = model.model_validate(values)
                return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
            checker = adapter(model)
            return checker.dump_python(
                checker.validate_python(values), mode="json", by_alias=True, exclude_unset=True
            )
    except pydantic.ValidationError as exc:
        problems = [_argument_problem(e, names) for e in exc.errors()]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ArgumentError(f"invalid {what}: {problems[0]}{more}") from None


def serialise_body(spec: RequestSpec[object]) -> Any:
    """The body of `spec` as it is sent: validated by its model (files beside it), or as
    JSON data; None when there is none to send."""
    if spec.body is None and not spec.extra_body:
        return None
    fields = {
        k: v if k in spec.file_fields else plain(v)
        for k, v in (spec.body or {}).items()
        if not isinstance(v, NotGiven)
    }
    if not fields and not spec.body_required and not spec.extra_body:
        return None
    body: Any = fields[""] if set(fields) == {""} else fields  # "": a body that is not an object
    if spec.body_encoding == "multipart":
        files = {
            k: upload_value(spec.arg_names.get(k, k), v)
            for k, v in fields.items()
            if k in spec.file_fields and v is not None
        }
        if spec.body_model is not None:
            # the model checks every other field; a file is there as empty bytes
            given = {**fields, **dict.fromkeys(files, b"")}
            body = validate_arguments(spec.body_model, given, spec.arg_names, "request body")
        body = {**body, **files}
    elif spec.body_model is not None and spec.body is not None:
        body = validate_arguments(spec.body_model, body, spec.arg_names, "request body")
    elif spec.body_encoding == "json":
        body = plain(body, models=True)  # no model validates it: its models as their data
    if spec.extra_body:
        body = {**body, **spec.extra_body}
    return body


def httpx_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout)


def _path(spec: RequestSpec[object]) -> str:
    path = spec.path
    for name, value in spec.path_params.items():
        path = path.replace("{" + name + "}", path_segment(name, value))
    return path


def _headers(
    defaults: Mapping[str, str], spec: RequestSpec[object], idempotency_key: str | None
) -> dict[str, str]:
    """The headers of the request: the client's (lower-case names, so that an override
    replaces, never duplicates), what the response kind accepts, the call's own."""
    headers = dict(defaults)
    if spec.stream_type is not None:
        headers["accept"] = "text/event-stream"
    elif spec.response_kind != "json":
        headers["accept"] = "*/*"
    for key, value in spec.headers.items():
        if not isinstance(value, NotGiven) and value is not None:
            headers[key.lower()] = header_value(key, query_value(value))
    if idempotency_key is not None:
        headers[IDEMPOTENCY_HEADER.lower()] = idempotency_key
    if spec.extra_headers:
        for key, header in spec.extra_headers.items():
            if isinstance(header, Omit):
                headers.pop(key.lower(), None)
            else:
                headers[key.lower()] = header_value(key, header)
    return headers


def _query_string(spec: RequestSpec[object]) -> str:
    """`?` and the encoded query (validated by its model, if any), or nothing."""
    values: Mapping[str, object] = spec.query
    if spec.query_model is not None:
        given = {k: plain(v) for k, v in spec.query.items() if not isinstance(v, NotGiven)}
        values = (
            validate_arguments(spec.query_model, given, spec.arg_names, "query") if given else {}
        )
    query = encode_query({**values, **spec.extra_query} if spec.extra_query else values)
    return "?" + urlencode(query, quote_via=quote) if query else ""


def build_request(
    spec: RequestSpec[object],
    *,
    base_url: str,
    headers: Mapping[str, str],
    timeout: httpx.Timeout,
    idempotency_key: str | None,
) -> httpx.Request:
    """The request, built directly: one URL parse. `base_url` ends in `/`; `headers` are the
    client's, by lower-case name; `timeout` the client's, unless the call has its own."""
    path = _path(spec)
    sent = _headers(headers, spec, idempotency_key)
    url = base_url + path.lstrip("/") + _query_string(spec)
    if not isinstance(spec.timeout, NotGiven):
        timeout = httpx_timeout(spec.timeout)
    extensions = {"timeout": timeout.as_dict()}
    method = spec.method.upper()
    body = serialise_body(spec)
    if spec.body_encoding == "binary":
        return httpx.Request(
            method, url, headers=sent, content=content(body), extensions=extensions
        )
    if spec.body_encoding == "json" or body is None:
        return httpx.Request(method, url, headers=sent, json=body, extensions=extensions)
    sent.pop("content-type", None)
    if spec.body_encoding == "multipart":
        # Every field is a part (a plain one without a file name), so that a body
        # without a file is multipart all the same; httpx would send it URL-encoded.
        parts = [
            (k, upload(spec.arg_names.get(k, k), v) if is_file(v) else _multipart_field(v))
            for k, v in body.items()
            if v is not None
        ]
        return httpx.Request(method, url, headers=sent, files=parts, extensions=extensions)
    form = {k: _form_value(v) for k, v in body.items() if v is not None and not is_file(v)}
    return httpx.Request(method, url, headers=sent, data=form, extensions=extensions)
