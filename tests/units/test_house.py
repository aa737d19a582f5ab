"""The generator's house rules, checked on its source: short functions, stages that import
only helpers and each other's entry points, the runtime's names in one place and in step
with the runtime."""

from __future__ import annotations

import ast
from pathlib import Path

from generator import runtime_names

GENERATOR = Path(__file__).resolve().parents[2] / "generator"
MAX_FUNCTION_LINES = 60
# The stages the pipeline runs in order; only the pipeline calls them (the API diff goes
# through the pipeline's front stages), and no other module reaches into them.
PIPELINE_STAGES = ("validating", "normalising", "ir_builder", "modelling", "rendering", "skills")
SOURCES = sorted(GENERATOR.rglob("*.py"))
# The generator's own modules; the runtime (generator/runtime/) is a package of private
# modules of its own, which import each other's names.
STAGES_AND_HELPERS = sorted(GENERATOR.glob("*.py"))


def _module(path: Path) -> str:
    return ".".join(path.relative_to(GENERATOR).with_suffix("").parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported generator module, names, line) of each `from ... import` of generator code."""
    found = []
    package = _module(path).split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join([*base, *([node.module] if node.module else [])])
        elif node.module and node.module.startswith("generator."):
            target = node.module[len("generator.") :]
        else:
            continue
        found.append((target, [alias.name for alias in node.names], node.lineno))
    return found


def test_no_function_is_longer_than_60_lines() -> None:
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - start + 1
                if length > MAX_FUNCTION_LINES:
                    where = f"{path.relative_to(GENERATOR.parent)}:{node.lineno}"
                    long.append(f"{where} {node.name}: {length} lines")
    assert not long, f"functions longer than {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{path.relative_to(GENERATOR.parent)}:{line} imports {name} from {target}"
        for path in STAGES_AND_HELPERS
        for target, names, line in _imports(path)
        for name in names
        if name.startswith("_") and target != _module(path)
    ]
    assert not private, "\n".join(private)


def test_only_the_pipeline_runs_the_stages() -> None:
    """Helpers live in helper modules (openapi, naming, runtime_names, text, ...): a module
    that needs one never imports it from a stage."""
    reaching = [
        f"{path.relative_to(GENERATOR.parent)}:{line} imports {', '.join(names)} from {target}"
        for path in SOURCES
        if _module(path) != "pipeline"
        for target, names, line in _imports(path)
        if target in PIPELINE_STAGES and target != _module(path)
    ]
    assert not reaching, "\n".join(reaching)


def test_the_exception_names_are_the_runtimes() -> None:
    tree = ast.parse((GENERATOR / "runtime" / "_exceptions.py").read_text(encoding="utf-8"))
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    exported = next(
        (
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        ),
        None,
    )
    assert set(runtime_names.EXCEPTION_NAMES) == classes
    if exported is not None:  # in the order the package exports them
        assert list(runtime_names.EXCEPTION_NAMES) == exported
