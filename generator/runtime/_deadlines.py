"""A deadline for the answer of each attempt, beside httpx's timeouts, which bound each wait.

A server that sends a byte now and then never lets a read time out; the attempt's deadline
ends it all the same. The request loop sets ``DEADLINE`` (a ``Budget``, per thread and task)
while it waits for the headers and, for a body read whole, until the body is in. The clock
starts at the first read, once the request (an upload of any size) is sent. The pools this
package makes read through streams that shorten each wait to what is left of the budget; a
caller's own HTTP client is held to it between the chunks of the body.
"""

from __future__ import annotations

import functools
import time
from contextvars import ContextVar
from typing import Any

import httpx

__all__ = ["DEADLINE", "Budget", "check", "remaining", "held_to_deadlines"]


class Budget:
    """Seconds for an answer, counted from the first read."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends: float | None = None

    def left(self) -> float:
        now = time.monotonic()
        if self.ends is None:
            self.ends = now + self.seconds
        return self.ends - now


DEADLINE: ContextVar[Budget | None] = ContextVar("DEADLINE", default=None)


PASSED = "the attempt took longer than its deadline (the client's attempt_timeout)"


def _left() -> float | None:
    budget = DEADLINE.get()
    return None if budget is None else budget.left()


def check(request: httpx.Request) -> None:
    """Raise httpx.ReadTimeout once the deadline has passed: a timeout like any other,
    retried where the call may be."""
    left = _left()
    if left is not None and left <= 0:
        raise httpx.ReadTimeout(PASSED, request=request)


def remaining(timeout: float | None) -> float | None:
    """`timeout` shortened to what is left of the deadline, for a network stream of
    httpcore; its own ReadTimeout once the deadline has passed (httpx maps it)."""
    left = _left()
    if left is None:
        return timeout
    if left <= 0:
        import httpcore

        raise httpcore.ReadTimeout(PASSED)
    return left if timeout is None else min(timeout, left)


@functools.cache
def _streams() -> tuple[type, type, type, type]:
    """The wrapping classes, loaded on first use (httpcore is imported then), once."""
    from . import _deadline_streams as streams

    return streams.Stream, streams.Backend, streams.AsyncStream, streams.AsyncBackend


def held_to_deadlines(client: Any, backend: str) -> Any:
    """`client` (a pool this package made) with the network backends of its transports
    wrapped, the proxies' from the environment too; as it was where httpx keeps them
    otherwise (`_transport`, `_mounts` and `_pool._network_backend` are not public API):
    the body is still held to the deadline."""
    try:
        wrap = _streams()[1 if backend == "sync" else 3]
        for transport in [client._transport, *client._mounts.values()]:
            pool = getattr(transport, "_pool", None)
            if pool is not None and hasattr(pool, "_network_backend"):
                pool._network_backend = wrap(pool._network_backend)
    except (AttributeError, ImportError):
        pass
    return client
