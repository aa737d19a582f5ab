"""The mini project of the release tests: the spec of tests/units/bad_inputs/_base as the
upstream, and the curation rules that keep its one area."""

from __future__ import annotations

from pathlib import Path

BASE = Path(__file__).resolve().parents[1] / "units" / "bad_inputs" / "_base"
RULES = """specs:
  - name: mini
    title: Mini API
    output: spec.yaml
    areas:
      - name: things
        path_prefixes: [/things]
"""
