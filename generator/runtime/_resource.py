"""Base classes of the resources and the ``with_raw_response`` and
``with_streaming_response`` wrappers."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ._base_client import _RAW, _STREAMED
from ._response import RawResponse
from ._streaming import AsyncStreamedResponseManager, StreamedResponseManager

if TYPE_CHECKING:
    from typing_extensions import ParamSpec

    from ._base_client import AsyncAPIClient, SyncAPIClient

    P = ParamSpec("P")

R = TypeVar("R")


class SyncAPIResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncAPIResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client


def _flagged(flag: ContextVar[bool], func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Call ``func`` with ``flag`` set: the request it makes returns a raw or a streamed
    response instead of the parsed value."""
    token = flag.set(True)
    try:
        return func(*args, **kwargs)
    finally:
        flag.reset(token)


async def _async_flagged(
    flag: ContextVar[bool], func: Callable[..., Any], args: Any, kwargs: Any
) -> Any:
    token = flag.set(True)
    try:
        result = func(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result
    finally:
        flag.reset(token)


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, RawResponse[R]]:
    """The same method, returning the HTTP response with ``parse()`` for the value."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        result: RawResponse[R] = _flagged(_RAW, func, args, kwargs)
        return result

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[RawResponse[R]]]:
    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        result: RawResponse[R] = await _async_flagged(_RAW, func, args, kwargs)
        return result

    return wrapped


def to_streamed_response_wrapper(func: Callable[P, R]) -> Callable[P, StreamedResponseManager[R]]:
    """The same method, returning a ``with`` block around the response, its body unread."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> StreamedResponseManager[R]:
        return StreamedResponseManager(lambda: _flagged(_STREAMED, func, args, kwargs))

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, AsyncStreamedResponseManager[R]]:
    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncStreamedResponseManager[R]:
        return AsyncStreamedResponseManager(lambda: _async_flagged(_STREAMED, func, args, kwargs))

    return wrapped
