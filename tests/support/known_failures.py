"""Rewrite tests/spec_driven/known_failures_<surface>.yaml from a JUnit XML report of the
failing sync cases of tests/spec_driven/test_operations.py (both clients fail alike), each
case under the first kind whose pattern its message matches; a case of no kind stops it:

    TELNYX_CODEGEN_SURFACE=all pytest -q --co tests/spec_driven/test_operations.py \\
        | grep -e '-sync]$' > sync.txt
    TELNYX_CODEGEN_SURFACE=all pytest -n 2 --junitxml=report.xml @sync.txt
    python tests/support/known_failures.py report.xml tests/spec_driven/known_failures_all.yaml

(`-k "sync and not async"` selects nothing: every case carries the `asyncio` mark.)

Run it with the list emptied after a change of the generator or of its names, and review
the diff: each kind is a finding, to fix in the generator or to keep with its reason.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest report
from collections import defaultdict

# (kind, pattern of the failure's message, reason); the first that matches wins.
KINDS = (
    (
        "positional-parameter",
        r"must come first|must be keyword-only|got multiple values for argument",
        "the positional path parameter is not the last of the path, "
        "or a body property has a path parameter's name",
    ),
    (
        "unexpected-argument",
        r"unexpected arguments|unexpected keyword argument|missing \d+ required|no argument '",
        "the method's arguments differ from the spec's parameters and body properties "
        "(readOnly properties taken, a raw body, renamed properties)",
    ),
    (
        "not-paged",
        r"^AssertionError: assert \[\('data', |pagination\.(Sync|Async)Page'>\)",
        "the test expects a page (a list answer with `meta.page_number` and `total_pages`, "
        "asked for by page number) where the method returns the whole answer",
    ),
    (
        "non-object-body",
        r"the request body is not an object",
        "the request body is no object: the test's operation model cannot synthesise it",
    ),
    (
        "header-or-cookie-parameter",
        r"unexpected parameter location",
        "a header or cookie parameter: the test's operation model has none",
    ),
    (
        "unmatched-pattern",
        r"no sample value matches the pattern",
        "a string pattern none of the test's sample values matches",
    ),
    (
        "unsynthesisable-response",
        r"synthesised response does not match|raised StopIteration|maximum recursion depth",
        "the test cannot synthesise a valid answer from the response schema (overlapping "
        "oneOf variants, an example off its schema, a recursive schema)",
    ),
    (
        "model-not-defined",
        r"is not fully defined",
        "a response model refers to a class that is never defined: it cannot be built",
    ),
    (
        "discriminator",
        r"needs a discriminator field",
        "a tagged union whose variant lacks the discriminator field: it cannot be built",
    ),
    (
        "model-mismatch",
        r".",
        "the parsed answer differs from what the API sent (a property no field takes, a "
        "class other than the schema's, a value not round-tripped) or the request does",
    ),
)
CASE = re.compile(r"\w+\[(.+)-(signature|required|optional|odd-ids|422|retry)-sync\]$")


def main(report: str, out: str) -> int:
    found: dict[str, list[str]] = defaultdict(list)
    unknown = []
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314
        failure = case.find("failure")
        if failure is None:
            continue
        message = failure.get("message") or ""
        match = CASE.match(case.get("name") or "")
        if match is None:
            unknown.append(case.get("name"))
            continue
        for kind, pattern, _ in KINDS:
            first_line = re.search(pattern, message.split("\n")[0])
            if first_line or (kind != "model-mismatch" and re.search(pattern, message)):
                found[kind].append(f"{match[1]} {match[2]}")
                break
    for name in unknown:
        print(f"not a sync case of test_operations.py: {name}", file=sys.stderr)
    if unknown:
        return 1
    lines = [
        "# Known failures of tests/spec_driven/test_operations.py over the whole spec",
        "# (TELNYX_CODEGEN_SURFACE=all, make test-all-areas), by kind: strict xfails, both",
        "# clients. A case that starts passing fails the run and leaves this list.",
    ]
    for kind, _, reason in KINDS:
        if found[kind]:
            lines += [f"{kind}:", f"  reason: {json.dumps(reason)}", "  cases:"]
            lines += [f"    - {case}" for case in sorted(found[kind])]
            print(f"{len(found[kind])} {kind}")
    with open(out, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
