"""The runtime's logging (`telnyx_ai._logging`): one line per attempt, headers at DEBUG,
credentials never."""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from telnyx_ai import _logging
from telnyx_ai._logging import configure_logging, is_sensitive, log_attempt, redact_headers
from telnyx_ai._settings import LOG_ENV, PACKAGE


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """The package's logger, as it was after the test."""
    log = logging.getLogger(PACKAGE)
    handlers, level = list(log.handlers), log.level
    log.handlers = []
    log.setLevel(logging.NOTSET)  # as a process that configured nothing has it
    yield log
    log.handlers, log.level = handlers, level


@pytest.mark.parametrize(
    "name",
    ["Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token"]
    + ["x-client-secret", "X-Password", "x-session-id", "telnyx-signature-ed25519"],
)
def test_headers_that_carry_credentials_are_sensitive(name: str) -> None:
    assert is_sensitive(name)


@pytest.mark.parametrize("name", ["Idempotency-Key", "Content-Type", "User-Agent", "Accept"])
def test_other_headers_are_not(name: str) -> None:
    assert not is_sensitive(name)


def test_redacted_headers_keep_their_names_and_hide_only_credentials() -> None:
    headers = {"Authorization": "Bearer k", "Idempotency-Key": "i-1", "Accept": "a"}
    assert redact_headers(headers) == {
        "Authorization": "<redacted>",
        "Idempotency-Key": "i-1",
        "Accept": "a",
    }


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), (" INFO ", logging.INFO)])
def test_the_environment_turns_logging_to_stderr_on(
    logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    monkeypatch.setenv(LOG_ENV, value)
    configure_logging()
    configure_logging()  # a second client adds no second handler
    assert logger.level == level and len(logger.handlers) == 1
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)  # the handler writes to stderr as it is now
    logger.info("hello")
    assert stderr.getvalue().endswith(f"{PACKAGE} INFO hello\n")


@pytest.mark.parametrize("value", ["", "verbose", "warning"])
def test_other_values_leave_the_logger_alone(
    logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(LOG_ENV, value)
    configure_logging()
    assert logger.handlers == [] and logger.level == logging.NOTSET


def test_an_attempt_is_one_line_at_info_and_its_headers_redacted_at_debug(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = httpx.Request("GET", "https://x.test/a", headers={"Authorization": "Bearer sk-1"})
    with caplog.at_level(logging.INFO, logger=PACKAGE):
        log_attempt(request, httpx.Response(503), 1, time.monotonic())
        log_attempt(request, None, 2, time.monotonic(), "ConnectError")
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "GET https://x.test/a -> 503",
        "GET https://x.test/a -> ConnectError",
    ]
    assert "(attempt 2, " in caplog.records[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=PACKAGE):
        log_attempt(request, httpx.Response(200), 0, time.monotonic())
    text = caplog.text
    assert "request headers" in text and "<redacted>" in text and "sk-1" not in text


def test_nothing_is_logged_below_info(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below INFO an attempt costs one level check: not even its time is taken."""
    logger.setLevel(logging.WARNING)
    looked_at = []
    monkeypatch.setattr(
        _logging.time,
        "monotonic",
        lambda: looked_at.append(1) or 0.0,  # type: ignore[func-returns-value]
    )
    log_attempt(httpx.Request("GET", "https://x.test/"), None, 0, 0.0, "ConnectError")
    assert caplog.records == [] and looked_at == []
