"""What the client logs, and what it never does.

Set the environment variable ``LOG_ENV`` names (``_settings``) to ``info`` for one line per
attempt (method, URL, status, attempt, seconds) on stderr, or ``debug`` for its headers
too; or configure the logger named ``PACKAGE`` yourself. Credentials are redacted: the
headers that carry one by name or by convention show ``<redacted>``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import httpx

from ._request import IDEMPOTENCY_HEADER
from ._settings import LOG_ENV, PACKAGE

__all__ = ["configure_logging", "is_sensitive", "log", "log_attempt", "redact_headers"]

log = logging.getLogger(PACKAGE)

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Besides those: any header whose name says it carries a credential (x-api-key, x-auth-token).
_SENSITIVE_WORDS = (
    "auth",
    "key",
    "token",
    "secret",
    "password",
    "session",
    "signature",
    "credential",
)


def is_sensitive(header: str) -> bool:
    name = header.lower()
    return name in SENSITIVE_HEADERS or (
        name != IDEMPOTENCY_HEADER.lower() and any(word in name for word in _SENSITIVE_WORDS)
    )


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if is_sensitive(k) else v) for k, v in headers.items()}


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record is logged (it may be redirected
    after the first client is made), not to the stream of that moment."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(env_name: str = LOG_ENV) -> None:
    """Log to stderr at the level the environment variable `env_name` says (`debug`,
    `info`); anything else leaves the logger as it is."""
    level = os.environ.get(env_name, "").strip().lower()
    if level not in ("debug", "info"):
        return
    if not log.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


def log_attempt(
    request: httpx.Request,
    response: httpx.Response | None,
    attempt: int,
    started: float,
    error: str | None = None,
) -> None:
    """One line for an attempt that ended (`started` by time.monotonic()): its status, or
    the name of the `error` that ended it; at DEBUG its headers too, redacted."""
    if not log.isEnabledFor(logging.INFO):
        return
    elapsed = time.monotonic() - started
    status = response.status_code if response is not None else error
    log.info(
        "%s %s -> %s (attempt %d, %.3fs)",
        request.method,
        request.url,
        status,
        attempt + 1,
        elapsed,
    )
    if log.isEnabledFor(logging.DEBUG):
        log.debug("request headers: %s", redact_headers(request.headers))
