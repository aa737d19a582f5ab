"""The whole-spec package's surface against the official Python SDK's.

Reads the reference table of the official SDK's methods (every method with its HTTP method,
path, call path, positional and keyword parameters; by default
`../shared/reference/official-python-sdk-methods-all.tsv`, or the file given as the first
argument) and the package `make generate-all` writes (`build/all/sdk`): its `api.md` says
which method calls which route, the imported package says what each method takes. For the
official methods whose endpoint the spec has (`in_spec3` is `yes`) it prints how many have
our exact call path, how many take the same positional parameters, for how many every
official keyword is accepted, and the differences by kind with a few examples each.

Run with `make surface-report` (it regenerates build/all first).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import inspect
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT.parent / "shared" / "reference" / "official-python-sdk-methods-all.tsv"
PACKAGE = ROOT / "build" / "all" / "sdk"
EXAMPLES = 4
# What every generated method takes besides the operation's own parameters.
REQUEST_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key"}


@dataclass(frozen=True)
class Official:
    http: str
    path: str
    call: str
    positional: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Ours:
    call: str
    positional: tuple[str, ...]
    accepted: frozenset[str]
    takes_any: bool  # a `**kwargs`: every keyword is accepted


def route(http: str, path: str) -> tuple[str, str]:
    """A route with its parameters' names left out: the two SDKs may name them differently."""
    return http.upper(), re.sub(r"\{[^}]*\}", "{}", path)


def read_table(file: Path) -> list[Official]:
    """The official methods whose endpoint the spec has."""
    with file.open(newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines, delimiter="\t"):
        if row["in_spec3"] != "yes":
            continue

        def names(text: str) -> tuple[str, ...]:
            return tuple(n for n in (text or "").split(",") if n)

        call = row["call"].removeprefix("client.")
        rows.append(
            Official(
                row["http"], row["path"], call, names(row["positional"]), names(row["keywords"])
            )
        )
    return rows


def routes_of(api_md: Path) -> dict[tuple[str, str], list[str]]:
    """Route -> the call paths of api.md that request it."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    resource = method = ""
    for line in api_md.read_text().splitlines():
        if match := re.fullmatch(r"## `client\.?(.*)`", line):
            resource = match.group(1)
        elif match := re.fullmatch(r"### `(\w+)`", line):
            method = match.group(1)
        elif method and (match := re.match(r"`([A-Z]+) (/\S*)`", line)):
            found[route(match.group(1), match.group(2))].append(f"{resource}.{method}".strip("."))
            method = ""
    return found


def with_requested_routes(
    found: dict[tuple[str, str], list[str]], prefix: str
) -> dict[tuple[str, str], list[str]]:
    """`found` with each route also under the path its method requests: api.md shows the
    spec's path (`/v2/x402/credit_account`), whose leading segment the base URL already
    ends with (`prefix`, `/v2`), and the method requests it without that segment, as the
    official SDK's table writes most of them (`/x402/credit_account`)."""
    requested = dict(found)
    for (http, path), calls in found.items():
        if prefix and path.startswith(prefix + "/"):
            requested.setdefault((http, path[len(prefix) :]), calls)
    return requested


def signature_of(client: Any, call: str) -> Ours:
    target = client
    for part in call.split("."):
        target = getattr(target, part)
    parameters = inspect.signature(target).parameters.values()
    positional = tuple(
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in REQUEST_OPTIONS
    )
    accepted = frozenset(p.name for p in parameters if p.kind != p.POSITIONAL_ONLY)
    takes_any = any(p.kind == p.VAR_KEYWORD for p in parameters)
    return Ours(call, positional, accepted, takes_any)


def call_path_kind(official: str, ours: str) -> str:
    """Why our call path is not the official one, in a few general kinds."""
    o_parts, our_parts = official.split("."), ours.split(".")
    if "n_10dlc" in our_parts and "messaging_10dlc" in o_parts:
        return "n_10dlc where the official SDK has messaging_10dlc"
    if our_parts[:-1] == o_parts:
        return f"one level deeper: a method `.{our_parts[-1]}` on the official method's path"
    if our_parts[:-1] == o_parts[:-1]:
        if (our_parts[-1], o_parts[-1]) == ("list", "retrieve"):
            return "`list` where the official SDK has `retrieve`"
        return "the same resource, another method name"
    if our_parts[:-2] == o_parts[:-1] and our_parts[-2] == o_parts[-1]:
        return "a sub-resource's method where the official SDK has a method on the parent"
    if our_parts[:-2] == o_parts[:-1]:
        return "a sub-resource's method where the official SDK names a method on the parent"
    return "another resource path"


def keyword_kind(missing: set[str], ours: Ours) -> str:
    if "filter" in missing and any(a.startswith("filter_") for a in ours.accepted):
        return "one `filter=` argument where we take flattened `filter_*` keywords"
    if any(a.startswith(n + "_") for n in missing for a in ours.accepted):
        return "one object argument where we take flattened keywords"
    if any(n.endswith("_id") for n in missing) and "id" in ours.positional:
        return "a path id named after its resource where we take `id`"
    return "other keyword names"


def positional_kind(official: tuple[str, ...], ours: Ours) -> str:
    if "body" in official:
        return "the official SDK takes the body positionally"
    if not official or not ours.positional:
        return "one SDK takes no positional argument"
    if set(official) <= ours.accepted:
        return "another path parameter is the positional one (the parents stay keywords)"
    return "the positional parameter has another name"


@dataclass(frozen=True)
class Difference:
    """One official method that our package does not meet on one measure."""

    measure: str  # "call path", "positional" or "keywords"
    call: str  # the official call path
    kind: str  # why, in one of a few general kinds
    detail: str  # what differs, for a reader
    missing: tuple[str, ...] = ()  # the official keywords we do not accept ("keywords")


MEASURES = ("call path", "positional", "keywords")


def compare(rows: list[Official], package: Path, scoped: bool = False) -> list[Difference]:
    """Every difference of the package in `package` (the directory holding it and its
    api.md) from the official methods `rows`; `scoped`: only the rows whose route the
    package has (the AI package covers /ai only)."""
    sys.path.insert(0, str(package))
    module = importlib.import_module(next(package.glob("*/_client.py")).parent.name)
    client = module.Telnyx(api_key="surface-report")
    calls = with_requested_routes(routes_of(package / "api.md"), client.base_url.path.rstrip("/"))
    found: list[Difference] = []
    for row in rows:
        ours_calls = calls.get(route(row.http, row.path), [])
        if not ours_calls:
            if not scoped:  # no method to call: it differs on every measure
                detail = f"{row.http} {row.path}"
                kind = "no method requests the route"
                found += [Difference(m, row.call, kind, detail) for m in MEASURES]
            continue
        ours = signature_of(client, row.call if row.call in ours_calls else ours_calls[0])
        if ours.call != row.call:
            kind = call_path_kind(row.call, ours.call)
            found.append(Difference("call path", row.call, kind, f"ours: {ours.call}"))
        if ours.positional != row.positional:
            kind = positional_kind(row.positional, ours)
            detail = f"{row.positional} (ours: {ours.positional})"
            found.append(Difference("positional", row.call, kind, detail))
        missing = set() if ours.takes_any else set(row.keywords) - ours.accepted
        if missing:
            kind, names = keyword_kind(missing, ours), tuple(sorted(missing))
            found.append(Difference("keywords", row.call, kind, str(list(names)), names))
    return found


def in_scope(rows: list[Official], package: Path) -> list[Official]:
    """The rows whose route the package's api.md has."""
    calls = routes_of(package / "api.md")
    return [row for row in rows if route(row.http, row.path) in calls]


def show(total: int, differences: list[Difference]) -> None:
    print(f"official methods whose endpoint the spec has: {total}")
    for measure in MEASURES:
        differing = sum(1 for d in differences if d.measure == measure)  # one a row
        print(f"  {measure}: {total - differing} of {total} match")
    for measure in MEASURES:
        kinds: dict[str, list[Difference]] = defaultdict(list)
        for difference in differences:
            if difference.measure == measure:
                kinds[difference.kind].append(difference)
        if not kinds:
            continue
        print(f"\n{measure} differences: {sum(len(v) for v in kinds.values())}")
        for kind, found in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(found):5}  {kind}")
            for difference in found[:EXAMPLES]:
                print(f"           {difference.call}  ({difference.detail})")


HEADER = """\
# The differences of {package} from the official Python SDK's methods (the table of
# ../shared/reference/), in groups of one measure and one reason each.
# tests/spec_driven/test_surface.py holds the package to it: a difference that is not
# listed fails, and so does a listed one that is gone. Rewrite it with
# `python bench/surface.py --package {project} --write <this file>`: listed cases keep
# their group, new ones go to a group without a reason, which the test refuses until one
# is written."""


def read_differences(file: Path) -> dict[str, dict[str, Any]]:
    """The groups of a differences file: name -> {measure, reason, cases}."""
    import yaml

    data = yaml.safe_load(file.read_text()) if file.is_file() else None
    return data or {}


def write_differences(file: Path, found: list[Difference], package: Path) -> None:
    groups = read_differences(file)
    home = {(g["measure"], case): name for name, g in groups.items() for case in g["cases"]}
    cases: dict[str, list[str]] = defaultdict(list)
    for difference in found:
        key = (difference.measure, difference.call)
        cases[home.get(key) or f"unexplained {difference.measure}"].append(difference.call)
    project = package.relative_to(ROOT).as_posix()
    lines = [HEADER.format(package=package.name if project == "." else project, project=project)]
    names = [*groups, *sorted(n for n in cases if n not in groups)]
    for name in (n for n in names if cases.get(n)):
        group = groups.get(name) or {"measure": name.removeprefix("unexplained "), "reason": ""}
        lines += [
            f"{name}:",
            f"  measure: {group['measure']}",
            f"  reason: {json.dumps(group['reason'])}",
            "  cases:",
            *(f"    - {case}" for case in sorted(set(cases[name]))),
        ]
    file.write_text("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table", nargs="?", type=Path, default=TABLE)
    parser.add_argument("--package", type=Path, default=PACKAGE, help="its project directory")
    parser.add_argument("--write", type=Path, help="rewrite this differences file")
    options = parser.parse_args(argv)
    if not options.table.is_file():
        print(f"surface: no reference table at {options.table}", file=sys.stderr)
        return 2
    package = options.package.resolve()
    if not (package / "api.md").is_file():
        print(
            f"surface: no package with an api.md in {package}; run make generate-all",
            file=sys.stderr,
        )
        return 2
    rows = read_table(options.table)
    scoped = package != PACKAGE.resolve()  # the AI package covers /ai only
    if scoped:
        rows = in_scope(rows, package)
    found = compare(rows, package, scoped)
    show(len(rows), found)
    if options.write:
        write_differences(options.write, found, package)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
