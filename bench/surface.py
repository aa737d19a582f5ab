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

import csv
import importlib
import inspect
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


class Report:
    def __init__(self) -> None:
        self.kinds: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.counts: dict[str, int] = defaultdict(int)

    def differs(self, measure: str, kind: str, example: str) -> None:
        self.kinds[measure][kind].append(example)

    def show(self, total: int) -> None:
        print(f"official methods whose endpoint the spec has: {total}")
        for measure in ("call path", "positional", "keywords"):
            print(f"  {measure}: {self.counts[measure]} of {total} match")
        for measure, kinds in self.kinds.items():
            print(f"\n{measure} differences: {sum(len(v) for v in kinds.values())}")
            for kind, examples in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
                print(f"  {len(examples):5}  {kind}")
                for example in examples[:EXAMPLES]:
                    print(f"           {example}")


def measure(rows: list[Official], package: Path) -> Report:
    sys.path.insert(0, str(package))
    module = importlib.import_module(next(package.glob("*/_client.py")).parent.name)
    client = module.Telnyx(api_key="surface-report")
    calls = with_requested_routes(routes_of(package / "api.md"), client.base_url.path.rstrip("/"))
    report = Report()
    for row in rows:
        ours_calls = calls.get(route(row.http, row.path), [])
        if not ours_calls:
            report.differs("call path", "no method requests the route", f"{row.http} {row.path}")
            continue
        ours = signature_of(client, row.call if row.call in ours_calls else ours_calls[0])
        if ours.call == row.call:
            report.counts["call path"] += 1
        else:
            kind = call_path_kind(row.call, ours.call)
            report.differs("call path", kind, f"{row.call}  (ours: {ours.call})")
        if ours.positional == row.positional:
            report.counts["positional"] += 1
        else:
            kind = positional_kind(row.positional, ours)
            report.differs(
                "positional", kind, f"{row.call}: {row.positional} (ours: {ours.positional})"
            )
        missing = set() if ours.takes_any else set(row.keywords) - ours.accepted
        if not missing:
            report.counts["keywords"] += 1
        else:
            report.differs(
                "keywords", keyword_kind(missing, ours), f"{row.call}: {sorted(missing)}"
            )
    return report


def main() -> int:
    table = Path(sys.argv[1]) if len(sys.argv) > 1 else TABLE
    if not table.is_file():
        print(f"surface: no reference table at {table}", file=sys.stderr)
        return 2
    if not (PACKAGE / "api.md").is_file():
        print(
            f"surface: no whole-spec package in {PACKAGE}; run make generate-all", file=sys.stderr
        )
        return 2
    rows = read_table(table)
    measure(rows, PACKAGE).show(len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
