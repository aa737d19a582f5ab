"""The runtime's retry decisions (`telnyx_ai._retries`), function by function: the backoff,
what a server's Retry-After asks, which requests may be sent again, idempotency keys."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from telnyx_ai._exceptions import ArgumentError
from telnyx_ai._request import RequestSpec
from telnyx_ai._retries import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
    idempotency_key_for,
    may_retry,
    retry_after,
    retry_delay,
)
from telnyx_ai._settings import USER_AGENT


def answer(**headers: str) -> httpx.Response:
    return httpx.Response(429, headers=headers)


@pytest.mark.parametrize("attempt", [0, 1, 2, 3, 4, 10])
def test_the_backoff_doubles_up_to_its_cap_less_up_to_a_quarter_of_jitter(attempt: int) -> None:
    full = min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY)
    delays = [retry_delay(attempt, None, 60.0) for _ in range(200)]
    assert all(d is not None and 0.75 * full <= d <= full for d in delays)
    assert len(set(delays)) > 1  # jittered: clients that failed together do not retry together


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the finer one first
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "tomorrow"}, None),
        ({}, None),
    ],
)
def test_what_a_server_asks_to_wait(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(httpx.Headers(headers)) == seconds


def test_retry_after_as_an_http_date() -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    asked = retry_after(httpx.Headers({"retry-after": later}))
    assert asked is not None and 28 <= asked <= 30
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after(httpx.Headers({"retry-after": past})) == 0.0


def test_retry_after_is_honoured_never_sooner_than_the_backoff_and_not_beyond_the_maximum() -> None:
    assert retry_delay(0, answer(**{"retry-after": "5"}), 60.0) == 5.0
    zero = retry_delay(2, answer(**{"retry-after": "0"}), 60.0)
    assert zero is not None and zero >= 0.75 * INITIAL_RETRY_DELAY * 4
    assert retry_delay(0, answer(**{"retry-after": "61"}), 60.0) is None
    assert retry_delay(0, answer(**{"retry-after": "61"}), 120.0) == 61.0


@pytest.mark.parametrize(
    ("method", "headers", "retried"),
    [
        ("GET", {}, True),
        ("HEAD", {}, True),
        ("OPTIONS", {}, True),
        ("POST", {}, False),
        ("DELETE", {}, False),
        ("POST", {"Idempotency-Key": "k"}, True),
        ("PATCH", {"idempotency-key": "k"}, True),
    ],
)
def test_only_idempotent_requests_are_sent_again(
    method: str, headers: dict[str, str], retried: bool
) -> None:
    assert may_retry(httpx.Request(method, "https://x.test/", headers=headers)) is retried


def test_a_post_gets_a_new_idempotency_key_unless_the_caller_gives_one_or_none() -> None:
    post: RequestSpec[object] = RequestSpec("post", "/x")
    first, second = idempotency_key_for(post, True), idempotency_key_for(post, True)
    assert first is not None and first.startswith(f"{USER_AGENT}-retry-") and first != second
    assert idempotency_key_for(post, False) is None
    assert idempotency_key_for(RequestSpec("get", "/x"), True) is None
    mine: RequestSpec[object] = RequestSpec("post", "/x", idempotency_key="order-42")
    assert idempotency_key_for(mine, False) == "order-42"
    assert idempotency_key_for(RequestSpec("get", "/x", idempotency_key="g"), True) == "g"


@pytest.mark.parametrize("key", ["", "  ", "line\nbreak"])
def test_an_idempotency_key_that_protects_nothing_or_cannot_be_sent_is_refused(key: str) -> None:
    with pytest.raises(ArgumentError, match="`idempotency_key`"):
        idempotency_key_for(RequestSpec("post", "/x", idempotency_key=key), True)
