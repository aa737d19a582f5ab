"""A seeded mutation fuzzer of the generator's inputs: a slice of the curated spec (a few
operations of /ai and every schema they use) and its sdk.yaml, mutated in their data
(a value replaced by a hostile one, a key dropped or renamed, a subtree moved) or in their
text (a line dropped or doubled, a character inserted). Every mutant must end in one of two
ways, within a time limit:

- exit 0, and the package imports and its methods answer a call with a value or the
  package's own TelnyxError;
- exit 2, every message `file:line:col: error|warning: ...` (a line where the file is the
  spec or the config), and the output directory untouched.

Never a traceback, never exit 1, never a hang. The mutants are numbered seeds, so a failure
is reproduced by its test id; `make test` runs 40 of them, `make test-deep` 400.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import random
import re
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from generator.cli import main
from generator.loading import FastLoader
from generator.openapi import HTTP_METHODS, iter_refs

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = 400 if os.environ.get("TELNYX_CODEGEN_TIER") == "deep" else 40
TIME_LIMIT = 60  # seconds a mutant may take: far more than a correct generation needs
OPERATIONS = [
    ("get", "/ai/mcp_servers"),
    ("post", "/ai/mcp_servers"),
    ("get", "/ai/assistants/tags"),
    ("post", "/ai/assistants/{assistant_id}/tags"),
    ("delete", "/ai/assistants/{assistant_id}/tags/{tag}"),
    ("post", "/ai/openai/chat/completions"),
]
HOSTILE_VALUES: list[Any] = [
    5, -1, 0, 1e308, True, None, "", [], {}, "x" * 300, "a\nb", "\x00", "{", "}", "class",
    "__init__", "to_dict", "cast", "self", "NotGiven", "json", "ü", "1abc", "a-b",
    "#/components/schemas/Nope", {"$ref": "#/components/schemas/Nope"}, {"type": "object"},
    {"type": "string", "enum": ["a", "A"]}, [None], ["x", 1], "GET /nope",
]  # fmt: skip
HOSTILE_KEYS = [
    "",
    "class",
    "x" * 300,
    "to_dict",
    "cast",
    "self",
    "__init__",
    "1abc",
    "a-b",
    "ü",
    "$ref",
    "type",
    "{id}",
]
HOSTILE_CHARACTERS = [
    "\x00",
    "\t",
    "\ufeff",
    "\x85",
    "'",
    '"',
    "{",
    "[",
    ":",
    "&a ",
    "*a",
    "\\",
    "\udcff",
]


def _slice() -> tuple[dict[str, Any], dict[str, Any]]:
    """The operations above with every component they reference, and their sdk.yaml."""
    spec = yaml.load((ROOT / "spec" / "ai-assistants.openapi.yaml").read_text(), Loader=FastLoader)  # noqa: S506 - a safe loader
    config = yaml.load((ROOT / "spec" / "sdk.yaml").read_text(), Loader=FastLoader)  # noqa: S506
    paths: dict[str, Any] = {}
    for method, path in OPERATIONS:
        item = spec["paths"][path]
        paths.setdefault(path, {k: v for k, v in item.items() if k not in HTTP_METHODS})[method] = (
            item[method]
        )
    components: dict[str, dict[str, Any]] = {}
    todo = list(iter_refs(paths))
    while todo:
        _, _, kind, name = todo.pop().split("/", 3)
        if name not in components.setdefault(kind, {}):
            components[kind][name] = spec["components"][kind][name]
            todo += iter_refs(spec["components"][kind][name])
    document = {key: spec[key] for key in ("openapi", "info", "servers", "security") if key in spec}
    document["paths"] = paths
    document["components"] = {
        **components,
        "securitySchemes": spec["components"].get("securitySchemes", {}),
    }
    config["methods"] = {
        dotted: target
        for dotted, target in config["methods"].items()
        if (target.split(" ")[0].lower(), target.split(" ", 1)[1]) in OPERATIONS
    }
    config["examples"] = []
    config.pop("skills", None)  # its tasks name methods the slice does not have
    return document, config


SPEC, CONFIG = _slice()


def _places(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from _places(child, (*at, key))


def _at(node: Any, at: tuple[Any, ...]) -> Any:
    for step in at:
        node = node[step]
    return node


def mutate_data(rng: random.Random, data: dict[str, Any]) -> str:
    """One to three mutations of `data` in place; what was done, for the failure message."""
    done = []
    for _ in range(rng.randint(1, 3)):
        places = list(_places(data))[1:]
        # most places are text; the structure (mappings, lists, their keys) is hit as often
        containers = [at for at in places if isinstance(_at(data, at), (dict, list))]
        at = rng.choice(containers if containers and rng.random() < 0.6 else places)
        parent, key = _at(data, at[:-1]), at[-1]
        kind = rng.choice(("replace", "replace", "drop", "rename", "move"))
        if kind == "replace":
            parent[key] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
        elif kind == "drop":
            del parent[key]
        elif kind == "rename" and isinstance(parent, dict):
            new = rng.choice(HOSTILE_KEYS)
            parent[new] = parent.pop(key)
        elif kind == "move":
            source = rng.choice(places)
            if source[: len(at)] == at or at[: len(source)] == source:
                continue  # a subtree cannot move into itself
            parent[key] = copy.deepcopy(_at(data, source))
        done.append(f"{kind} {'/'.join(map(str, at))}")
    return "; ".join(done)


def mutate_text(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    kind = rng.choice(("drop line", "double line", "insert"))
    if kind == "drop line":
        del lines[index]
    elif kind == "double line":
        lines.insert(index, lines[index])
    else:
        column = rng.randrange(len(lines[index]) + 1)
        lines[index] = (
            lines[index][:column] + rng.choice(HOSTILE_CHARACTERS) + lines[index][column:]
        )
    return "".join(lines), f"{kind} at line {index + 1}"


def mutant(seed: int, package: str) -> tuple[str, str, str]:
    """The spec text, sdk.yaml text and a description of the mutant `seed`."""
    rng = random.Random(seed)
    spec, config = copy.deepcopy(SPEC), copy.deepcopy(CONFIG)
    config["package"] = package
    target = rng.choice(("spec", "spec", "config"))
    texts = {}
    how = ""
    if rng.random() < 0.75:
        how = f"{target}: " + mutate_data(rng, spec if target == "spec" else config)
    for name, data in (("spec", spec), ("config", config)):
        texts[name] = yaml.dump(
            data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100
        )
    if not how:
        texts[target], done = mutate_text(rng, texts[target])
        how = f"{target}: {done}"
    return texts["spec"], texts["config"], how


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


class TimeLimit(BaseException):
    pass


def _over_time(signum: int, frame: Any) -> None:
    raise TimeLimit


@pytest.fixture(scope="module")
def unmutated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of the slice as it is: what an exit 2 must leave untouched."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    (folder / "spec.yaml").write_text(yaml.dump(SPEC, Dumper=yaml.CSafeDumper, sort_keys=False))
    config = copy.deepcopy(CONFIG)
    config["package"] = "fuzz_base"
    (folder / "sdk.yaml").write_text(yaml.dump(config, Dumper=yaml.CSafeDumper, sort_keys=False))
    assert (
        main(
            [
                "generate",
                "--spec",
                str(folder / "spec.yaml"),
                "--config",
                str(folder / "sdk.yaml"),
                "--out",
                str(folder / "out"),
            ]
        )
        == 0
    )
    return folder / "out"


def smoke(out: Path, package: str, client_name: Any) -> None:
    """Import the package from `out` and call each of its methods whose arguments are all
    optional, answered `{}`: a value or the package's TelnyxError, nothing else."""
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(package)
        client_class = (
            getattr(module, str(client_name))
            if isinstance(client_name, str) and client_name.isidentifier()
            else None
        )
        if client_class is None:
            return  # the mutant named no usable client: a correct generation fails on it instead
        client = client_class(
            api_key="k",
            http_client=httpx.Client(
                transport=httpx.MockTransport(lambda request: httpx.Response(200, json={}))
            ),
            max_retries=0,
        )
        stack, called = [client], 0
        while stack and called < 5:
            resource = stack.pop()
            for name in sorted(vars(resource)):
                value = getattr(resource, name)
                if name.startswith("_") or name.startswith("with_"):
                    continue
                if type(value).__module__.startswith(package + ".resources"):
                    stack.append(value)
                elif inspect.ismethod(value) and type(resource).__module__.startswith(
                    package + ".resources"
                ):
                    parameters = inspect.signature(value).parameters.values()
                    if all(
                        p.default is not inspect.Parameter.empty
                        or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
                        for p in parameters
                    ):
                        try:
                            value()
                        except module.TelnyxError:
                            pass
                        called += 1
        client.close()
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


LOCATED = re.compile(
    r"^(?P<file>[^\n]+?)(?::(?P<line>\d+):(?P<column>\d+))?: (?:error|warning): \S"
)


@pytest.mark.parametrize("seed", range(MUTANTS))
def test_a_mutant_generates_a_working_package_or_fails_cleanly(
    seed: int,
    unmutated: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELNYX_CODEGEN_NO_CACHE", "1")  # every mutant is really generated
    package = f"fuzz_{seed}"
    spec_text, config_text, how = mutant(seed, package)
    spec, config, out = tmp_path / "spec.yaml", tmp_path / "sdk.yaml", tmp_path / "out"
    spec.write_text(spec_text, encoding="utf-8", errors="surrogatepass")
    config.write_text(config_text, encoding="utf-8", errors="surrogatepass")
    shutil.copytree(unmutated, out, copy_function=shutil.copy2)
    before = snapshot(out)
    previous = signal.signal(signal.SIGALRM, _over_time)
    signal.alarm(TIME_LIMIT)
    try:
        code = main(["generate", "--spec", str(spec), "--config", str(config), "--out", str(out)])
    except TimeLimit:
        pytest.fail(f"mutant {seed} ({how}) took more than {TIME_LIMIT} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    stderr = capsys.readouterr().err
    assert code in (0, 2), f"mutant {seed} ({how}): exit {code}\n{stderr[-3000:]}"
    lines = stderr.splitlines()
    for line in lines:
        found = LOCATED.match(line)
        assert found, f"mutant {seed} ({how}): not a located message: {line}"
        if found["file"] in (str(spec), str(config)) and ": error: " in line:
            assert found["line"], f"mutant {seed} ({how}): no line and column: {line}"
            pointer = re.search(r" \((/[^()]*)\)$", line)
            # the first line is the nearest place of a key that is missing at the top level only
            assert (
                (found["line"], found["column"]) != ("1", "1")
                or pointer is None
                or pointer[1].count("/") == 1
            ), f"mutant {seed} ({how}): placed at the start of the file: {line}"
    if code == 2:
        assert any(": error: " in line for line in lines), (
            f"mutant {seed} ({how}): exit 2 without an error"
        )
        assert snapshot(out) == before, f"mutant {seed} ({how}): exit 2 changed the output"
    else:
        smoke(
            out, package, yaml.load(config_text, Loader=FastLoader).get("clients", {}).get("sync")
        )  # noqa: S506
