"""Stage 3, types: one type expression per schema, shared by signatures, TypedDict params,
pages, streams, the API reference and the API diff.

A type expression renders itself for one side of a call: `in`, what a method accepts (a
model or its TypedDict, `str | UUID` for an id, `str | datetime` for a time, any sequence),
and `out`, what a response gives (the model, `str`, a list); for the return types of pages
and streams also per client (`sync`, `async`). It reports the names it needs imported, so
that nothing downstream reads a rendered annotation back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar
from typing import Literal as TypingLiteral

Side = TypingLiteral["in", "out"]
Flavour = TypingLiteral["sync", "async"]

# Where types live: a model's module is the IR's choice (`Api.homes`), which the renderer
# puts in place of MODELS; the TypedDicts are in one module, for type checkers only.
MODELS = "<the model's module>"
PARAMS = ".types._params"


@dataclass(frozen=True, order=True)
class Import:
    """`from {module} import {name}`; a module that starts with `.` is one of the package's.
    `typing_only`: only annotations need it (imported under TYPE_CHECKING)."""

    module: str
    name: str
    typing_only: bool = False
    alias: str = ""  # `from {module} import {name} as {alias}`


class TypeExpr:
    """A type as the IR keeps it. Subclasses are frozen dataclasses: two equal types compare
    equal."""

    def render(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> str:
        """The type as code; `qualify` goes before the name of every class of the package that
        a response can be validated into (`types_.Assistant`: the models loaded on first use)."""
        members = self.members(side, flavour, qualify)
        return members[0] if len(members) == 1 else "Union[" + ", ".join(members) + "]"

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        """The rendered members of this type as a union (one, for a type that is not one)."""
        raise NotImplementedError

    def imports(self, side: Side, flavour: Flavour = "sync") -> Iterator[Import]:
        """What the rendering needs imported."""
        if len(self.members(side, flavour)) > 1:
            yield Import("typing", "Union")
        yield from self._imports(side, flavour)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        for child in self.children():
            yield from child.imports(side, flavour)

    def children(self) -> tuple[TypeExpr, ...]:
        return ()

    def walk(self) -> Iterator[TypeExpr]:
        """This type and every type inside it."""
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class Scalar(TypeExpr):
    """`str`, `int`, `float`, `bool`, `bytes`, `None`, `object` or `Any`."""

    name: str

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (self.name,)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        if self.name == "Any":
            yield Import("typing", "Any")


# A string format: what a response gives for it, and what an argument accepts beside `str`.
_FORMATS: dict[str, tuple[str, Import]] = {
    "uuid": ("str", Import("uuid", "UUID")),
    "date-time": ("datetime", Import("datetime", "datetime")),
    "date": ("date", Import("datetime", "date")),
}


@dataclass(frozen=True)
class Text(TypeExpr):
    """A string with a format: an id (`uuid`) is `str` in a response (as the official SDK has
    it, so that `test.test_id == "..."` works) and `str | UUID` as an argument; a `date-time`
    is a `datetime` in a response and `str | datetime` as an argument (`date` alike)."""

    format: str

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        out, accepted = _FORMATS[self.format]
        return (out,) if side == "out" else ("str", accepted.name)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        out, accepted = _FORMATS[self.format]
        if side == "in" or out != "str":
            yield accepted

    @staticmethod
    def knows(format_name: object) -> bool:
        return isinstance(format_name, str) and format_name in _FORMATS


@dataclass(frozen=True)
class LiteralOf(TypeExpr):
    values: tuple[str | int | float | bool, ...]

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return ("Literal[" + ", ".join(json.dumps(v) for v in self.values) + "]",)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import("typing", "Literal")


@dataclass(frozen=True)
class Model(TypeExpr):
    """A model class of the package. As an argument it is the model or what may be given
    instead (`given`): its TypedDict, so that a dict literal is checked key by key, or any
    dict for a model without properties of its own."""

    name: str
    given: TypeExpr

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (
            (qualify + self.name, *self.given.members(side, flavour))
            if side == "in"
            else (qualify + self.name,)
        )

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import(MODELS, self.name)
        if side == "in":
            yield from self.given._imports(side, flavour)

    def children(self) -> tuple[TypeExpr, ...]:
        return (self.given,)


@dataclass(frozen=True)
class ParamRef(TypeExpr):
    """A TypedDict param of the package (see ParamDict)."""

    name: str

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (self.name,)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import(PARAMS, self.name, typing_only=True)


@dataclass(frozen=True)
class Enumeration(TypeExpr):
    """An enum class of the package: a response gives its member; an argument is one of its
    values, as a literal or a member taken from a response."""

    name: str
    values: tuple[str | int | float | bool, ...]

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (
            (qualify + self.name,)
            if side == "out"
            else (*LiteralOf(self.values).members(side), qualify + self.name)
        )

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import(MODELS, self.name)
        if side == "in":
            yield Import("typing", "Literal")


@dataclass(frozen=True)
class Alias(TypeExpr):
    """A named union of the package (a type alias). As an argument, any of its variants; a
    tagged union (`open`) also takes the UnknownVariant that a response gives for a tag newer
    than the SDK, so that what a response holds can be sent back as it is."""

    name: str
    variants: tuple[TypeExpr, ...]
    open: bool = False

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        if side == "out":
            return (qualify + self.name,)
        return (
            *union(self.variants).members(side, flavour, qualify),
            *(["UnknownVariant"] if self.open else []),
        )

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        if side == "out":
            yield Import(MODELS, self.name)
            return
        yield from union(self.variants).imports(side, flavour)
        if self.open:
            yield Import("._models", "UnknownVariant")

    def children(self) -> tuple[TypeExpr, ...]:
        return self.variants


@dataclass(frozen=True)
class ListOf(TypeExpr):
    item: TypeExpr

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (
            f"{'Sequence' if side == 'in' else 'List'}[{self.item.render(side, flavour, qualify)}]",
        )

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import("typing", "Sequence" if side == "in" else "List")
        yield from self.item.imports(side, flavour)

    def children(self) -> tuple[TypeExpr, ...]:
        return (self.item,)


@dataclass(frozen=True)
class MapOf(TypeExpr):
    """An object of free keys: any mapping as an argument (a TypedDict too), a dict in a
    response."""

    value: TypeExpr

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (
            f"{'Mapping' if side == 'in' else 'Dict'}"
            f"[str, {self.value.render(side, flavour, qualify)}]",
        )

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import("typing", "Mapping" if side == "in" else "Dict")
        yield from self.value.imports(side, flavour)

    def children(self) -> tuple[TypeExpr, ...]:
        return (self.value,)


@dataclass(frozen=True)
class UnionOf(TypeExpr):
    options: tuple[TypeExpr, ...]

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(
                m for option in self.options for m in option.members(side, flavour, qualify)
            )
        )

    def children(self) -> tuple[TypeExpr, ...]:
        return self.options


def union(options: tuple[TypeExpr, ...] | list[TypeExpr]) -> TypeExpr:
    """The union of `options`: nested unions spread, repeats dropped, `object` dropped
    beside anything more precise; one option is itself."""
    flat: list[TypeExpr] = []
    for option in options:
        for member in option.options if isinstance(option, UnionOf) else (option,):
            if member not in flat:
                flat.append(member)
    if len(flat) > 1:
        flat = [o for o in flat if o != OBJECT] or [OBJECT]
    return flat[0] if len(flat) == 1 else UnionOf(tuple(flat))


@dataclass(frozen=True)
class File(TypeExpr):
    """A file to upload: bytes, a binary file, an `os.PathLike` or `(name, content[, type])`."""

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return ("FileTypes" if side == "in" else "bytes",)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        if side == "in":
            yield Import("._types", "FileTypes")


@dataclass(frozen=True)
class Content(TypeExpr):
    """A whole body of bytes sent as it is: bytes or a binary file."""

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return ("FileContent" if side == "in" else "bytes",)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        if side == "in":
            yield Import("._types", "FileContent")


@dataclass(frozen=True)
class _PerClient(TypeExpr):
    """A runtime class of items whose name differs per client."""

    item: TypeExpr
    module: ClassVar[str]
    names: ClassVar[dict[str, str]]  # flavour -> class

    def members(self, side: Side, flavour: Flavour = "sync", qualify: str = "") -> tuple[str, ...]:
        return (f"{self.names[flavour]}[{self.item.render(side, flavour, qualify)}]",)

    def _imports(self, side: Side, flavour: Flavour) -> Iterator[Import]:
        yield Import(self.module, self.names[flavour])
        yield from self.item.imports(side, flavour)

    def children(self) -> tuple[TypeExpr, ...]:
        return (self.item,)


@dataclass(frozen=True)
class Page(_PerClient):
    """A page of items that fetches the next ones: `SyncPage` or `AsyncPager`."""

    module = ".pagination"
    names = {"sync": "SyncPage", "async": "AsyncPager"}


@dataclass(frozen=True)
class Events(_PerClient):
    """A stream of validated events: `Stream` or `AsyncStream`."""

    module = "._streaming"
    names = {"sync": "Stream", "async": "AsyncStream"}


OBJECT = Scalar("object")
NONE = Scalar("None")
ANY = Scalar("Any")
ANY_MAP = MapOf(ANY)


@dataclass(frozen=True)
class ParamField:
    """A key of a TypedDict param, by its wire name."""

    key: str
    type: TypeExpr
    required: bool
    description: str = ""


@dataclass(frozen=True)
class ParamDict:
    """The TypedDict that an argument may give instead of the model `model`."""

    name: str
    model: str
    fields: tuple[ParamField, ...]
    description: str = ""

    def imports(self) -> Iterator[Import]:
        for field in self.fields:
            yield from field.type.imports("in")
