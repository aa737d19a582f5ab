"""Pages of list operations, walked lazily.

Three shapes exist: ``{data, meta: {page_number, total_pages, ...}}`` (``meta``),
``{data}`` with no paging (``single``) and a bare JSON array (``array``). Iterating a
page walks every item of every following page, fetching each page only when needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._exceptions import PaginationError, TelnyxError
from ._request import RequestSpec
from ._response import RawResponse
from ._streaming import AsyncStreamedResponse, StreamedResponse

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["Paging", "SyncPage", "AsyncPage", "AsyncPager"]

T = TypeVar("T")


@dataclass(frozen=True)
class Paging(Generic[T]):
    """How an operation pages; ``T`` is the type of its items (``Paging[Assistant]``)."""

    style: str  # meta | single | array
    number_param: str | None = None
    size_param: str | None = None
    default_size: int | None = None


class _PageBase(Generic[T]):
    def __init__(self, spec: RequestSpec[object], paging: Paging[T], body: Any) -> None:
        self._spec = spec
        self._paging = paging
        self.body = body
        """The whole parsed response of this page."""
        items = body if paging.style == "array" else getattr(body, "data", None)
        self.data: list[T] = list(items or [])

    def _next_number(self) -> int | None:
        paging = self._paging
        if paging.style == "single" or paging.number_param is None:
            return None
        query = self._query()
        sent = query.get(paging.number_param)
        current = sent if isinstance(sent, int) and not isinstance(sent, bool) and sent > 0 else 1
        if paging.style == "meta":
            # the number asked for says where the next page is; the server's `page_number`
            # (0, missing or repeated by a server that ignores the parameter) does not
            meta = getattr(self.body, "meta", None)
            total = getattr(meta, "total_pages", None)
            return current + 1 if isinstance(total, int) and current < total else None
        size = query.get(paging.size_param or "")
        size = size if isinstance(size, int) else paging.default_size
        if not self.data or (size is not None and len(self.data) < size):
            return None
        return current + 1

    def has_next_page(self) -> bool:
        return self._next_number() is not None

    def _query(self) -> dict[str, object]:
        """The query as sent: `extra_query` overrides the method's own arguments."""
        return {**self._spec.query, **(self._spec.extra_query or {})}

    def _next_spec(self) -> RequestSpec[object]:
        number = self._next_number()
        if number is None:
            raise TelnyxError("this is the last page: check has_next_page() first")
        key = self._paging.number_param
        assert key is not None
        extra = {k: v for k, v in (self._spec.extra_query or {}).items() if k != key}
        return replace(
            self._spec, query={**self._spec.query, key: number}, extra_query=extra or None
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(items={len(self.data)}, has_next_page={self.has_next_page()})"
        )

    def _follows(self, previous: _PageBase[Any]) -> None:
        """Raise when this page is the one before it again: a server that ignores the page
        number would otherwise be asked for the same page forever."""
        key = self._paging.number_param
        meta = getattr(self.body, "meta", None)
        told = getattr(meta, "page_number", None)
        asked = self._query().get(key or "")
        said_other = isinstance(told, int) and isinstance(asked, int) and told > 0 and told != asked
        if (self.data and self.data == previous.data) or said_other:
            raise PaginationError(
                f"page {asked} of {self._spec.method.upper()} {self._spec.path} "
                + (
                    f"came back as page {told}"
                    if said_other
                    else "holds the same items as the page before it"
                )
                + f": the server does not page by `{key}`; stopped instead of fetching it forever"
            )


class SyncPage(_PageBase[T]):
    def __init__(
        self, client: SyncAPIClient, spec: RequestSpec[object], paging: Paging[T], body: Any
    ) -> None:
        super().__init__(spec, paging, body)
        self._client = client

    def get_next_page(self) -> SyncPage[T]:
        page: SyncPage[T] = fetch_page(self._client, self._next_spec(), self._paging)
        if isinstance(page, _PageBase):  # a page, unless asked for inside `with_raw_response`
            page._follows(self)
        return page

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page: SyncPage[T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_PageBase[T]):
    def __init__(
        self, client: AsyncAPIClient, spec: RequestSpec[object], paging: Paging[T], body: Any
    ) -> None:
        super().__init__(spec, paging, body)
        self._client = client

    async def get_next_page(self) -> AsyncPage[T]:
        page = await AsyncPager[T](self._client, self._next_spec(), self._paging)
        if isinstance(page, _PageBase):
            page._follows(self)
        return page

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page: AsyncPage[T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


def fetch_page(client: SyncAPIClient, spec: RequestSpec[object], paging: Paging[T]) -> SyncPage[T]:
    """The first page of a list call; inside `with_raw_response` or
    `with_streaming_response` its response, which parses into the page (the wrappers
    give it that type)."""
    result = client.request(spec)
    if isinstance(result, (RawResponse, StreamedResponse)):  # the page made when it is parsed
        response: SyncPage[T] = result.then(lambda body: SyncPage(client, spec, paging, body))
        return response
    return SyncPage(client, spec, paging, result)


class AsyncPager(Generic[T]):
    """What an async list method returns: await it for the first page, or
    ``async for`` over it for every item of every page."""

    def __init__(
        self, client: AsyncAPIClient, spec: RequestSpec[object], paging: Paging[T]
    ) -> None:
        self._client = client
        self._spec = spec
        self._paging = paging

    async def _first(self) -> Any:
        result = await self._client.request(self._spec)
        client, spec, paging = self._client, self._spec, self._paging
        if isinstance(result, (RawResponse, AsyncStreamedResponse)):
            return result.then(lambda body: AsyncPage(client, spec, paging, body))
        return AsyncPage(client, spec, paging, result)

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page: AsyncPage[T] = await self
        async for item in page:
            yield item
