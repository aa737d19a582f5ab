"""The corpus of broken inputs in tests/units/bad_inputs/: each ends with exit code 2, exactly
the messages in its `expected.txt` (one line per problem, `file:line:col: ...`), no
traceback, and the output directory byte-for-byte unchanged, modes and mtimes included.

A case is a directory with `spec.yaml` and `sdk.yaml` (either may be missing on
purpose), optionally `args` (extra command-line arguments; `{case}` is the case
directory) and `expected.txt` (`{case}` and `{out}` stand for the paths).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.params import parameter_sets

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
BASE = CORPUS / "_base"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("good") / "out"
    assert (
        main(
            [
                "generate",
                "--spec",
                str(BASE / "spec.yaml"),
                "--config",
                str(BASE / "sdk.yaml"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


def snapshot(directory: Path) -> dict[str, tuple[bytes, int, int]]:
    if directory.is_file():
        stat = directory.stat()
        return {"": (directory.read_bytes(), stat.st_mode, stat.st_mtime_ns)}
    found = {}
    for path in sorted(directory.rglob("*")):
        stat = path.lstat()
        found[path.relative_to(directory).as_posix()] = (
            path.read_bytes() if path.is_file() else b"",
            stat.st_mode,
            stat.st_mtime_ns,
        )
    return found


def command(case: Path, out: Path) -> list[str]:
    args = [
        "generate",
        "--spec",
        str(case / "spec.yaml"),
        "--config",
        str(case / "sdk.yaml"),
        "--out",
        str(out),
    ]
    extra = case / "args"
    if extra.exists():
        args += extra.read_text().replace("{case}", str(case)).split()
    return args


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_bad_input(
    name: str, good_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CORPUS / name
    out = tmp_path / "out"
    shutil.copytree(good_output, out, copy_function=shutil.copy2)
    args = command(case, out)
    target = Path(args[len(args) - args[::-1].index("--out")])  # the last --out wins
    before = snapshot(target)
    code = main(args)
    stderr = capsys.readouterr().err
    actual = stderr.replace(str(case), "{case}").replace(str(target), "{out}")
    expected_file = case / "expected.txt"
    if os.environ.get("BAD_INPUTS_UPDATE"):
        expected_file.write_text(actual)
    assert code == 2
    assert "Traceback" not in stderr
    assert actual == expected_file.read_text()
    assert snapshot(target) == before


def test_every_case_of_the_corpus_is_run() -> None:
    """Every entry of the corpus is `_base` or a case, `NN-what-it-breaks`, numbered one
    after the other, with its `expected.txt`; and the parameter list of test_bad_input has
    each case once, none skipped or expected to fail. Read from the directory and the
    parameter list, so it holds whichever tests run before it, in whichever worker."""
    entries = sorted(path.name for path in CORPUS.iterdir())
    cases = [name for name in entries if name != "_base"]
    assert len(cases) == len(entries) - 1, "the corpus has no _base"
    for name in cases:
        assert re.fullmatch(r"[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*", name), f"{name}: not a case name"
        assert (CORPUS / name / "expected.txt").is_file(), f"{name}: no expected.txt"
    assert [int(name[:2]) for name in cases] == list(range(1, len(cases) + 1))
    params = parameter_sets(test_bad_input)
    assert [p["name"] for p in params] == cases
    assert [p["name"] for p in params if p.marks] == []


def test_warnings_come_after_errors_and_strict_makes_them_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    degraded = (
        (BASE / "spec.yaml")
        .read_text()
        .replace("name: {type: string}", "name: {type: string, format: nickname}")
    )
    spec.write_text(degraded)
    config = str(BASE / "sdk.yaml")
    assert (
        main(["generate", "--spec", str(spec), "--config", config, "--out", str(tmp_path / "a")])
        == 0
    )
    warning = (
        f"{spec}:62:30: warning: unknown format 'nickname' is ignored; the value is typed by "
        "its `type` only (/components/schemas/Thing/properties/name/format)"
    )
    assert capsys.readouterr().err.splitlines() == [warning]

    assert (
        main(
            [
                "generate",
                "--strict",
                "--spec",
                str(spec),
                "--config",
                config,
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 2
    )
    promoted = warning.replace(": warning: ", ": error: ").replace(
        "only (", "only (a warning, an error under --strict) ("
    )
    assert capsys.readouterr().err.splitlines() == [promoted]
    assert not (tmp_path / "b").exists()

    spec.write_text(degraded.replace("operationId: get_thing", "operationId: list_things"))
    assert (
        main(["generate", "--spec", str(spec), "--config", config, "--out", str(tmp_path / "c")])
        == 2
    )
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["error", "warning"]


def test_sigkill_mid_write_leaves_the_previous_output(tmp_path: Path, good_output: Path) -> None:
    """Kill a real generation while it writes; the output is the old tree or the new one."""
    out = tmp_path / "out"
    shutil.copytree(good_output, out, copy_function=shutil.copy2)
    before = snapshot(out)
    config = tmp_path / "sdk.yaml"
    config.write_text((BASE / "sdk.yaml").read_text().replace("version: 0.1.0", "version: 0.2.0"))
    code = (
        "import sys, time, generator.writing as w\n"
        "real = w.shutil.copytree\n"
        "def slow(*a, **k):\n"
        "    print('writing', flush=True); time.sleep(30)\n"
        "    return real(*a, **k)\n"
        "w.shutil.copytree = slow\n"
        "from generator.cli import main\n"
        f"sys.exit(main(['generate', '--spec', {str(BASE / 'spec.yaml')!r},\n"
        f"    '--config', {str(config)!r}, '--out', {str(out)!r}]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "writing"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    process.stdout.close()
    assert snapshot(out) == before
    # The next run finishes the job and cleans up after the killed one.
    assert (
        main(
            [
                "generate",
                "--spec",
                str(BASE / "spec.yaml"),
                "--config",
                str(config),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert '__version__ = "0.2.0"' in (out / "mini" / "_version.py").read_text()
    assert not list(tmp_path.glob(".out.staging-*"))


def test_a_second_concurrent_generation_is_refused(tmp_path: Path, good_output: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(good_output, out, copy_function=shutil.copy2)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from generator.writing import locked\n"
        f"with locked(Path({str(out)!r})):\n"
        "    print('locked', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "generate",
                "--spec",
                str(BASE / "spec.yaml"),
                "--config",
                str(BASE / "sdk.yaml"),
                "--out",
                str(out),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert time.monotonic() - started < 20
        assert result.returncode == 2
        assert "another generation is writing to this directory" in result.stderr
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
