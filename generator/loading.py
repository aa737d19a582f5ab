"""Stage 1: read YAML documents, keeping the position of every node.

ruamel.yaml's round-trip loader records line and column for each mapping key and
sequence item. We keep that tree only to answer "where is this JSON pointer?" and hand
plain dicts and lists to the later stages, which are then pure functions of the data.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .problems import Problems, split_pointer


@dataclass
class Document:
    """A loaded YAML file: its plain data and the positioned tree behind it."""

    path: str
    data: dict[str, Any]
    tree: Any = field(repr=False, default=None)


class SourceMap:
    """Turns (file, JSON pointer) into the 1-based line and column of the node."""

    def __init__(self) -> None:
        self._trees: dict[str, Any] = {}

    def add(self, document: Document) -> None:
        self._trees[document.path] = document.tree

    def locate(self, file: str, ptr: str) -> tuple[int, int] | None:
        node = self._trees.get(file)
        if node is None:
            return None
        position: tuple[int, int] | None = (1, 1)
        for token in split_pointer(ptr):
            if isinstance(node, CommentedMap) and token in node:
                line, col = node.lc.key(token)
                position = (line + 1, col + 1)
                node = node[token]
            elif isinstance(node, CommentedSeq) and token.isdigit() and int(token) < len(node):
                line, col = node.lc.item(int(token))
                position = (line + 1, col + 1)
                node = node[int(token)]
            else:
                break  # the nearest existing ancestor is the best we can point at
        return position


def _plain(node: Any) -> Any:
    """Round-trip containers to plain dicts/lists; scalars to plain Python types."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return copy.deepcopy(node)


def load_yaml(path: Path | str, problems: Problems, source_map: SourceMap | None = None) -> Document | None:
    """Load one YAML mapping; on failure record a problem and return None."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.error("file not found", name)
        return None
    except IsADirectoryError:
        problems.error("is a directory, expected a YAML file", name)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(f"cannot read file: {exc}", name)
        return None
    yaml = YAML(typ="rt")
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if mark is not None:
            problems.error(
                f"invalid YAML: {message}", name, position=(mark.line + 1, mark.column + 1)
            )
        else:
            problems.error(f"invalid YAML: {message}", name)
        return None
    except YAMLError as exc:
        problems.error(f"invalid YAML: {exc}", name)
        return None
    if not isinstance(tree, dict):
        kind = "nothing" if tree is None else "a list" if isinstance(tree, list) else f"a single {type(tree).__name__.lower()}"
        problems.error(f"expected a YAML mapping at the top level, found {kind}", name)
        return None
    document = Document(name, _plain(tree), tree)
    if source_map is not None:
        source_map.add(document)
    return document


def dump_yaml(data: Any) -> str:
    """Serialise plain data as block-style YAML with stable key order."""
    import io

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
