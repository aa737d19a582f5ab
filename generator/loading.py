"""Stage 1: read YAML documents, and know the position of every node.

The data is read with libyaml (through PyYAML, fast) in two steps: libyaml's node graph,
which records line and column for each mapping key and sequence item, and the plain data
constructed from it. The graph is kept for locating problems, so a problem costs no second
parse (that took two seconds on the whole Telnyx spec, which always has warnings). Later
stages get plain dicts and lists and are pure functions of the data.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML

from .problems import Problems, split_pointer

_BaseLoader: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


class FastLoader(_BaseLoader):  # type: ignore[misc]
    """libyaml-backed safe loader: timestamps stay the strings the spec wrote, and a
    duplicate mapping key is an error (YAML says so; PyYAML would keep the last)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise pyyaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


FastLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in pyyaml.SafeLoader.yaml_implicit_resolvers.items()
}


YAMLError = pyyaml.YAMLError


def parse_yaml(content: str | bytes) -> Any:
    """The plain data of one YAML document (the fast loader, no positions kept); raises
    YAMLError. For what is only read, never pointed into: the upstream spec, sdk.yaml."""
    return pyyaml.load(content, Loader=FastLoader)  # noqa: S506 - a safe loader


@dataclass
class Document:
    """A loaded YAML file: its plain data, and its node graph or text for locating nodes."""

    path: str
    data: dict[str, Any]
    text: str = field(repr=False, default="")
    tree: Any = field(repr=False, default=None)


class SourceMap:
    """Turns (file, JSON pointer) into the 1-based line and column of the node."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._trees: dict[str, Any] = {}

    def add(self, document: Document) -> None:
        self._texts[document.path] = document.text
        if document.tree is not None:
            self._trees[document.path] = document.tree

    def _tree(self, file: str) -> Any:
        if file not in self._trees and file in self._texts:
            try:
                self._trees[file] = pyyaml.compose(self._texts[file], Loader=FastLoader)  # noqa: S506 - a safe loader
            except pyyaml.YAMLError:
                self._trees[file] = None
        return self._trees.get(file)

    def locate(self, file: str, ptr: str) -> tuple[int, int] | None:
        node = self._tree(file)
        if node is None:
            return None
        position: tuple[int, int] | None = (1, 1)
        for token in split_pointer(ptr):
            if isinstance(node, pyyaml.MappingNode):
                found = next(
                    ((key, value) for key, value in node.value if _key_text(key) == token), None
                )
                if found is None:
                    break  # the nearest existing ancestor is the best we can point at
                mark = found[0].start_mark
                node = found[1]
            elif (
                isinstance(node, pyyaml.SequenceNode)
                and token.isdigit()
                and int(token) < len(node.value)
            ):
                node = node.value[int(token)]
                mark = node.start_mark
            else:
                break
            position = (mark.line + 1, mark.column + 1)
        return position


def _key_text(node: Any) -> str:
    """A mapping key as the loaded data has it (`true` -> "True", `010` -> "8")."""
    if not isinstance(node, pyyaml.ScalarNode) or node.tag == "tag:yaml.org,2002:str":
        return str(node.value)
    return str(FastLoader("").construct_object(node))


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


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of the character at `index` of `text`."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _read(path: Path, name: str, problems: Problems) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.error("file not found", name)
        return None
    except IsADirectoryError:
        problems.error("is a directory, expected a YAML file", name)
        return None
    except OSError as exc:
        problems.error(f"cannot read file: {exc.strerror or exc}", name)
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        problems.error(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded ({exc.reason}); save the "
            "file as UTF-8",
            name,
            position=_position(before, len(before)),
        )
        return None


# A document whose aliases would make more nodes than this and than ten times its own is
# refused: a few lines of nested aliases (a "billion laughs") would otherwise never finish.
MAX_EXPANDED_NODES = 200_000


def _may_have_anchors(text: str) -> bool:
    """Whether an `&` of `text` could start an anchor (after a space, a line break, `[`, `{`
    or `,`, and followed by a name): a scan of the few `&`s, not of the whole text."""
    index = text.find("&")
    while index != -1:
        if (index == 0 or text[index - 1] in " \t\r\n[{,") and text[index + 1 : index + 2] not in (
            "",
            " ",
            "\t",
            "\r",
            "\n",
        ):
            return True
        index = text.find("&", index + 1)
    return False


def _check_aliases(tree: Any, text: str, name: str, problems: Problems) -> bool:
    """False (with a located error) when an alias refers to a node that holds it, or the
    aliases expand the document beyond MAX_EXPANDED_NODES. Without an anchor (`&`) in the
    text there is no alias, and nothing to walk."""
    if tree is None or not _may_have_anchors(text):
        return True
    sizes: dict[int, int] = {}
    own = 0
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = (
            [part for pair in node.value for part in pair]
            if isinstance(node, pyyaml.MappingNode)
            else node.value
            if isinstance(node, pyyaml.SequenceNode)
            else []
        )
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > max(MAX_EXPANDED_NODES, 10 * own):
                mark = node.start_mark
                problems.error(
                    "invalid YAML: its aliases expand to more than "
                    f"{max(MAX_EXPANDED_NODES, 10 * own):,} nodes (nested aliases, a "
                    '"billion laughs"); write the repeated parts out or use $ref',
                    name,
                    position=(mark.line + 1, mark.column + 1),
                )
                return False
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            mark = node.start_mark
            problems.error(
                "invalid YAML: an alias refers to the node that holds it (a recursive anchor); "
                "a spec is a tree, use $ref",
                name,
                position=(mark.line + 1, mark.column + 1),
            )
            return False
        open_nodes.add(key)
        own += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children) if id(child) not in sizes)
    return True


def load_yaml(
    path: Path | str, problems: Problems, source_map: SourceMap | None = None
) -> Document | None:
    """Load one YAML mapping; on failure record a problem and return None."""
    text = _read(Path(path), str(path), problems)
    return None if text is None else load_text(text, str(path), problems, source_map)


def load_text(
    text: str, name: str, problems: Problems, source_map: SourceMap | None = None
) -> Document | None:
    """Load one YAML mapping from `text`, reported as the file `name`."""
    loader = FastLoader(text)
    try:
        tree = loader.get_single_node()
        if not _check_aliases(tree, text, name, problems):
            return None
        data = None if tree is None else loader.construct_document(tree)
    except pyyaml.reader.ReaderError as exc:
        character = (
            f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        )
        problems.error(
            f"invalid YAML: character {character} is not allowed ({exc.reason}); write it as "
            "an escape in a quoted string",
            name,
            position=_position(text, exc.position),
        )
        return None
    except pyyaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        context = getattr(exc, "context", None)
        problem = getattr(exc, "problem", None)
        message = " ".join(str(part) for part in (context, problem) if part) or str(exc)
        position = (mark.line + 1, mark.column + 1) if mark is not None else None
        problems.error(f"invalid YAML: {message}", name, position=position)
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = (
            "nothing"
            if data is None
            else "a list"
            if isinstance(data, list)
            else f"a single {type(data).__name__.lower()}"
        )
        problems.error(f"expected a YAML mapping at the top level, found {kind}", name)
        return None
    document = Document(name, _plain(data), text, tree)
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
