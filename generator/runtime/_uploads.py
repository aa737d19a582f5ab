"""Files to upload: what a file argument may be, and how it is sent.

A file is bytes, a binary file object, a path, or a ``(file name, content[, media type])``
tuple. Each is turned into what httpx sends, the same on every attempt of a call.
"""

from __future__ import annotations

import io
import os
from typing import Any

from ._exceptions import ArgumentError

__all__ = ["content", "is_file", "upload", "upload_value"]

# What a file to upload can be besides a file object (and a (name, content[, type]) tuple).
_FILE_CONTENT = (bytes, bytearray, memoryview, os.PathLike)


def content(value: Any) -> Any:
    """A whole body to send as it is: bytes, an open binary file (read), a path (the
    file's bytes)."""
    if isinstance(value, os.PathLike):
        with open(value, "rb") as file:
            return file.read()
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value.read() if hasattr(value, "read") else value


def is_file(value: object) -> bool:
    return isinstance(value, (*_FILE_CONTENT, tuple)) or hasattr(value, "read")


def upload_value(name: str, value: Any) -> Any:
    """`value` if it is something to upload: bytes, a binary file, a path, or a (file name,
    content[, media type]) tuple; else an ArgumentError (text would go as a text field)."""
    content = value[1] if isinstance(value, tuple) and len(value) in (2, 3) else value
    if isinstance(content, _FILE_CONTENT) or (
        hasattr(content, "read") and not isinstance(content, io.TextIOBase)
    ):
        return value
    raise ArgumentError(
        f"`{name}` must be bytes, a file opened in binary mode, a path, or a "
        f"(file name, content[, media type]) tuple; got {type(value).__name__}"
    )


def upload(name: str, value: Any) -> Any:
    """A file to upload as httpx sends it, the same on every attempt: a path is read (its
    name is the file name), and so is a file that cannot seek back (a pipe), whose length
    httpx could not tell and which a retry could not read again."""
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        try:
            with open(path, "rb") as stream:
                return (os.path.basename(path), stream.read())
        except OSError as exc:
            raise ArgumentError(
                f"`{name}`: cannot read the file {path!r}: {exc.strerror}"
            ) from None
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)  # httpx sends bytes; it would send these as their repr
    if isinstance(value, tuple) and len(value) > 1:
        return (value[0], upload(name, value[1]), *value[2:])
    if hasattr(value, "read") and not _seekable(value):
        return value.read()
    return value


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False
