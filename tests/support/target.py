"""The generated package the spec-driven and contract tests exercise, chosen by environment
variables so that one test runs over either build:

- ``TELNYX_CODEGEN_SURFACE``: ``ai`` (the default: spec/ai-assistants.openapi.yaml,
  spec/sdk.yaml, ``telnyx_ai`` from generated/) or ``all`` (the whole spec of
  `make generate-all`: build/all/telnyx.openapi.yaml, spec/sdk-all.yaml, ``telnyx_all``
  from build/all/sdk);
- ``TELNYX_CODEGEN_SPEC``, ``TELNYX_CODEGEN_CONFIG``, ``TELNYX_CODEGEN_PACKAGE`` and
  ``TELNYX_CODEGEN_PROJECT`` (the directory holding the package) override one part of it.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    spec: Path  # the curated spec: the oracle
    config: Path  # the sdk config that names its operations
    package: str  # the import name of the generated package
    project: Path  # the directory the package is imported from


SURFACES = {
    "ai": Target(
        ROOT / "spec" / "ai-assistants.openapi.yaml",
        ROOT / "spec" / "sdk.yaml",
        "telnyx_ai",
        ROOT / "generated",
    ),
    "all": Target(
        ROOT / "build" / "all" / "telnyx.openapi.yaml",
        ROOT / "spec" / "sdk-all.yaml",
        "telnyx_all",
        ROOT / "build" / "all" / "sdk",
    ),
}


SURFACE = os.environ.get("TELNYX_CODEGEN_SURFACE", "ai")


def _target() -> Target:
    if SURFACE not in SURFACES:
        raise SystemExit(f"TELNYX_CODEGEN_SURFACE={SURFACE!r}: expected one of {sorted(SURFACES)}")
    base = SURFACES[SURFACE]
    env = os.environ.get
    return Target(
        Path(env("TELNYX_CODEGEN_SPEC") or base.spec),
        Path(env("TELNYX_CODEGEN_CONFIG") or base.config),
        env("TELNYX_CODEGEN_PACKAGE") or base.package,
        Path(env("TELNYX_CODEGEN_PROJECT") or base.project),
    )


TARGET = _target()


def module(name: str = "") -> ModuleType:
    """The target package (``module()``) or one of its modules (``module("pagination")``),
    imported from the target's project directory."""
    if str(TARGET.project) not in sys.path:
        sys.path.insert(0, str(TARGET.project))
    return importlib.import_module(TARGET.package + (f".{name}" if name else ""))
