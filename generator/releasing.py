"""Release: upstream spec -> curated spec -> API diff -> version bump -> regenerated
package with a changelog entry. Changes the API diff cannot see (a runtime fix in the
templates, say) are written as list items in a notes file (`spec/unreleased.md`); a release
takes them into its entry as fixes and empties the file. With an unchanged upstream and no
notes nothing is touched."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .curation import curate
from .diffing import Report, compare, read_spec, surface
from .loading import FastLoader
from .pipeline import build
from .problems import GenerationFailed, Problems
from .writing import write_tree

_VERSION_LINE = re.compile(r"^version: *['\"]?([0-9][^'\"\s]*)['\"]? *$", re.MULTILINE)
TITLES = {"breaking": "Breaking changes", "feature": "Features", "fix": "Fixes"}


@dataclass
class Release:
    report: Report
    old_version: str
    new_version: str
    bump: str


def changelog_entry(release: Release, date: str, digest: str) -> str:
    lines = [f"## {release.new_version} ({date})", "", f"Upstream spec sha256 `{digest[:12]}`; {release.bump} release.", ""]
    for level in ("breaking", "feature", "fix"):
        changes = sorted(release.report.by_level(level), key=lambda c: (c.kind, c.subject))
        if changes:
            lines.append(f"### {TITLES[level]}")
            lines.append("")
            lines.extend(f"- {c}" for c in changes)
            lines.append("")
    return "\n".join(lines) + "\n"


def set_version(config_text: str, version: str, file: str) -> str:
    """Change only the `version:` line, so comments and layout of sdk.yaml stay."""
    if len(_VERSION_LINE.findall(config_text)) != 1:
        problems = Problems()
        problems.error("expected exactly one top-level `version:` line", file)
        raise GenerationFailed(problems)
    return _VERSION_LINE.sub(f"version: {version}", config_text, count=1)


def drop_stale_methods(config_text: str, config_data: dict[str, Any], spec: dict[str, Any]) -> tuple[str, list[str]]:
    """Remove the `methods` lines whose operation the new spec no longer has."""
    paths = spec.get("paths", {})
    dropped = []
    for dotted, target in (config_data.get("methods") or {}).items():
        method, _, path = str(target).partition(" ")
        if method.lower() not in (paths.get(path) or {}):
            line = re.compile(rf"^[ \t]+{re.escape(str(dotted))}:[ \t]*['\"]?{re.escape(str(target))}['\"]?[ \t]*\n", re.MULTILINE)
            config_text, count = line.subn("", config_text)
            if count:
                dropped.append(str(dotted))
    return config_text, dropped


NOTES_HEADER = "<!-- Changes for the next release that the API diff cannot see, one `- ` item each, a fix unless it starts with [feature] or [breaking]; `make release` takes them into the changelog and empties this file. -->\n"
_LEVEL = re.compile(r"^\[(fix|feature|breaking)\]\s*")


def read_notes(path: Path | None) -> list[tuple[str, str]]:
    """The `- ` items of the notes file (an item may go on over indented lines), each with
    its level: `fix`, or `feature` / `breaking` for an item that starts with `[feature]` /
    `[breaking]`."""
    if path is None or not path.exists():
        return []
    items: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.startswith("  ") and items and line.strip():
            items[-1] += " " + line.strip()
    levelled = []
    for item in items:
        found = _LEVEL.match(item)
        levelled.append((found.group(1), item[found.end() :]) if found else ("fix", item))
    return levelled


def release(upstream: str | None, rules: Path, spec: Path, config: Path, out: Path, date: str, problems: Problems, notes: Path | None = None) -> Release | None:
    """Run a release; None when curation failed (see problems)."""
    import yaml

    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / spec.name
        document = curate(upstream, rules, candidate, problems)
        if document is None:
            return None
        new_text = candidate.read_text(encoding="utf-8")
    old_text = spec.read_text(encoding="utf-8")
    config_text = config.read_text(encoding="utf-8")
    config_data = yaml.load(config_text, Loader=FastLoader)  # noqa: S506
    version = str(config_data["version"])
    old_name, old_spec = read_spec(str(spec), spec.parent, problems)
    new_spec = document  # what was just curated, as plain data
    report = compare(surface(old_name, old_spec, config_data, str(config)), surface("curated upstream", new_spec, config_data, str(config)))
    if new_text != old_text and not report.changes:
        report.add("fix", "spec-text", "spec", "descriptions or examples changed")
    for level, note in read_notes(notes):
        report.add(level, "note", note)
    bump, new_version = report.bump(version)
    outcome = Release(report, version, new_version, bump)
    if not report.changes:
        return outcome  # nothing changed: nothing is written
    spec.write_text(new_text, encoding="utf-8")
    config_text, _ = drop_stale_methods(config_text, config_data, new_spec)
    config.write_text(set_version(config_text, new_version, str(config)), encoding="utf-8")
    result = build(spec, config, problems)
    write_tree(out, result.files, result.api.config.hand_written)
    changelog = out / "CHANGELOG.md"
    previous = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    head, _, rest = previous.partition("\n\n")
    digest = str(document["info"].get("x-curated-from", {}).get("upstream-sha256", ""))
    changelog.write_text(f"{head}\n\n{changelog_entry(outcome, date, digest)}{rest}", encoding="utf-8")
    if notes is not None and notes.exists():
        notes.write_text(NOTES_HEADER, encoding="utf-8")
    return outcome
