"""Base classes of the generated models.

Responses are validated, and tolerant of what a newer server may send: unknown fields
are kept (``model_extra``) and an unknown enum value becomes a member of its enum
instead of an error. Requests are validated strictly: while ``strict_enums()`` is
active an unknown enum value is rejected before anything is sent.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import pydantic

__all__ = ["TelnyxModel", "OpenEnum", "OpenIntEnum", "UnknownVariant", "strict_enums"]

_STRICT_ENUMS: ContextVar[bool] = ContextVar("_STRICT_ENUMS", default=False)


@contextlib.contextmanager
def strict_enums() -> Iterator[None]:
    token = _STRICT_ENUMS.set(True)
    try:
        yield
    finally:
        _STRICT_ENUMS.reset(token)


class TelnyxModel(pydantic.BaseModel):
    """Base of every generated model."""

    model_config = pydantic.ConfigDict(
        extra="allow",
        populate_by_name=True,
        defer_build=True,
        protected_namespaces=(),
    )

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data, by wire name, without fields that were never set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_unset=True)


class OpenEnum(str, enum.Enum):
    """A string enum that accepts values added to the API after this SDK was generated."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str) or _STRICT_ENUMS.get():
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)


class OpenIntEnum(int, enum.Enum):
    """An integer enum that accepts values added to the API after this SDK was generated."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool) or _STRICT_ENUMS.get():
            return None
        member = int.__new__(cls, value)
        member._name_ = f"VALUE_{value}"
        member._value_ = value
        return member


class UnknownVariant(TelnyxModel):
    """A variant of a tagged union that this SDK version does not know yet.

    Responses hold it in place of an error when the server sends a new ``type``; every
    field it sent is in ``model_extra``. Requests never accept it: an unknown ``type`` is
    an argument error before anything is sent.
    """

    type: Any = None

    @pydantic.model_validator(mode="before")
    @classmethod
    def _only_in_responses(cls, value: Any) -> Any:
        if _STRICT_ENUMS.get():
            tag = value.get("type") if isinstance(value, dict) else None
            raise ValueError(f"unknown type {tag!r}")
        return value
