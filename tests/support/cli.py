"""The generator's command line run in-process, as the tests call it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of `telnyx-codegen ARGS`."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
