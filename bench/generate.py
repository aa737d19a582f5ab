"""Generation speed: ours against openapi-python-client, in one run, on the same inputs.

For the AI area (spec/ai-assistants.openapi.yaml) and the whole upstream spec (curated
into build/all/telnyx.openapi.yaml by `make generate-all`):
- ours, cold: no cache (nor validation cache), an empty output directory;
- ours, unchanged: the same inputs again, output and cache in place;
- openapi-python-client, on the same spec file, into an empty directory, with the one
  setting it needs to finish on this spec (`literal_enums: true`) and its ruff hooks.
Each command runs in its own process; the table shows the median wall time of the runs,
the peak memory (max RSS) and the ratio to openapi-python-client; below it, what the peer
said it left out.

Run with `make bench-generate` (it installs openapi-python-client into build/ first).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = [str(ROOT / ".venv" / "bin" / "telnyx-codegen"), "generate"]
PEER = ROOT / "build" / "bench-gen-venv" / "bin" / "openapi-python-client"


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in MiB, exit code, output) of one command in a fresh process."""
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        output.seek(0)
        return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status), output.read()


# openapi-python-client stops on this spec's enums with duplicate member names unless told
# to use literals; its post-generation hooks (ruff) run from its own environment.
PEER_CONFIG = "literal_enums: true\n"
PEER_ENV = {"PATH": f"{PEER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def measure(
    name: str, spec: Path, config: Path, runs: int
) -> tuple[list[tuple[str, float, int, str]], list[str]]:
    rows: list[tuple[str, float, int, str]] = []
    notes: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "build"))
    try:
        cold = []
        for i in range(runs):
            out = scratch / f"cold{i}"
            cold.append(
                timed(
                    [*OURS, "--spec", str(spec), "--config", str(config), "--out", str(out)],
                    {"TELNYX_CODEGEN_NO_CACHE": "1"},
                )
            )
        rows.append(
            (
                f"{name}: telnyx-codegen, cold",
                statistics.median(c[0] for c in cold),
                max(c[1] for c in cold),
                "ok" if all(c[2] == 0 for c in cold) else "failed",
            )
        )
        out = scratch / "warm"
        timed(
            [*OURS, "--spec", str(spec), "--config", str(config), "--out", str(out)]
        )  # fills output and cache
        warm = [
            timed([*OURS, "--spec", str(spec), "--config", str(config), "--out", str(out)])
            for _ in range(runs)
        ]
        rows.append(
            (
                f"{name}: telnyx-codegen, unchanged",
                statistics.median(w[0] for w in warm),
                max(w[1] for w in warm),
                "ok" if all(w[2] == 0 for w in warm) else "failed",
            )
        )
        if PEER.exists():
            peer_config = scratch / "peer-config.yaml"
            peer_config.write_text(PEER_CONFIG)
            peer = []
            for i in range(runs):
                target = scratch / f"peer{i}"
                peer.append(
                    timed(
                        [
                            str(PEER),
                            "generate",
                            "--path",
                            str(spec),
                            "--output-path",
                            str(target),
                            "--overwrite",
                            "--config",
                            str(peer_config),
                        ],
                        PEER_ENV,
                    )
                )
            status = "ok" if all(p[2] == 0 for p in peer) else f"exit {peer[0][2]}"
            rows.append(
                (
                    f"{name}: openapi-python-client",
                    statistics.median(p[0] for p in peer),
                    max(p[1] for p in peer),
                    status,
                )
            )
            said = peer[0][3]
            left_out = said.count("Endpoint will not be generated")
            unparsed = said.count("Unable to parse schema")
            notes.append(
                f"{name}: openapi-python-client left out {left_out} endpoints "
                f"and could not parse {unparsed} schemas (its own warnings)"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows, notes


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} cores; medians of {runs} runs")
    rows, notes = measure(
        "AI area", ROOT / "spec" / "ai-assistants.openapi.yaml", ROOT / "spec" / "sdk.yaml", runs
    )
    whole = ROOT / "build" / "all" / "telnyx.openapi.yaml"
    if whole.exists():
        more_rows, more_notes = measure("whole spec", whole, ROOT / "spec" / "sdk-all.yaml", runs)
        rows, notes = rows + more_rows, notes + more_notes
    else:
        print("(build/all/telnyx.openapi.yaml is missing: run `make generate-all` first)")
    peers = {
        name.split(":")[0]: seconds
        for name, seconds, _, status in rows
        if "openapi-python-client" in name and status == "ok"
    }
    print(f"\n| {'what':<44} | {'seconds':>8} | {'max RSS MiB':>11} | {'x peer':>6} | status |")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 13}|{'-' * 8}|--------|")
    for name, seconds, rss, status in rows:
        peer = peers.get(name.split(":")[0])
        ratio = f"{seconds / peer:.2f}" if peer else "-"
        print(f"| {name:<44} | {seconds:>8.2f} | {rss:>11} | {ratio:>6} | {status} |")
    print()
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
