"""A release commits all of its files or none: killed or failing at any step, the next
`release` finishes what the killed one made (or finds it undone), and a release that fails
leaves every file as it was. The mini spec of tests/units/bad_inputs/_base is the upstream."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.mini import BASE, RULES

from generator import releasing
from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATE = "2026-12-01"


def released(project: Path) -> list[str]:
    """The release command for the project in `project`."""
    return [
        "release",
        "--upstream", str(project / "upstream.yaml"), "--rules", str(project / "rules.yaml"),
        "--spec", str(project / "spec.yaml"), "--config", str(project / "sdk.yaml"),
        "--out", str(project / "out"), "--date", DATE,
    ]  # fmt: skip


def files(project: Path) -> dict[str, bytes]:
    """Every file of the project but the lock, by path."""
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project at 0.1.0, generated, with a release note; its upstream has a new enum value."""
    project = tmp_path_factory.mktemp("before")
    (project / "rules.yaml").write_text(RULES)
    shutil.copy(BASE / "spec.yaml", project / "upstream.yaml")
    shutil.copy(BASE / "sdk.yaml", project / "sdk.yaml")
    assert (
        main(
            [
                "curate",
                "--upstream",
                str(project / "upstream.yaml"),
                "--rules",
                str(project / "rules.yaml"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "generate",
                "--spec",
                str(project / "spec.yaml"),
                "--config",
                str(project / "sdk.yaml"),
                "--out",
                str(project / "out"),
            ]
        )
        == 0
    )
    (project / "unreleased.md").write_text(releasing.NOTES_HEADER + "- Retries wait less.\n")
    upstream = project / "upstream.yaml"
    upstream.write_text(
        upstream.read_text().replace("enum: [small, big]", "enum: [small, big, huge]")
    )
    return project


@pytest.fixture(scope="module")
def after(before: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of the project once an uninterrupted release has run."""
    project = tmp_path_factory.mktemp("after") / "project"
    shutil.copytree(before, project)
    assert main(released(project)) == 0
    return files(project)


def copy_of(before: Path, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(before, project)
    return project


class Killed(BaseException):
    """Stands for a kill: no `except Exception` of the code under test catches it."""


def test_an_uninterrupted_release_bumps_regenerates_logs_and_leaves_no_journal(
    before: Path, after: dict[str, bytes]
) -> None:
    assert b"version: 0.2.0" in after["sdk.yaml"]
    assert b"huge" in after["spec.yaml"]
    assert b'__version__ = "0.2.0"' in after["out/mini/_version.py"]
    assert after["out/CHANGELOG.md"].count(b"## 0.2.0 (2026-12-01)") == 1
    assert b"- Retries wait less." in after["out/CHANGELOG.md"]
    assert after["unreleased.md"] == releasing.NOTES_HEADER.encode()
    assert releasing.JOURNAL not in after
    assert set(after) - {releasing.JOURNAL} >= set(files(before))


STEPS = 7  # the journal, the tree, then the spec, sdk.yaml, the changelog, the notes, the surface


@pytest.mark.parametrize("step", range(1, STEPS + 2))
def test_a_release_killed_at_any_step_is_finished_by_the_next(
    step: int,
    before: Path,
    after: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Killed before its step `step` (STEPS + 1: after the last, before the journal goes),
    a release has changed nothing or made its journal; `generate` then says a release is
    pending, and the next `release` ends with exactly the files of an uninterrupted one:
    one changelog entry, the note taken, version 0.2.0, not 0.3.0."""
    project = copy_of(before, tmp_path)
    calls = 0

    def counted(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == step:
                raise Killed
            outcome = real(*args, **kwargs)
            if calls == STEPS and step == STEPS + 1:
                raise Killed
            return outcome

        return wrapper

    monkeypatch.setattr(releasing, "_replace", counted(releasing._replace))
    monkeypatch.setattr(releasing, "write_tree", counted(releasing.write_tree))
    with pytest.raises(Killed):
        main(released(project))
    assert calls == min(step, STEPS)
    monkeypatch.undo()
    state = files(project)
    if step == 1:
        assert state == files(before)
    else:
        assert releasing.JOURNAL in state
        # generating meanwhile, into the real output, from the files as they are, loses nothing
        assert (
            main(
                [
                    "generate",
                    "--spec",
                    str(project / "spec.yaml"),
                    "--config",
                    str(project / "sdk.yaml"),
                    "--out",
                    str(project / "out"),
                ]
            )
            == 0
        )
        assert "release 0.2.0 was made but not finished" in capsys.readouterr().err
    assert main(released(project)) == 0
    out = capsys.readouterr().out
    assert ("finished the interrupted release 0.2.0" in out) == (step > 1)
    assert files(project) == after


def test_a_release_killed_with_sigkill_is_finished_by_the_next(
    before: Path, after: dict[str, bytes], tmp_path: Path
) -> None:
    """A real kill -9, once the release is made (its journal written) and before the tree."""
    project = copy_of(before, tmp_path)
    code = (
        "import os, signal, sys\n"
        "from generator import releasing\n"
        "releasing.write_tree = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from generator.cli import main\n"
        f"sys.exit(main({released(project)!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert releasing.JOURNAL in files(project)
    assert main(released(project)) == 0
    assert files(project) == after


def test_a_release_that_fails_to_generate_leaves_every_file_as_it_was(
    before: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The new upstream curates and diffs but cannot be generated (its new sub-resource is a
    file sdk.yaml declares hand-written): exit 2 with the located error, and no file
    changed, modification times included."""
    project = copy_of(before, tmp_path)
    config = project / "sdk.yaml"
    config.write_text(config.read_text() + "hand_written: [mini/resources/things/parts.py]\n")
    upstream = project / "upstream.yaml"
    parts = (
        "  /things/{thing_id}/parts:\n"
        "    get:\n"
        "      operationId: list_parts\n"
        "      parameters:\n"
        "        - {name: thing_id, in: path, required: true, schema: {type: string}}\n"
        "      responses:\n"
        "        '200': {description: ok}\n"
        "    post:\n"
        "      operationId: add_part\n"
        "      parameters:\n"
        "        - {name: thing_id, in: path, required: true, schema: {type: string}}\n"
        "      responses:\n"
        "        '200': {description: ok}\n"
    )
    upstream.write_text(upstream.read_text().replace("components:\n", parts + "components:\n", 1))
    stamps = {
        p: p.stat().st_mtime_ns
        for p in project.rglob("*")
        if p.is_file() and not p.name.endswith(".lock")
    }
    state = files(project)
    assert main(released(project)) == 2
    stderr = capsys.readouterr().err
    assert (
        f"{config}:" in stderr
        and "which is declared hand-written" in stderr
        and "Traceback" not in stderr
    ), stderr
    assert files(project) == state
    assert {
        p: p.stat().st_mtime_ns
        for p in project.rglob("*")
        if p.is_file() and not p.name.endswith(".lock")
    } == stamps


def test_a_file_edited_after_the_release_was_made_is_not_overwritten(
    before: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Killed after its journal, then a note is added to unreleased.md: the next release
    stops with a located error and keeps the note, rather than finishing over it."""
    project = copy_of(before, tmp_path)

    def killed(*args: Any, **kwargs: Any) -> None:
        raise Killed

    monkeypatch.setattr(releasing, "write_tree", killed)
    with pytest.raises(Killed):
        main(released(project))
    monkeypatch.undo()
    notes = project / "unreleased.md"
    notes.write_text(notes.read_text() + "- Written after the crash.\n")
    edited = files(project)
    assert main(released(project)) == 2
    stderr = capsys.readouterr().err
    assert f"{notes}: error: changed since release 0.2.0 was made" in stderr, stderr
    assert files(project) == edited


def test_release_notes_set_the_level_and_are_emptied(before: Path, tmp_path: Path) -> None:
    """Changes the API diff cannot see are list items in unreleased.md beside the spec: an
    unchanged upstream with notes is a release whose entry lists them as fixes, or as
    features where a note starts with [feature] (which makes it a minor release)."""
    project = copy_of(before, tmp_path)
    shutil.copy(
        BASE / "spec.yaml", project / "upstream.yaml"
    )  # the upstream of spec.yaml: no API change
    config = project / "sdk.yaml"
    config.write_text(config.read_text().replace("version: 0.1.0", "version: 1.4.0"))
    notes = project / "unreleased.md"
    notes.write_text(
        releasing.NOTES_HEADER
        + "- Retries wait less.\n- Files upload as\n  multipart parts.\n"
        + "- [fix] Says its level.\n- [feature] Streams.\n"
    )
    assert main(released(project)) == 0
    assert "version: 1.5.0" in config.read_text()  # a feature among the notes: a minor release
    changelog = (project / "out" / "CHANGELOG.md").read_text()
    assert f"## 1.5.0 ({DATE})" in changelog
    assert (
        "### Features\n\n- Streams.\n\n"
        "### Fixes\n\n- Files upload as multipart parts.\n- Retries wait less.\n- Says its level.\n"
        in changelog
    )
    assert notes.read_text() == releasing.NOTES_HEADER
