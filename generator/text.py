"""Text the spec holds, made safe and tidy for Python source: literals, docstrings, wrapped
paragraphs. Helpers of the models and of the templates alike."""

from __future__ import annotations

import re
import textwrap
from typing import Any


def python_literal(value: Any) -> str:
    """A value from the spec as a Python literal: never code, whatever it contains."""
    return repr(value)


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every control character but tab and newline


def _escape_controls(text: str) -> str:
    """Control characters as escapes: Python source cannot hold a NUL, and a lone `\\r`
    would end the line; the string's value stays the spec's text."""
    return _CONTROLS.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def docstring_literal(text: str, indent: str = "        ") -> str:
    """A triple-quoted docstring that is safe for any text the spec holds."""
    text = _escape_controls(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip())
    if text.endswith('"'):
        text += " "
    lines = text.splitlines() or [""]
    body = "\n".join((indent + line.rstrip()) if line.strip() else "" for line in lines)[
        len(indent) :
    ]
    if len(lines) == 1:
        return f'"""{body}"""'
    return f'"""{body}\n{indent}"""'


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def wrap_paragraphs(text: str, width: int) -> str:
    """`text` with each paragraph, and each item of a list, wrapped to `width` columns; a
    word longer than that stays whole."""
    blocks: list[str] = []
    for paragraph in str(text).strip().split("\n\n"):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        if any(_LIST_ITEM.match(line) for line in lines):  # a list: one item per line
            items: list[str] = []
            for line in lines:
                if _LIST_ITEM.match(line) or not items:
                    items.append(line)
                else:
                    items[-1] += " " + line
            blocks.append(
                "\n".join(
                    textwrap.fill(
                        item,
                        width,
                        subsequent_indent="  ",
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                    for item in items
                )
            )
        elif lines:
            blocks.append(
                textwrap.fill(
                    " ".join(lines), width, break_long_words=False, break_on_hyphens=False
                )
            )
    return "\n\n".join(blocks)


def wrapped_docstring(text: str, indent: str = "    ", width: int = 100) -> str:
    """A docstring of `text` wrapped to fit `width` at `indent`, its quotes included."""
    return docstring_literal(wrap_paragraphs(text, max(40, width - len(indent) - 6)), indent)


def docstring_text(text: str) -> str:
    """Text to place inside a template's own triple-quoted docstring."""
    text = _escape_controls(str(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))
    return text + " " if text.endswith('"') else text
