"""A wrong `skills:` section of the SDK config is an error at the line that is wrong, with
exit code 2, and nothing is written; a right one is checked against the SDK's methods."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.cli import run

FIXTURE = Path(__file__).resolve().parents[1] / "golden" / "skills"

# (what is changed in the fixture's sdk.yaml, the message, the line of the config it names)
CASES = {
    "unknown method": (
        ("      things.create:", "      things.remove:"),
        "error: 'things.remove' is not a method of the SDK"
        " (/skills/fx-things-python/core/things.remove)",
        19,
    ),
    "unknown argument": (
        ("example: {name: Lamp}", "example: {name: Lamp, colour: red}"),
        "error: things.create has no argument 'colour'"
        " (/skills/fx-things-python/core/things.create/example/colour)",
        22,
    ),
    "name not allowed": (
        ("  fx-things-python:", "  Fx_Things:"),
        "error: skill name 'Fx_Things' must be lowercase letters, digits and single hyphens"
        " (at most 64 characters)"
        " (/skills/Fx_Things)",
        13,
    ),
    "description too long": (
        ("description: Make and read", "description: " + "x" * 1100 + " Make and read"),
        "error: the description of skill 'fx-things-python' has 1198 characters;"
        " agents read at most 1024"
        " (/skills/fx-things-python/description)",
        15,
    ),
    "unknown key": (
        ("    notes:", "    note:"),
        "error: unknown key 'note' of skill 'fx-things-python' (/skills/fx-things-python/note)",
        17,
    ),
    "method outside the skill": (
        ("methods: [things]", "methods: [things.parts]"),
        "error: 'things.create' is not below the skill's `methods`"
        " (/skills/fx-things-python/core/things.create)",
        19,
    ),
    "no title": (
        ("        title: Make a thing\n", ""),
        "error: `title` must be a non-empty string"
        " (/skills/fx-things-python/core/things.create/title)",
        19,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_skill_is_reported_where_it_is_and_nothing_is_written(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (old, new), message, line = CASES[case]
    shutil.copy(FIXTURE / "spec.yaml", tmp_path / "spec.yaml")
    config = (FIXTURE / "sdk.yaml").read_text()
    assert old in config
    (tmp_path / "sdk.yaml").write_text(config.replace(old, new, 1))
    out = tmp_path / "out"
    code, _, err = run(
        capsys,
        "generate",
        "--spec",
        tmp_path / "spec.yaml",
        "--config",
        tmp_path / "sdk.yaml",
        "--out",
        out,
    )
    assert code == 2
    location, _, said = err.strip().splitlines()[0].partition(": ")
    assert said == message
    assert location.rsplit(":", 2)[-2] == str(line), location
    assert not out.exists()
