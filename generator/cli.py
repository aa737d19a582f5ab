"""Command line: `telnyx-codegen curate | generate | check | diff | release | build | publish`
(also `python -m generator`).

Exit codes: 0 success; 1 `check` found `generated/` stale; 2 the inputs have errors,
printed one per line as `file:line:col: error: message (json-pointer)`.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .pipeline import DEFAULT_CONFIG, DEFAULT_OUT, DEFAULT_SPEC, Result, cached_build
from .problems import GenerationFailed, Problems
from .writing import Changes, WriteError, unified_diff, write_tree

UPSTREAM_HELP = "Telnyx's spec3.yml, a file or an http(s) URL (default: `upstream` of the rules)"
ALL_AREAS_OUT = Path("build/all")
DEFAULT_DIST = Path("build/dist")


def _report(problems: Problems) -> None:
    for problem in problems.errors + problems.warnings:
        print(problem.render(), file=sys.stderr)


def _add_generation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC,
        help="curated OpenAPI spec (default: %(default)s)",
    )
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="SDK config (default: %(default)s)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)"
    )
    parser.add_argument(
        "--templates",
        type=Path,
        default=None,
        help="custom templates, overriding ours file by file",
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


@contextmanager
def _few_collections() -> Iterator[None]:
    """A run builds millions of objects that live until it ends (the loaded spec, its
    nodes, the models); at Python's default thresholds the cycle collector walks them all
    again and again (a large share of a whole-spec run). Collect young objects rarely and the
    old ones almost never, for this call only; memory grows a little (`make bench-generate`)."""
    before = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def main(argv: list[str] | None = None) -> int:
    with _few_collections():
        return _main(argv)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="telnyx-codegen", description=__doc__.splitlines()[0] if __doc__ else None
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _add_curate(commands)
    generate_cmd = commands.add_parser("generate", help="generate the SDK package")
    _add_generation_options(generate_cmd)
    generate_cmd.add_argument(
        "--all-areas",
        action="store_true",
        help="curate the whole upstream spec (spec `all` of the rules) and generate it into "
        "build/all",
    )
    generate_cmd.add_argument("--upstream", default=None, help="with --all-areas: " + UPSTREAM_HELP)
    check_cmd = commands.add_parser("check", help="exit 1 with a diff if the output is stale")
    _add_generation_options(check_cmd)
    _add_diff_and_release(commands)
    _add_build_and_publish(commands)
    return parser


def _add_curate(commands: Any) -> None:
    curate_cmd = commands.add_parser(
        "curate", help="derive the curated spec from Telnyx's public spec"
    )
    curate_cmd.add_argument("--upstream", default=None, help=UPSTREAM_HELP)
    curate_cmd.add_argument("--rules", type=Path, default=Path("spec/curation.yaml"))
    curate_cmd.add_argument(
        "--out", type=Path, default=None, help="curated spec to write (default: from the rules)"
    )
    curate_cmd.add_argument(
        "--name", default=None, help="which spec of the rules (default: the first)"
    )


def _add_diff_and_release(commands: Any) -> None:
    diff_cmd = commands.add_parser(
        "diff", help="the SDK-level changes between two specs and the semver bump"
    )
    diff_cmd.add_argument(
        "old", help="a spec file, REV:path, or a git revision of the curated spec (HEAD~1)"
    )
    diff_cmd.add_argument("new", help="the same kinds as OLD")
    diff_cmd.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    diff_cmd.add_argument("--json", action="store_true", help="machine-readable output")
    release_cmd = commands.add_parser(
        "release", help="curate, diff, bump the version, regenerate, write the changelog"
    )
    release_cmd.add_argument("--upstream", default=None, help=UPSTREAM_HELP)
    release_cmd.add_argument("--rules", type=Path, default=Path("spec/curation.yaml"))
    release_cmd.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    release_cmd.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    release_cmd.add_argument("--out", type=Path, default=DEFAULT_OUT)
    release_cmd.add_argument("--date", default=None, help="the release date (default: today)")
    release_cmd.add_argument(
        "--notes",
        type=Path,
        default=None,
        help="changes the API diff cannot see, taken into the entry (default: unreleased.md "
        "beside --spec)",
    )
    release_cmd.add_argument(
        "--surface",
        type=Path,
        default=None,
        help="the surface the last release shipped, which the diff starts from and the release "
        "rewrites (default: released-surface.json beside --spec)",
    )


def _add_build_and_publish(commands: Any) -> None:
    build_cmd = commands.add_parser(
        "build", help="reproducible wheel and sdist of the generated project, checked by twine"
    )
    build_cmd.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="the generated project (default: %(default)s)"
    )
    build_cmd.add_argument(
        "--dist",
        type=Path,
        default=DEFAULT_DIST,
        help="where the archives go, emptied first (default: %(default)s)",
    )
    publish_cmd = commands.add_parser(
        "publish", help="upload the built release to the index named by TELNYX_CODEGEN_INDEX_URL"
    )
    publish_cmd.add_argument(
        "--dist", type=Path, default=DEFAULT_DIST, help="the built archives (default: %(default)s)"
    )
    publish_cmd.add_argument(
        "--changelog",
        type=Path,
        default=DEFAULT_OUT / "CHANGELOG.md",
        help="must describe the version (default: %(default)s)",
    )


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    problems = Problems()
    started = time.perf_counter()
    if args.command == "curate":
        return _curate(args, problems)
    if args.command in ("build", "publish"):
        return _build_or_publish(args)
    if args.command in ("diff", "release"):
        return _diff_or_release(args, problems)
    if args.command == "generate" and args.all_areas:
        from .curation import curate

        spec = ALL_AREAS_OUT / "telnyx.openapi.yaml"
        if curate(args.upstream, Path("spec/curation.yaml"), spec, problems, "all") is None:
            _report(problems)
            return 2
        problems = Problems()
        args.spec = spec
        args.config = args.config if args.config != DEFAULT_CONFIG else Path("spec/sdk-all.yaml")
        args.out = args.out if args.out != DEFAULT_OUT else ALL_AREAS_OUT / "sdk"
    return _generate_or_check(args, problems, started)


def _curate(args: argparse.Namespace, problems: Problems) -> int:
    from .curation import curate

    document = curate(args.upstream, args.rules, args.out, problems, args.name)
    _report(problems)
    if document is None:
        return 2
    schemas = document["components"]["schemas"]
    print(f"curated {len(document['paths'])} paths, {len(schemas)} schemas")
    return 0


def _generate_or_check(args: argparse.Namespace, problems: Problems, started: float) -> int:
    from .releasing import journal_of, pending_release

    pending = pending_release(args.config)
    if pending is not None:
        problems.warning(
            f"release {pending} was made but not finished (killed, or its files could not be "
            "written): run `make release` to finish it; until then this generates from the "
            "files as they are",
            str(journal_of(args.config)),
        )
    try:
        result = cached_build(
            args.spec, args.config, problems, custom_templates=args.templates, strict=args.strict
        )
    except GenerationFailed:
        _report(problems)
        return 2
    _report(problems)
    if args.command == "check":
        diff = unified_diff(args.out, result.files, result.api.config.hand_written)
        if diff:
            sys.stdout.write(diff)
            print(f"{args.out} is stale: run `make generate`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    try:
        changes = write_tree(args.out, result.files, result.api.config.hand_written)
    except WriteError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {summary(result, changes, time.perf_counter() - started)}")
    return 0


def summary(result: Result, changes: Changes, seconds: float) -> str:
    """The one line a generation ends with: what the package holds and what was written."""
    written = len(changes.added) + len(changes.changed)
    unchanged = len(result.files) - written
    return (
        f"{len(result.api.operations)} operations, {len(result.api.model_names)} models; "
        f"{len(result.files)} files: {written} written, {unchanged} unchanged, "
        f"{len(changes.removed)} removed ({seconds:.2f} s)"
    )


def _build_or_publish(args: argparse.Namespace) -> int:
    from .publishing import PublishError, build, publish

    try:
        if args.command == "build":
            for path in build(args.out, args.dist):
                print(f"built {path} ({path.stat().st_size:,} bytes)")
        else:
            release = publish(args.dist, args.changelog)
            names = ", ".join(p.name for p in release.files)
            print(f"uploaded {release.name} {release.version} ({names})")
    except PublishError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def _diff_or_release(args: argparse.Namespace, problems: Problems) -> int:
    import datetime

    from .diffing import diff
    from .releasing import release

    try:
        if args.command == "diff":
            report, version = diff(args.old, args.new, args.config, Path.cwd())
            sys.stdout.write(report.as_json(version) if args.json else report.text(version))
            return 0
        date = args.date or datetime.date.today().isoformat()
        outcome = release(
            args.upstream,
            args.rules,
            args.spec,
            args.config,
            args.out,
            date,
            problems,
            args.notes or args.spec.parent / "unreleased.md",
            args.surface,
        )
    except GenerationFailed as failed:
        _report(failed.problems)
        return 2
    except WriteError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    _report(problems)
    if outcome is None:
        return 2
    sys.stdout.write(outcome.report.text(outcome.old_version))
    if outcome.report.changes:
        print(
            f"released {outcome.new_version}: spec, sdk.yaml, {args.out} and its CHANGELOG.md "
            "updated"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
