"""Generation speed: ours against openapi-python-client, in one run, on the same inputs.

For the AI area (spec/ai-assistants.openapi.yaml) and the whole upstream spec (curated
into build/all/telnyx.openapi.yaml by `make generate-all`):
- ours, cold: no cache, an empty output directory;
- ours, unchanged: the same inputs again, output and cache in place;
- openapi-python-client, on the same spec file, into an empty directory.
Each command runs in its own process; the table shows the median wall time of the runs,
the peak memory (max RSS) and the ratio to openapi-python-client.

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


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in MiB, exit code) of one command in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if process.stderr is not None:
        process.stderr.close()
    return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def measure(name: str, spec: Path, config: Path, runs: int) -> list[tuple[str, float, int, str]]:
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "build"))
    try:
        cold = []
        for i in range(runs):
            out = scratch / f"cold{i}"
            cold.append(timed([*OURS, "--spec", str(spec), "--config", str(config), "--out", str(out)], {"TELNYX_CODEGEN_NO_CACHE": "1"}))
        rows.append((f"{name}: telnyx-codegen, cold", statistics.median(c[0] for c in cold), max(c[1] for c in cold), "ok" if all(c[2] == 0 for c in cold) else "failed"))
        out = scratch / "warm"
        timed([*OURS, "--spec", str(spec), "--config", str(config), "--out", str(out)])  # fills output and cache
        warm = [timed([*OURS, "--spec", str(spec), "--config", str(config), "--out", str(out)]) for _ in range(runs)]
        rows.append((f"{name}: telnyx-codegen, unchanged", statistics.median(w[0] for w in warm), max(w[1] for w in warm), "ok" if all(w[2] == 0 for w in warm) else "failed"))
        if PEER.exists():
            peer = []
            for i in range(runs):
                target = scratch / f"peer{i}"
                peer.append(timed([str(PEER), "generate", "--path", str(spec), "--output-path", str(target), "--overwrite"]))
            status = "ok" if all(p[2] == 0 for p in peer) else f"exit {peer[0][2]}"
            rows.append((f"{name}: openapi-python-client", statistics.median(p[0] for p in peer), max(p[1] for p in peer), status))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def main() -> None:
    ai_runs = int(os.environ.get("BENCH_RUNS", "3"))
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} cores; medians of {ai_runs} runs (whole spec: 1 run)")
    rows = measure("AI area", ROOT / "spec" / "ai-assistants.openapi.yaml", ROOT / "spec" / "sdk.yaml", ai_runs)
    whole = ROOT / "build" / "all" / "telnyx.openapi.yaml"
    if whole.exists():
        rows += measure("whole spec", whole, ROOT / "spec" / "sdk-all.yaml", 1)
    else:
        print("(build/all/telnyx.openapi.yaml is missing: run `make generate-all` first)")
    peers = {name.split(":")[0]: seconds for name, seconds, _, status in rows if "openapi-python-client" in name and status == "ok"}
    print(f"\n| {'what':<44} | {'seconds':>8} | {'max RSS MiB':>11} | {'x peer':>6} | status |")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 13}|{'-' * 8}|--------|")
    for name, seconds, rss, status in rows:
        peer = peers.get(name.split(":")[0])
        ratio = f"{seconds / peer:.2f}" if peer else "-"
        print(f"| {name:<44} | {seconds:>8.2f} | {rss:>11} | {ratio:>6} | {status} |")


if __name__ == "__main__":
    main()
