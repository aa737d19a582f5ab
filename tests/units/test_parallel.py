"""Work shared out to forked processes: the result is the one a single process gives."""

from __future__ import annotations

import ast
import json
import os
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from generator import modelling, parallel
from generator.ir_builder import build_api
from generator.loading import load_yaml
from generator.normalising import normalise
from generator.openapi import SCHEMA_REF, iter_nodes, iter_refs
from generator.pipeline import TEMPLATES
from generator.problems import Problems
from generator.rendering import format_files

SPEC = Path(__file__).resolve().parents[2] / "spec" / "ai-assistants.openapi.yaml"

needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="the platform cannot fork")


@pytest.fixture(scope="module")
def normalised() -> dict[str, Any]:
    problems = Problems()
    document = load_yaml(SPEC, problems)
    assert document is not None
    config = load_yaml(SPEC.parent / "sdk.yaml", problems)
    assert config is not None
    return normalise(document.data, document.path, problems, config.data.get("methods")).document


@pytest.fixture(scope="module")
def homes(normalised: dict[str, Any]) -> dict[str, str]:
    """Each model's module, as the IR places them."""
    problems = Problems()
    config = load_yaml(SPEC.parent / "sdk.yaml", problems)
    assert config is not None
    api = build_api(normalised, str(SPEC), config.data, config.path, problems)
    assert api is not None and not problems.errors
    return api.homes


def one_module(document: dict[str, Any]) -> dict[str, str]:
    return {name: "shared" for name in document["components"]["schemas"]}


def _in_child_only(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(3)  # the child dies without a word
    return "done here"


def _fails() -> None:
    raise ValueError("no such thing")


@needs_fork
def test_forked_work_returns_its_result_from_another_process() -> None:
    assert parallel.Forked(os.getpid).result() != os.getpid()


@needs_fork
def test_what_the_work_raises_comes_back_as_child_failed() -> None:
    with pytest.raises(parallel.ChildFailed, match="no such thing") as failed:
        parallel.Forked(_fails).result()
    assert failed.value.kind == "ValueError"


@needs_fork
def test_when_the_child_dies_the_work_is_done_in_the_caller() -> None:
    forked = parallel.Forked(partial(_in_child_only, os.getpid()))
    assert forked.result() == "done here"
    assert forked._child.exitcode == 3  # it did die


class _Panic(BaseException):
    """What a Rust panic raises through PyO3: no Exception."""


def _panics() -> None:
    raise _Panic("index out of bounds")


@needs_fork
def test_a_base_exception_in_the_child_comes_back_too() -> None:
    with pytest.raises(parallel.ChildFailed, match="index out of bounds") as failed:
        parallel.Forked(_panics).result()
    assert failed.value.kind == "_Panic"


class _Interrupted:
    def recv(self) -> None:
        raise KeyboardInterrupt

    def close(self) -> None:
        pass


@needs_fork
def test_ctrl_c_while_waiting_stops_the_child() -> None:
    import time

    forked = parallel.Forked(lambda: time.sleep(30))
    forked._reader = _Interrupted()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        forked.result()
    assert not forked._child.is_alive() and time.monotonic() - started < 10


@needs_fork
def test_cancel_stops_the_child_and_the_result_is_gone() -> None:
    import time

    forked = parallel.Forked(lambda: time.sleep(30))
    forked.cancel()
    assert forked._child is not None and not forked._child.is_alive()
    with pytest.raises(RuntimeError, match="cancelled"):
        forked.result()


def test_without_fork_the_work_runs_when_its_result_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    calls: list[int] = []
    forked = parallel.Forked(lambda: calls.append(1) or len(calls))
    assert calls == []
    assert forked.result() == 1


@needs_fork
def test_schema_groups_reference_no_schema_of_another_group(normalised: dict[str, Any]) -> None:
    schemas = normalised["components"]["schemas"]
    groups = modelling._share_out(schemas, 3)
    assert len(groups) == 3
    assert sorted(name for group in groups for name in group) == sorted(schemas)
    sizes = sorted(len(group) for group in groups)
    assert sizes[-1] - sizes[0] <= max(
        len(c) for c in _components(schemas)
    )  # as even as the largest group allows
    for group in groups:
        members = set(group)
        for name in group:
            targets = {
                ref[len(SCHEMA_REF) :]
                for ref in iter_refs(schemas[name])
                if ref.startswith(SCHEMA_REF)
            }
            assert targets <= members, (name, targets - members)
    linked_apart = [
        component
        for component in _components(schemas)
        if not any(component <= set(group) for group in groups)
    ]
    assert linked_apart == []


MINI = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Alpha": {
                "type": "string",
                "description": "An alias, the first definition of its group.",
            },
            "Beta": {
                "type": "object",
                "properties": {"part": {"$ref": "#/components/schemas/Gamma/properties/size"}},
            },
            "Gamma": {"type": "object", "properties": {"size": {"type": "integer"}}},
            "Delta": {
                "oneOf": [{"$ref": "#/components/schemas/Epsilon"}],
                "discriminator": {"propertyName": "kind", "mapping": {"e": "Zeta"}},
            },
            "Epsilon": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "Zeta": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "A/B": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Eta": {"type": "object", "properties": {"ab": {"$ref": "#/components/schemas/A~1B"}}},
        }
    },
}


@needs_fork
def test_references_into_a_schema_escaped_names_and_mapping_names_keep_schemas_together() -> None:
    groups = modelling._share_out(MINI["components"]["schemas"], 8)
    together = [{"Beta", "Gamma"}, {"Delta", "Epsilon", "Zeta"}, {"A/B", "Eta"}]
    for linked in together:
        assert any(linked <= set(group) for group in groups), (linked, groups)
    assert len(groups) == 4  # and Alpha on its own


@needs_fork
def test_a_merged_module_has_its_imports_before_any_definition() -> None:
    document = {
        **MINI,
        "components": {
            "schemas": {
                k: v for k, v in MINI["components"]["schemas"].items() if k in ("Alpha", "Gamma")
            }
        },
    }
    for workers in (1, 2):
        problems = Problems()
        source = modelling.render_models(
            document,
            "telnyx_ai",
            TEMPLATES / "models",
            "spec.yaml",
            problems,
            one_module(document),
            workers=workers,
        )["shared.py"]
        assert not problems.errors
        body = ast.parse(source).body
        kinds = [isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in body]
        assert kinds == sorted(kinds, reverse=True), source  # every import, then the rest
        assert "Alpha = TypeAliasType(" in source and "import TypeAliasType" in source


@needs_fork
def test_a_name_defined_in_two_groups_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def both_define_gamma(
        document: dict[str, Any], package: str, template_dir: Path
    ) -> dict[str, str]:
        return {"shared.py": "from __future__ import annotations\n\n\nclass Gamma:\n    pass\n"}

    monkeypatch.setattr(modelling, "_generate", both_define_gamma)
    problems = Problems()
    modelling.render_models(
        MINI, "telnyx_ai", TEMPLATES / "models", "spec.yaml", problems, one_module(MINI), workers=2
    )
    assert [p.message for p in problems.errors] == ["the model generator defined 'Gamma' twice"]


def _linked(schema: Any, schemas: dict[str, Any]) -> set[str]:
    """Every schema name that `schema`'s JSON text mentions as a reference or a mapping value."""
    text = json.dumps(schema)
    names = {
        m.replace("~1", "/").replace("~0", "~")
        for m in re.findall(r'"#/components/schemas/([^"/]+)', text)
    }
    mappings = [
        json.dumps(node["mapping"])
        for node in iter_nodes(schema)
        if isinstance(node.get("mapping"), dict)
    ]
    names |= set(re.findall(r'"([^"]+)"', " ".join(mappings))) & set(
        schemas
    )  # bare names, as mappings may give them
    return names & set(schemas)


def _components(schemas: dict[str, Any]) -> list[set[str]]:
    """Schemas linked by references, found the slow, obvious way."""
    neighbours: dict[str, set[str]] = {name: set() for name in schemas}
    for name, schema in schemas.items():
        for target in _linked(schema, schemas):
            neighbours[name].add(target)
            neighbours[target].add(name)
    seen: set[str] = set()
    components = []
    for name in schemas:
        if name in seen:
            continue
        component, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in component:
                component.add(current)
                todo.extend(neighbours[current] - component)
        seen |= component
        components.append(component)
    return components


@needs_fork
@pytest.mark.parametrize("workers", [2, 3, 5])
def test_models_shared_out_are_the_models_of_one_run(
    normalised: dict[str, Any], homes: dict[str, str], workers: int
) -> None:
    problems = Problems()
    alone = modelling.render_models(
        normalised, "telnyx_ai", TEMPLATES / "models", "spec.yaml", problems, homes, workers=1
    )
    shared = modelling.render_models(
        normalised, "telnyx_ai", TEMPLATES / "models", "spec.yaml", problems, homes, workers=workers
    )
    assert not problems.errors
    assert sum(source.count("\nclass ") for source in shared.values()) > 300 and len(shared) > 10
    # blank lines between definitions are the formatter's to settle
    assert format_files(shared) == format_files(alone)


@needs_fork
def test_a_model_generator_failure_in_a_child_is_reported(
    normalised: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    generate = modelling._generate
    groups = modelling._share_out(normalised["components"]["schemas"], 2)

    def fail_on_second_group(
        document: dict[str, Any], package: str, template_dir: Path
    ) -> dict[str, str]:
        if {name.rsplit(".", 1)[-1] for name in document["components"]["schemas"]} == set(
            groups[1]
        ):
            raise KeyError("no template for it")
        return generate(document, package, template_dir)

    monkeypatch.setattr(modelling, "_generate", fail_on_second_group)
    problems = Problems()
    assert (
        modelling.render_models(
            normalised,
            "telnyx_ai",
            TEMPLATES / "models",
            "spec.yaml",
            problems,
            one_module(normalised),
            workers=2,
        )
        == {}
    )
    assert [p.message for p in problems.errors] == [
        "model generation failed: KeyError: 'no template for it'"
    ]


def test_a_generated_module_the_merge_cannot_read_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        modelling,
        "_generate",
        lambda *_: {"shared.py": "from __future__ import annotations\nimport os; x = 1\n"},
    )
    problems = Problems()
    assert (
        modelling.render_models(
            MINI,
            "telnyx_ai",
            TEMPLATES / "models",
            "spec.yaml",
            problems,
            one_module(MINI),
            workers=1,
        )
        == {}
    )
    assert [p.message for p in problems.errors] == [
        "model generation failed: ValueError: "
        "unexpected statement among the imports of a generated module: x = 1"
    ]


def _gone(pid: int) -> bool:
    """Whether `pid` has ended (a zombie waiting for its reaper has ended too)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@needs_fork
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_parent_killed_with_sigkill_leaves_no_worker_behind() -> None:
    """kill -9 runs no clean-up in the parent; its forked workers must still go."""
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import os, sys, time\n"
        "from generator.parallel import Forked\n"
        "work = Forked(lambda: time.sleep(60))\n"
        "print(work._child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], cwd=SPEC.parent.parent, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(child), "the forked worker outlived its killed parent"
    finally:
        parent.stdout.close()
        if not _gone(child):
            os.kill(child, signal.SIGKILL)


@needs_fork
def test_a_module_that_imports_modules_beside_it_is_generated_in_one_group() -> None:
    """Models in `other` that use models of `x.items` and of `y.items`: two runs would each
    import their module as `items`; one run names them apart, whatever the workers."""

    def thing(prop: str, target: str | None = None) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {prop: {"$ref": SCHEMA_REF + target} if target else {"type": "string"}},
        }

    document = {
        **MINI,
        "components": {
            "schemas": {
                "A1": thing("one"),
                "A2": thing("two"),
                "P1": thing("a", "A1"),
                "P2": thing("b", "A2"),
            }
        },
    }
    homes = {"A1": "x.items", "A2": "y.items", "P1": "other", "P2": "other"}
    problems = Problems()
    outputs = [
        modelling.render_models(
            document,
            "telnyx_ai",
            TEMPLATES / "models",
            "spec.yaml",
            problems,
            homes,
            workers=workers,
        )
        for workers in (1, 2, 4)
    ]
    assert not problems.errors and outputs[1] == outputs[0] == outputs[2]
    imports = [
        s
        for s in ast.parse(outputs[1]["other.py"]).body
        if isinstance(s, ast.ImportFrom) and s.level
    ]
    bound = [alias.asname or alias.name for statement in imports for alias in statement.names]
    assert len(bound) == len(set(bound)) == 2, outputs[1]["other.py"]
