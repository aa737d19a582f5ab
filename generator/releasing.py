"""Release: upstream spec -> curated spec -> API diff -> version bump -> regenerated
package with a changelog entry. The diff starts from the surface the last release shipped
(`spec/released-surface.json`, which each release writes; see surface_manifest), so that a
change the generator made to the surface is in the entry like a change of the spec. Changes
the API diff cannot see (a runtime fix, say) are written as list items in a notes file
(`spec/unreleased.md`); a release takes them into its entry as fixes and empties the file.
With an unchanged upstream and surface and no notes nothing is touched. A release writes all
of its files or none (see the journal below)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .curation import curate
from .diffing import Report, affected_skills, compare, read_spec, skill_lines, surface
from .loading import parse_yaml
from .pipeline import Result, build, spec_label
from .problems import GenerationFailed, Problems
from .surface_manifest import FILE_NAME as SURFACE_FILE
from .surface_manifest import manifest_text, read_manifest
from .writing import WriteError, locked, write_tree

_VERSION_LINE = re.compile(r"^version: *['\"]?([0-9][^'\"\s]*)['\"]? *$", re.MULTILINE)
TITLES = {"breaking": "Breaking changes", "feature": "Features", "fix": "Fixes"}


@dataclass
class Release:
    report: Report
    old_version: str
    new_version: str
    bump: str


def changelog_entry(release: Release, date: str, digest: str) -> str:
    lines = [
        f"## {release.new_version} ({date})",
        "",
        f"Upstream spec sha256 `{digest[:12]}`; {release.bump} release.",
        "",
    ]
    for level in ("breaking", "feature", "fix"):
        changes = sorted(release.report.by_level(level), key=lambda c: (c.kind, c.subject))
        if changes:
            lines.append(f"### {TITLES[level]}")
            lines.append("")
            lines.extend(f"- {c}" for c in changes)
            lines.append("")
    skills = skill_lines(release.report, "- ")
    if skills:
        lines.extend([f"### {skills[0].removesuffix(':')}", "", *skills[1:], ""])
    return "\n".join(lines) + "\n"


def set_version(config_text: str, version: str, file: str) -> str:
    """Change only the `version:` line, so comments and layout of sdk.yaml stay."""
    if len(_VERSION_LINE.findall(config_text)) != 1:
        problems = Problems()
        problems.error("expected exactly one top-level `version:` line", file)
        raise GenerationFailed(problems)
    return _VERSION_LINE.sub(f"version: {version}", config_text, count=1)


def drop_stale_methods(
    config_text: str, config_data: dict[str, Any], spec: dict[str, Any]
) -> tuple[str, list[str]]:
    """Remove the `methods` lines whose operation the new spec no longer has."""
    paths = spec.get("paths", {})
    dropped = []
    for dotted, target in (config_data.get("methods") or {}).items():
        method, _, path = str(target).partition(" ")
        if method.lower() not in (paths.get(path) or {}):
            line = re.compile(
                rf"^[ \t]+{re.escape(str(dotted))}:"
                rf"[ \t]*['\"]?{re.escape(str(target))}['\"]?[ \t]*\n",
                re.MULTILINE,
            )
            config_text, count = line.subn("", config_text)
            if count:
                dropped.append(str(dotted))
    return config_text, dropped


NOTES_HEADER = (
    "<!-- Changes for the next release that the API diff cannot see, one `- ` item each, a fix "
    "unless it starts with [feature] or [breaking]; `make release` takes them into the "
    "changelog and empties this file. -->\n"
)
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


# -- committing a release ------------------------------------------------------------------
# A release changes four files outside generated/ (the curated spec, sdk.yaml, the notes, the
# changelog) besides the tree. Everything is computed and generated first, from candidate
# copies; then the new texts are written to a journal beside sdk.yaml, in one rename: that is
# the moment the release is made. The files follow, each replaced in one rename, and the
# journal goes last. A run killed before the journal changed nothing; one killed after it is
# finished by the next `release` (or found undone, never skipped).
JOURNAL = ".release-pending.json"


def journal_of(config: Path) -> Path:
    return config.parent / JOURNAL


def _replace(path: Path, text: str) -> None:
    """Write `path` in one rename of a flushed sibling: it holds the old text or the new."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(scratch, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(scratch, path)
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        raise WriteError(path, f"cannot be written: {exc.strerror or exc}") from None


def _digest(path: Path) -> str | None:
    """The SHA-256 of a file's bytes; None for a file that is not there."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _remove_scratch(paths: list[Path]) -> None:
    """The flushed siblings a killed run left."""
    for path in paths:
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            stale.unlink(missing_ok=True)


def pending_release(config: Path) -> str | None:
    """The version of a release that was made but not finished (its journal is there)."""
    try:
        return str(json.loads(journal_of(config).read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def finish_interrupted(config: Path, problems: Problems) -> str | None:
    """Finish the release an interrupted run made, if there is one; its version."""
    journal = journal_of(config)
    _remove_scratch([journal])
    if not journal.exists():
        return None
    base = journal.parent
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        files = {base / name: text for name, text in entry["files"].items()}
        before = {base / name: digest for name, digest in entry["before"].items()}
        spec, out, version = base / entry["spec"], base / entry["out"], str(entry["version"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.error(
            f"the journal of an interrupted release cannot be read ({exc}); restore the files "
            "with git and delete it",
            str(journal),
        )
        raise GenerationFailed(problems) from None
    _remove_scratch(list(files))
    for path, text in files.items():
        if _digest(path) not in (before.get(path), _text_digest(text)):
            # edited since the release was made: finishing it would overwrite the edit
            problems.error(
                f"changed since release {version} was made (its journal is {journal.name}); "
                "move the change aside and run the release again to finish it, or delete the "
                "journal to drop that release",
                str(path),
            )
    if problems.errors:
        raise GenerationFailed(problems)
    for path, text in files.items():
        _replace(path, text)
    result = build(spec, config, problems)  # from the files just written: the tree the release made
    write_tree(out, result.files, result.api.config.hand_written)
    _remove_journal(journal)
    return version


def _remove_journal(journal: Path) -> None:
    try:
        journal.unlink()
    except OSError as exc:
        raise WriteError(
            journal,
            "the release is finished, but its journal cannot be removed: "
            f"{exc.strerror}; delete it",
        ) from None


def _relative(path: Path, base: Path) -> str:
    return os.path.relpath(path.resolve(), base.resolve())


def _generate_candidate(
    spec_text: str, config_text: str, spec: Path, config: Path, problems: Problems
) -> Result:
    """The package the release would make, generated from copies of its new spec and
    config; problems name the real files."""
    with tempfile.TemporaryDirectory() as scratch:
        candidate_spec, candidate_config = Path(scratch) / spec.name, Path(scratch) / config.name
        candidate_spec.write_text(spec_text, encoding="utf-8")
        candidate_config.write_text(config_text, encoding="utf-8")
        names = {str(candidate_spec): str(spec), str(candidate_config): str(config)}
        try:
            return build(candidate_spec, candidate_config, problems, label=spec_label(spec))
        except GenerationFailed as failed:
            failed.problems.items = [
                replace(p, file=names.get(p.file, p.file)) for p in failed.problems.items
            ]
            raise


def release(
    upstream: str | None,
    rules: Path,
    spec: Path,
    config: Path,
    out: Path,
    date: str,
    problems: Problems,
    notes: Path | None = None,
    released: Path | None = None,
) -> Release | None:
    """Run a release; None when curation failed (see problems). `released`: the surface of
    the last release, which this one compares with and rewrites (default: beside the spec).
    A release an earlier run made but did not finish is finished first. One release at a
    time: a second one waits for nothing and stops with a message."""
    with locked(
        config, "another release of this project is under way; try again when it has finished"
    ):
        paths = (notes, released or spec.parent / SURFACE_FILE)
        return _release(upstream, rules, spec, config, out, date, problems, paths)


def _release(
    upstream: str | None,
    rules: Path,
    spec: Path,
    config: Path,
    out: Path,
    date: str,
    problems: Problems,
    paths: tuple[Path | None, Path],
) -> Release | None:
    notes, released = paths
    finished = finish_interrupted(config, problems)
    if finished is not None:
        print(f"finished the interrupted release {finished}")
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / spec.name
        document = curate(upstream, rules, candidate, problems)
        if document is None:
            return None
        new_text = candidate.read_text(encoding="utf-8")
    old_text = spec.read_text(encoding="utf-8")
    config_text = config.read_text(encoding="utf-8")
    config_data = parse_yaml(config_text)
    version = str(config_data["version"])
    old_name, old_spec = read_spec(str(spec), spec.parent, problems)
    new_spec = document  # what was just curated, as plain data
    sides = (
        surface(old_name, old_spec, config_data, str(config)),
        surface("curated upstream", new_spec, config_data, str(config)),
    )
    report = compare(*sides, read_manifest(released, version, problems))
    report.skills = affected_skills(report, *sides, config_data, str(config))
    if new_text != old_text and not report.changes:
        report.add("fix", "spec-text", "spec", "descriptions or examples changed")
    for level, note in read_notes(notes):
        report.add(level, "note", note)
    bump, new_version = report.bump(version)
    outcome = Release(report, version, new_version, bump)
    if not report.changes:
        return outcome  # nothing changed: nothing is written
    config_text, _ = drop_stale_methods(config_text, config_data, new_spec)
    config_text = set_version(config_text, new_version, str(config))
    changelog = out / "CHANGELOG.md"
    previous = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    head, _, rest = previous.partition("\n\n")
    digest = str(document["info"].get("x-curated-from", {}).get("upstream-sha256", ""))
    files = {
        spec: new_text,
        config: config_text,
        changelog: f"{head}\n\n{changelog_entry(outcome, date, digest)}{rest}",
    }
    if notes is not None and notes.exists():
        files[notes] = NOTES_HEADER
    result = _generate_candidate(new_text, config_text, spec, config, problems)
    files[released] = manifest_text(result.api, new_version)  # what the next release diffs from
    _commit(new_version, spec, config, out, files, result)
    return outcome


def _commit(
    new_version: str, spec: Path, config: Path, out: Path, files: dict[Path, str], result: Result
) -> None:
    """Make the release (its journal, in one rename), then write its files and tree."""
    if not out.parent.is_dir():
        raise WriteError(out.parent, "parent of the output directory does not exist")
    base = journal_of(config).parent
    entry = {
        "version": new_version,
        "spec": _relative(spec, base),
        "out": _relative(out, base),
        "files": {_relative(path, base): text for path, text in files.items()},
        "before": {_relative(path, base): _digest(path) for path in files},
    }
    _replace(journal_of(config), json.dumps(entry, indent=1) + "\n")  # the release is made
    try:
        write_tree(out, result.files, result.api.config.hand_written)
        for path, text in files.items():
            _replace(path, text)
    except WriteError as exc:
        raise WriteError(
            journal_of(config),
            f"release {new_version} is made but not finished ({exc}); run the release again to "
            "finish it",
        ) from None
    _remove_journal(journal_of(config))
