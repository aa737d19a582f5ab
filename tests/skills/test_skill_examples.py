"""Every Python example of every generated agent skill runs, unmodified, against Prism
started from the curated spec, and passes `mypy --strict`: an example an agent copies
works and type-checks as it stands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKILLS = ROOT / "generated" / "skills"
DOCUMENTS = sorted(SKILLS.glob("*/SKILL.md")) + sorted(SKILLS.glob("*/references/*.md"))
SETUP_HEADING = "## Setup"


def blocks(document: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", document.read_text(), re.DOTALL)


def setup_of(document: Path) -> str:
    """The skill's own setup block: every other example assumes it has run."""
    skill = document.parent if document.name == "SKILL.md" else document.parent.parent
    text = (skill / "SKILL.md").read_text()
    return re.findall(r"```python\n(.*?)```", text[text.index(SETUP_HEADING) :], re.DOTALL)[0]


EXAMPLES = [
    (document, i, code) for document in DOCUMENTS for i, code in enumerate(blocks(document))
]
IDS = [f"{d.relative_to(SKILLS)}:block{i}" for d, i, _ in EXAMPLES]


def test_there_are_skills_with_examples() -> None:
    assert DOCUMENTS, "no skill was generated into generated/skills"
    assert len(EXAMPLES) >= 5


def program(document: Path, code: str) -> str:
    setup = setup_of(document)
    return code if code == setup else setup + "\n" + code


@pytest.mark.parametrize(("document", "index", "code"), EXAMPLES, ids=IDS)
def test_example_runs_against_prism(
    prism_static: str, document: Path, index: int, code: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELNYX_API_KEY": "skill-key",
        "TELNYX_BASE_URL": prism_static,
        "PYTHONPATH": str(ROOT / "generated"),
    }
    done = subprocess.run(
        [sys.executable, "-c", program(document, code)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{document.name} block {index}:\n{code}\n{done.stderr}"


def test_every_example_passes_mypy_strict(tmp_path: Path) -> None:
    for n, (document, _, code) in enumerate(EXAMPLES):
        (tmp_path / f"example_{n}.py").write_text(program(document, code))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            *sorted(str(p) for p in tmp_path.glob("example_*.py")),
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT / "generated")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
