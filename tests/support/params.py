"""The cases a parametrised test function stands for, read from its `parametrize` marks
without running anything: the meta-tests check them against what the spec or a corpus
says must be covered, whatever runs before them, in whichever worker."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Params:
    values: dict[str, Any]  # argument name -> value
    marks: tuple[Any, ...]  # the marks of this case (pytest.param(..., marks=...))

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def xfail(self) -> Any:
        """The case's xfail mark, or None."""
        return next((mark for mark in self.marks if mark.name == "xfail"), None)


def _names(argnames: Any) -> list[str]:
    if isinstance(argnames, str):
        return [name.strip() for name in argnames.split(",") if name.strip()]
    return list(argnames)


def _sets(mark: Any) -> list[Params]:
    names = _names(mark.args[0])
    sets = []
    for value in mark.args[1]:
        if isinstance(value, type(pytest.param(None))):  # a ParameterSet
            values, marks = tuple(value.values), tuple(value.marks)
        else:
            values, marks = (value,) if len(names) == 1 else tuple(value), ()
        assert len(values) == len(names), f"{names}: {values!r}"
        sets.append(Params(dict(zip(names, values, strict=True)), marks))
    return sets


def parameter_sets(test: Callable[..., Any]) -> list[Params]:
    """One entry per case pytest collects from ``test``: the product of its stacked
    `parametrize` marks (the function itself must carry no skip or xfail mark)."""
    marks = list(getattr(test, "pytestmark", []))
    assert marks, f"{test.__name__} is not parametrised"
    unconditional = {mark.name for mark in marks} - {"parametrize", "asyncio"}
    assert not unconditional, f"{test.__name__} carries {sorted(unconditional)} for every case"
    groups = [_sets(mark) for mark in marks if mark.name == "parametrize"]
    return [
        Params(
            {k: v for part in parts for k, v in part.values.items()},
            tuple(m for part in parts for m in part.marks),
        )
        for parts in itertools.product(*groups)
    ]
