"""``client.webhooks``: check that a webhook was sent by the API, then parse its event.

The API signs ``SIGNED_MESSAGE`` (``{timestamp}`` the value of the ``TIMESTAMP_HEADER``
header, ``{payload}`` the raw body) with Ed25519 and sends the base64 signature in the
``SIGNATURE_HEADER`` header (the SDK's values of these, from ``_settings``). The check
needs the `cryptography` package, the ``webhooks`` extra of this package. Nothing here
does I/O, so the async client has the same plain methods.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, Union

from ._exceptions import WebhookVerificationError, missing_extra
from ._settings import (
    WEBHOOK_PUBLIC_KEY_ENV,
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_SIGNED_MESSAGE,
    WEBHOOK_TIMESTAMP_HEADER,
    WEBHOOK_TOLERANCE,
)

if TYPE_CHECKING:
    from .types._webhook_events import WebhookEvent

__all__ = ["Webhooks"]


class _HasItems(Protocol):
    def items(self) -> Iterable[tuple[Any, Any]]: ...


# A dict, httpx's or a framework's headers (anything with items()), or (name, value) pairs
# as ASGI has them.
HeadersLike = Union[_HasItems, Iterable[tuple[Any, Any]]]

SIGNATURE_HEADER = WEBHOOK_SIGNATURE_HEADER
TIMESTAMP_HEADER = WEBHOOK_TIMESTAMP_HEADER
SIGNED_MESSAGE = WEBHOOK_SIGNED_MESSAGE
TOLERANCE = WEBHOOK_TOLERANCE  # seconds between the timestamp and now
PUBLIC_KEY_ENV = WEBHOOK_PUBLIC_KEY_ENV
EXTRA = "webhooks"
MAX_TIMESTAMP_DIGITS = 12


class Webhooks:
    """Verify and parse the webhooks the API sends."""

    def __init__(self, public_key: str | None = None) -> None:
        self._public_key = public_key

    def unwrap(
        self,
        payload: str | bytes,
        *,
        headers: HeadersLike,
        key: str | bytes | None = None,
        tolerance: float | None = None,
    ) -> WebhookEvent:
        """Check the webhook's signature and timestamp, then parse its event.

        ``payload`` is the raw body as received (``str`` or ``bytes``; not re-serialised
        JSON), ``headers`` the request's headers (any mapping; names in any case). The
        public key (base64, from the portal) is ``key``, else the client's ``public_key``,
        else the environment variable ``PUBLIC_KEY_ENV`` names. A timestamp more than
        ``tolerance`` seconds (``TOLERANCE`` by default) from now is refused, so that a
        captured webhook cannot be replayed. Every failure raises
        ``WebhookVerificationError``. A verified event that its model cannot hold (a field
        the spec requires is missing) is returned as an ``UnknownWebhookEvent`` with every
        field, rather than refused.
        """
        body = _body(payload)
        self.verify(body, headers=headers, key=key, tolerance=tolerance)
        return _parse(body)

    def unsafe_unwrap(self, payload: str | bytes) -> WebhookEvent:
        """Parse a webhook's event without checking where it came from: for tests and
        tools, never for what a public endpoint receives."""
        return _parse(_body(payload))

    def verify(
        self,
        payload: str | bytes,
        *,
        headers: HeadersLike,
        key: str | bytes | None = None,
        tolerance: float | None = None,
    ) -> None:
        """Raise ``WebhookVerificationError`` unless the API signed this payload lately."""
        body = _body(payload)
        if key is None:
            key = (
                self._public_key if self._public_key is not None else os.environ.get(PUBLIC_KEY_ENV)
            )
        public_key = _public_key(key)
        given = _lower(headers)
        signature_text = given.get(SIGNATURE_HEADER)
        timestamp_text = given.get(TIMESTAMP_HEADER)
        if not signature_text:
            raise WebhookVerificationError(f"the `{SIGNATURE_HEADER}` header is missing")
        if not timestamp_text:
            raise WebhookVerificationError(f"the `{TIMESTAMP_HEADER}` header is missing")
        text = _timestamp(timestamp_text, TOLERANCE if tolerance is None else tolerance)
        signature = _base64(
            signature_text, f"the `{SIGNATURE_HEADER}` header", 64, "an Ed25519 signature"
        )
        head, _, tail = SIGNED_MESSAGE.partition("{payload}")
        message = (
            head.replace("{timestamp}", text).encode()
            + body
            + tail.replace("{timestamp}", text).encode()
        )
        try:
            public_key.verify(signature, message)
        except Exception:  # the library's InvalidSignature, whatever it is called
            raise WebhookVerificationError(
                "the signature does not match: "
                "not signed by the API with this key, or changed on the way"
            ) from None


def _timestamp(timestamp_text: str, allowed: object) -> str:
    """The timestamp header's Unix time, as sent, if it is within `allowed` seconds of now;
    else a WebhookVerificationError that says how far it is."""
    text = timestamp_text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_TIMESTAMP_DIGITS):
        raise WebhookVerificationError(
            f"the `{TIMESTAMP_HEADER}` header is not a Unix time: {timestamp_text[:40]!r}"
        )
    if (
        isinstance(allowed, bool)
        or not isinstance(allowed, (int, float))
        or not math.isfinite(allowed)
        or allowed < 0
    ):
        raise WebhookVerificationError(
            f"`tolerance` must be a number of seconds, 0 or more, not {allowed!r}"
        )
    age = int(time.time()) - int(text)
    if age > allowed:
        raise WebhookVerificationError(
            f"the webhook was signed {age:.0f} s ago, more than {allowed} s: "
            "a replayed or delayed webhook"
        )
    if age < -allowed:
        raise WebhookVerificationError(
            f"the webhook's timestamp is {-age:.0f} s in the future, more than {allowed} s"
        )
    return text


def _body(payload: object) -> bytes:
    if isinstance(payload, str):
        try:
            return payload.encode("utf-8")
        except UnicodeEncodeError:
            raise WebhookVerificationError(
                "the payload is not text that UTF-8 can hold (a lone surrogate)"
            ) from None
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise WebhookVerificationError(
        f"the payload must be the raw body, str or bytes, not {type(payload).__name__}"
    )


def _lower(headers: object) -> dict[str, str]:
    """The headers by lower-case name, each value as text (the first of several)."""
    found: dict[str, str] = {}
    try:
        items: Any = headers.items() if hasattr(headers, "items") else headers
        for name, value in items:
            if isinstance(value, (list, tuple)):
                value = value[0] if value else ""
            if isinstance(value, (bytes, bytearray)):
                value = bytes(value).decode("latin-1")
            text_name = (
                name.decode("latin-1") if isinstance(name, (bytes, bytearray)) else str(name)
            )
            found.setdefault(text_name.lower(), str(value))
    except Exception:  # whatever a foreign headers object raises
        raise WebhookVerificationError(
            "`headers` must map header names to values (a dict, or your framework's headers)"
        ) from None
    return found


def _base64(text: str, what: str, length: int, kind: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError(f"{what} is not base64") from None
    if len(raw) != length:
        raise WebhookVerificationError(f"{what} holds {len(raw)} bytes, {kind} is {length}")
    return raw


def _public_key(text: object) -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        raise missing_extra("checking webhooks", "cryptography", EXTRA) from None
    if not text:
        raise WebhookVerificationError(
            "no public key to check webhooks with: pass key=..., "
            f"or public_key=... to the client, or set {PUBLIC_KEY_ENV}"
        )
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("ascii", "replace")
    if not isinstance(text, str):
        raise WebhookVerificationError(
            f"the public key must be base64 text, not {type(text).__name__}"
        )
    raw = _base64(text, "the public key", 32, "an Ed25519 public key")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except Exception:
        raise WebhookVerificationError("the public key is not an Ed25519 public key") from None


def _parse(body: bytes) -> WebhookEvent:
    import pydantic

    from ._validation import adapter, first_error
    from .types._webhook_events import UnknownWebhookEvent, WebhookEvent

    try:
        event: WebhookEvent = adapter(WebhookEvent).validate_json(body)
    except pydantic.ValidationError as exc:
        invalid = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if invalid is not None:
            raise WebhookVerificationError(f"the body is not JSON: {invalid.get('msg')}") from None
        try:  # an event its model cannot hold: kept whole, not refused
            return UnknownWebhookEvent.model_validate_json(body)
        except pydantic.ValidationError:
            raise WebhookVerificationError(
                f"the body is not an event (a JSON object): {first_error(exc)}"
            ) from None
    except RecursionError:
        raise WebhookVerificationError("the body is nested too deeply to parse") from None
    return event
