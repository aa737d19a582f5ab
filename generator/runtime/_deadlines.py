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
    """The wrapping classes, made on first use (httpcore is imported then), once."""
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, remaining(timeout))  # type: ignore[no-any-return]

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, timeout)  # sending, however long, is not the answer

        def close(self) -> None:
            self._inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Any:
            return Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> Any:
            return Stream(
                self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
            )

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> Any:
            return Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    class AsyncStream(httpcore.AsyncNetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return await self._inner.read(max_bytes, remaining(timeout))  # type: ignore[no-any-return]

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            await self._inner.write(buffer, timeout)

        async def aclose(self) -> None:
            await self._inner.aclose()

        async def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Any:
            return AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class AsyncBackend(httpcore.AsyncNetworkBackend):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        async def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> Any:
            return AsyncStream(
                await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
            )

        async def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> Any:
            return AsyncStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    return Stream, Backend, AsyncStream, AsyncBackend


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
