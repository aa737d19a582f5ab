"""Golden files: each fixture spec in tests/golden/ generates exactly its committed tree.

A fixture is a small spec for one feature a generator must get right, with its SDK
config and the expected output under `expected/`. The runtime modules, copied from
generator/runtime/ whatever the spec, are left out of the fixture trees (generated/ has them;
`_settings.py`, which holds the config's values they read, is in the trees). A tree may
hold hand-written files (`lib/`, paths the fixture's sdk.yaml lists under `hand_written`):
the fixture is generated into a copy of its tree by the real writer, which must keep them.
Update the trees with `make golden` and review the change in `git diff`.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import rendering
from generator.pipeline import build
from generator.problems import Problems
from generator.writing import write_tree

GOLDEN = Path(__file__).resolve().parent
FIXTURES = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").exists())
# the runtime's modules, copied from generator/runtime/ as they are (its units test them)
RUNTIME = (*(p.name for p in rendering.RUNTIME.glob("*.py")), "py.typed")


def render(fixture: str) -> tuple[str, dict[str, str], dict[str, str], tuple[str, ...]]:
    """(package, files compared with the golden tree, every file, hand-written paths)."""
    result = build(GOLDEN / fixture / "spec.yaml", GOLDEN / fixture / "sdk.yaml", Problems())
    package = result.api.config.package
    compared = {
        p: t for p, t in result.files.items() if p.removeprefix(package + "/") not in RUNTIME
    }
    return package, compared, result.files, result.api.config.hand_written


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_generates_its_golden_tree(fixture: str, tmp_path: Path) -> None:
    _, compared, _, keep = render(fixture)
    expected = tree(GOLDEN / fixture / "expected")
    shutil.copytree(GOLDEN / fixture / "expected", tmp_path / "out")
    write_tree(tmp_path / "out", compared, keep)
    files = tree(tmp_path / "out")
    diff = []
    for path in sorted(set(files) | set(expected)):
        if files.get(path) != expected.get(path):
            diff.extend(
                difflib.unified_diff(
                    expected.get(path, "").splitlines(keepends=True),
                    files.get(path, "").splitlines(keepends=True),
                    f"expected/{path}",
                    f"generated/{path}",
                )
            )
    assert not diff, f"{fixture} differs from its golden tree (run `make golden`):\n" + "".join(
        diff
    )


def test_fixtures_import_and_pass_mypy_strict(tmp_path: Path) -> None:
    packages = []
    for fixture in FIXTURES:
        package, _, files, _ = render(fixture)
        write_tree(tmp_path / fixture, files)
        packages.append((fixture, package))
    for fixture, package in packages:
        code = (
            f"import {package}, {package}.types, pkgutil, importlib\n"
            f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
            "    importlib.import_module(m.name)\n"
            f"c = {package}.Client(api_key='k')\n"
        )
        subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path / fixture, check=True, capture_output=True
        )
    for fixture, package in packages:
        shutil.move(str(tmp_path / fixture / package), str(tmp_path / package))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *(p for _, p in packages)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:]


def update() -> None:
    for fixture in FIXTURES:
        _, compared, _, keep = render(fixture)
        target = GOLDEN / fixture / "expected"
        changes = write_tree(target, compared, keep)  # hand-written files stay
        written = len(changes.added) + len(changes.changed)
        print(
            f"{target.relative_to(GOLDEN.parent.parent)}: {written} written, "
            f"{len(changes.removed)} removed"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(GOLDEN.parent.parent))
    update()


def test_a_method_whose_answer_disagrees_with_its_annotation_is_a_type_error(
    tmp_path: Path,
) -> None:
    """`request()` is typed by the spec's type argument, and `cast_to` is held to it: a
    method that would validate its answer into another model than it says it returns does
    not pass mypy (so no generated method needs a cast)."""
    package, _, files, _ = render("skills")
    resource = f"{package}/resources/things/__init__.py"
    assert files[resource].count("cast_to=types_.Thing,") == 2  # create, sync and async
    write_tree(tmp_path, {**files, resource: files[resource].replace(
        "cast_to=types_.Thing,", "cast_to=types_.ThingList,", 1
    )})  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and 'Argument "cast_to"' in errors[0], result.stdout
    assert errors[0].startswith(resource.replace("/", os.sep)), errors[0]
