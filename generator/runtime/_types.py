"""Sentinels and small types shared by the runtime and the generated resources."""

from __future__ import annotations

import os
from typing import IO, Literal, Optional, Tuple, Union

import httpx

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "Omit",
    "TimeoutTypes",
    "Headers",
    "Query",
    "Body",
    "FileContent",
    "FileTypes",
]


class NotGiven:
    """The value of an argument the caller did not pass.

    Distinguishes "not given" (nothing is sent) from an explicit ``None`` (sent as JSON
    ``null`` where the API allows it).
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class Omit:
    """Pass as a header value in ``extra_headers`` to remove a default header."""

    def __bool__(self) -> Literal[False]:
        return False


TimeoutTypes = Union[float, httpx.Timeout, None]
Headers = dict[str, Union[str, Omit]]
Query = dict[str, object]
Body = dict[str, object]

FileContent = Union[bytes, bytearray, memoryview, IO[bytes], os.PathLike[str]]
"""Content to upload: bytes, an open binary file, or the path of a file to read."""
FileTypes = Union[
    FileContent,  # sent as a part named "upload"
    Tuple[Optional[str], FileContent],  # (file name, content)
    Tuple[Optional[str], FileContent, Optional[str]],  # (file name, content, media type)
]
"""A file to upload: its content, optionally with its name and media type."""
