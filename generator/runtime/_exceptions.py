"""The errors the client raises.

``TelnyxError`` is the root. A response with an error status raises an
``APIStatusError`` subclass carrying the status, headers, request id, parsed body and the
API's error list; a failure to reach the server raises ``APIConnectionError``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from ._settings import DISTRIBUTION

__all__ = [
    "TelnyxError",
    "ArgumentError",
    "ClientClosedError",
    "PaginationError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStreamError",
    "WebhookVerificationError",
    "ErrorDetail",
]

REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-telnyx-request-id")


class TelnyxError(Exception):
    """Base of every error this package raises."""


class ArgumentError(TelnyxError, ValueError):
    """An argument was rejected before any request was sent."""


def missing_extra(feature: str, requirement: str, extra: str) -> TelnyxError:
    """The error of a feature whose optional dependency is not installed."""
    return TelnyxError(
        f"{feature} needs {requirement}, the `{extra}` extra of this package: "
        f"pip install '{DISTRIBUTION}[{extra}]'"
    )


class WebhookVerificationError(TelnyxError):
    """A webhook failed its check (signature, timestamp, headers, key) or is not an event;
    the message says which. Answer such a request with an error status and ignore it."""


class PaginationError(TelnyxError):
    """The API's pages do not advance (the server ignores the page number): the walk
    through them stops with this instead of fetching one page forever."""


class ClientClosedError(TelnyxError):
    """The client (or the HTTP client it shares) was closed; nothing was sent."""

    def __init__(self) -> None:
        super().__init__(
            "the client is closed: make a new one, or keep using it inside its `with` block"
        )


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of the API's error list, in either shape the API uses.

    ``{"errors": [{code, title, detail, source}]}`` fills code/title/detail/source;
    FastAPI's ``{"detail": [{loc, msg, type}]}`` fills loc/message/type.
    """

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    source: dict[str, Any] | None = None
    loc: tuple[str | int, ...] = ()
    message: str | None = None
    type: str | None = None

    @property
    def field(self) -> str | None:
        if self.loc:
            parts = [str(p) for p in self.loc]
            if parts and parts[0] in ("body", "query", "path", "header"):
                parts = parts[1:]
            return ".".join(parts) or None
        if self.source:
            where = self.source.get("pointer") or self.source.get("parameter")
            return str(where).lstrip("/").replace("/", ".") if where else None
        return None

    def __str__(self) -> str:
        text = self.message or self.detail or self.title or self.code or "error"
        return f"{self.field}: {text}" if self.field else text


def parse_error_details(body: object) -> tuple[ErrorDetail, ...]:
    if not isinstance(body, dict):
        return ()
    details: list[ErrorDetail] = []
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                source = item.get("source")
                details.append(
                    ErrorDetail(
                        code=None if item.get("code") is None else str(item.get("code")),
                        title=_text(item.get("title")),
                        detail=_text(item.get("detail")),
                        source=source if isinstance(source, dict) else None,
                    )
                )
    detail = body.get("detail")
    if isinstance(detail, list):
        for item in detail:
            if isinstance(item, dict):
                loc = item.get("loc")
                details.append(
                    ErrorDetail(
                        loc=tuple(loc) if isinstance(loc, list) else (),
                        message=_text(item.get("msg")),
                        type=_text(item.get("type")),
                    )
                )
    elif not details and (isinstance(detail, str) or isinstance(body.get("title"), str)):
        # a problem+json body (RFC 9457): its title says what happened, its detail more
        details.append(
            ErrorDetail(title=_text(body.get("title")) or None, detail=_text(detail) or None)
        )
    return tuple(details)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class APIError(TelnyxError):
    """An error concerning one request to the API."""

    def __init__(self, message: str, request: httpx.Request, *, body: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status."""

    status_code: int

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.request_id = next(
            (response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), None
        )
        self.errors = parse_error_details(body)


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response) -> APIStatusError:
    """The typed error for an error response, with a one-line readable message."""
    try:
        body: object = json.loads(response.content) if response.content else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        body = response.text or None
    details = parse_error_details(body)
    reason = response.reason_phrase or ""
    head = f"{response.status_code} {reason}".strip()
    if details:
        summary = "; ".join(str(d) for d in details)
    elif isinstance(body, dict) and isinstance(body.get("message"), str):
        summary = body["message"]
    elif isinstance(body, str):
        summary = " ".join(body.split())[:200]
    else:
        summary = ""
    message = f"{head}: {summary}" if summary else head
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(message, response=response, body=body)


class APIConnectionError(APIError):
    """The request did not get a response: DNS, refused or reset connection, TLS."""

    def __init__(self, request: httpx.Request, message: str = "Connection error.") -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(request, "Request timed out.")


class APIResponseValidationError(APIError):
    """The API answered with a success status but a body this SDK cannot read."""

    def __init__(self, response: httpx.Response, body: object, message: str) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class APIStreamError(APIError):
    """An event of a stream carried an error (``{"error": {...}}``, or an ``error`` event):
    the server failed after the stream had started. ``body`` is the event's data, ``event``
    its name, ``error_type`` the error's own ``type`` where it gives one."""

    def __init__(self, response: httpx.Response, event: str, body: object) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        if not isinstance(message, str) or not message:
            self.errors = parse_error_details(body)  # Telnyx's own `{"errors": [...]}`
            message = "; ".join(str(d) for d in self.errors) or (
                json.dumps(body)[:200] if body else "an error event without data"
            )
        else:
            self.errors = ()
        super().__init__(f"the stream failed: {message}", response.request, body=body)
        self.response = response
        self.event = event
        self.error_type = error.get("type") if isinstance(error, dict) else None
