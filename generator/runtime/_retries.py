"""Whether an attempt is tried again, and after how long.

Connection errors, timeouts and the statuses of ``retry_statuses`` are retried with
exponential backoff and jitter; a server's ``Retry-After`` (or ``Retry-After-Ms``) is
honoured up to ``max_retry_after`` seconds, beyond which the error surfaces at once. A
POST, PUT, PATCH or DELETE is retried only under an ``Idempotency-Key``, which the client
makes for every such call unless told not to.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
import uuid
from datetime import timezone

import httpx

from ._exceptions import ArgumentError
from ._request import IDEMPOTENCY_HEADER, RequestSpec, header_value
from ._settings import USER_AGENT
from ._types import NotGiven

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_RETRY_STATUSES",
    "IDEMPOTENT_METHODS",
    "idempotency_key_for",
    "may_retry",
    "retry_after",
    "retry_delay",
]

DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
DEFAULT_MAX_RETRY_AFTER = 60.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def idempotency_key_for(spec: RequestSpec[object], automatic: bool) -> str | None:
    """The `Idempotency-Key` of the call: the caller's, else (`automatic`) a new one for a
    method that is not idempotent by itself; None for none."""
    if not isinstance(spec.idempotency_key, NotGiven):
        key = spec.idempotency_key
        if not isinstance(key, str) or not key.strip():
            raise ArgumentError(
                f"`idempotency_key` must be a non-empty string, got {key!r}: "
                "an empty key protects nothing"
            )
        return header_value(IDEMPOTENCY_HEADER, key, "`idempotency_key`")
    if spec.method.upper() in IDEMPOTENT_METHODS or not automatic:
        return None
    return f"{USER_AGENT}-retry-{uuid.uuid4()}"


def may_retry(request: httpx.Request) -> bool:
    """POST/PUT/PATCH/DELETE are retried only when an idempotency key protects them."""
    return request.method in IDEMPOTENT_METHODS or IDEMPOTENCY_HEADER.lower() in request.headers


def retry_delay(
    attempt: int, response: httpx.Response | None, max_retry_after: float
) -> float | None:
    """Seconds to wait before attempt `attempt + 1` (the first is 0), or None when the
    server asks for more than `max_retry_after`."""
    backoff = min(INITIAL_RETRY_DELAY * (2.0**attempt), MAX_RETRY_DELAY) * (
        1 - 0.25 * random.random()
    )
    if response is not None:
        asked = retry_after(response.headers)
        if asked is not None:
            # never sooner than the usual backoff: `Retry-After: 0` would hammer the API
            return max(asked, backoff) if asked <= max_retry_after else None
    return backoff


def _seconds(text: str, per_second: float = 1.0) -> float | None:
    """A number of seconds (or of milliseconds, per_second=1000); None for anything else,
    `nan` and `inf` included."""
    try:
        value = float(text) / per_second
    except ValueError:
        return None
    return max(value, 0.0) if math.isfinite(value) else None


def retry_after(headers: httpx.Headers) -> float | None:
    """The seconds a server asks to wait (`Retry-After-Ms`, else `Retry-After` in seconds
    or as an HTTP date); None when it asks nothing this can read."""
    millis = headers.get("retry-after-ms")
    if millis is not None and (seconds := _seconds(millis, 1000.0)) is not None:
        return seconds
    value = headers.get("retry-after")
    if value is None:
        return None
    if (seconds := _seconds(value)) is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None  # neither seconds nor a date: the usual backoff applies
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return max(parsed.timestamp() - time.time(), 0.0)
