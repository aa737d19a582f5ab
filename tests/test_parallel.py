"""Work shared out to forked processes: the result is the one a single process gives."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from generator import modelling, parallel
from generator.loading import load_yaml
from generator.normalising import normalise
from generator.pipeline import TEMPLATES
from generator.problems import Problems
from generator.rendering import format_files
from generator.validating import SCHEMA_REF, iter_refs

SPEC = Path(__file__).resolve().parent.parent / "spec" / "ai-assistants.openapi.yaml"

needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="the platform cannot fork")


@pytest.fixture(scope="module")
def normalised() -> dict[str, Any]:
    problems = Problems()
    document = load_yaml(SPEC, problems)
    assert document is not None
    return normalise(document.data, document.path, problems).document


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
    assert parallel.Forked(lambda: _in_child_only(os.getpid())).result() == "done here"


@needs_fork
def test_cancel_stops_the_child_and_the_result_is_gone() -> None:
    import time

    forked = parallel.Forked(lambda: time.sleep(30))
    forked.cancel()
    assert forked._child is not None and not forked._child.is_alive()
    with pytest.raises(RuntimeError, match="cancelled"):
        forked.result()


def test_without_fork_the_work_runs_when_its_result_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
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
    assert sizes[-1] - sizes[0] <= max(len(c) for c in _components(schemas))  # as even as the largest group allows
    for group in groups:
        members = set(group)
        for name in group:
            targets = {ref[len(SCHEMA_REF) :] for ref in iter_refs(schemas[name]) if ref.startswith(SCHEMA_REF)}
            assert targets <= members, (name, targets - members)


def _components(schemas: dict[str, Any]) -> list[set[str]]:
    """Schemas linked by references, found the slow, obvious way."""
    neighbours: dict[str, set[str]] = {name: set() for name in schemas}
    for name, schema in schemas.items():
        for ref in iter_refs(schema):
            target = ref[len(SCHEMA_REF) :]
            if ref.startswith(SCHEMA_REF) and target in neighbours:
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
def test_models_shared_out_are_the_models_of_one_run(normalised: dict[str, Any], workers: int) -> None:
    problems = Problems()
    alone = modelling.render_models(normalised, "telnyx_ai", TEMPLATES / "models", "spec.yaml", problems, workers=1)
    shared = modelling.render_models(normalised, "telnyx_ai", TEMPLATES / "models", "spec.yaml", problems, workers=workers)
    assert not problems.errors
    assert shared.count("\nclass ") > 300
    # blank lines between definitions are the formatter's to settle
    assert format_files({"m.py": shared}) == format_files({"m.py": alone})


@needs_fork
def test_a_model_generator_failure_in_a_child_is_reported(normalised: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    generate = modelling._generate
    groups = modelling._share_out(normalised["components"]["schemas"], 2)

    def fail_on_second_group(document: dict[str, Any], package: str, template_dir: Path) -> str:
        if set(document["components"]["schemas"]) == set(groups[1]):
            raise KeyError("no template for it")
        return generate(document, package, template_dir)

    monkeypatch.setattr(modelling, "_generate", fail_on_second_group)
    problems = Problems()
    assert modelling.render_models(normalised, "telnyx_ai", TEMPLATES / "models", "spec.yaml", problems, workers=2) == ""
    assert [p.message for p in problems.errors] == ["model generation failed: KeyError: 'no template for it'"]
