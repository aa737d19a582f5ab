"""Problems found in the inputs, collected as values and reported together.

Every stage appends to a `Problems` list instead of raising deep inside its logic, so
that one run reports everything wrong with a spec at once. A problem knows the file and
the JSON pointer it concerns; the loader's source map turns the pointer into the line and
column of the YAML node, so the message reads `file:line:col: message (pointer)`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """JSON pointer (RFC 6901) from path tokens."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(ptr: str) -> list[str]:
    if not ptr:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr.lstrip("/").split("/")]


Locator = Callable[[str, str], "tuple[int, int] | None"]


@dataclass(frozen=True)
class Problem:
    message: str
    file: str
    pointer: str = ""
    level: Level = Level.ERROR
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.level.value}: {self.message}"
        if self.pointer:
            text += f" ({self.pointer})"
        return text


@dataclass
class Problems:
    """An ordered collection of problems; `locate` fills in line and column."""

    items: list[Problem] = field(default_factory=list)
    locate: Locator | None = None

    def error(
        self, message: str, file: str, ptr: str = "", position: tuple[int, int] | None = None
    ) -> None:
        line, column = position or (None, None)
        self._add(Problem(message, file, ptr, Level.ERROR, line, column))

    def warning(self, message: str, file: str, ptr: str = "") -> None:
        self._add(Problem(message, file, ptr, Level.WARNING))

    def _add(self, problem: Problem) -> None:
        if problem.line is None and self.locate is not None:
            position = self.locate(problem.file, problem.pointer)
            if position is not None:
                problem = Problem(
                    problem.message,
                    problem.file,
                    problem.pointer,
                    problem.level,
                    position[0],
                    position[1],
                )
        self.items.append(problem)

    def extend(self, other: Problems) -> None:
        for item in other.items:
            self._add(item)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level is Level.WARNING]

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_errors(self, strict: bool = False) -> None:
        if strict and self.warnings:
            # --strict: every warning is an error, said as such.
            self.items = [
                Problem(
                    p.message + " (a warning, an error under --strict)",
                    p.file,
                    p.pointer,
                    Level.ERROR,
                    p.line,
                    p.column,
                )
                if p.level is Level.WARNING
                else p
                for p in self.items
            ]
        if self.errors:
            raise GenerationFailed(self)


class GenerationFailed(Exception):
    """Raised at a stage boundary when the collected problems include errors."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems.items))
