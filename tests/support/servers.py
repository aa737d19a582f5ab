"""Real servers on 127.0.0.1 for the tests: a port, a threaded HTTP server, and the wait
for a server process (Prism, pypiserver) to listen."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` served by a threaded HTTP server on a free port until the block ends;
    yields `http://127.0.0.1:PORT`."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def wait_listening(
    process: subprocess.Popen[str] | subprocess.Popen[bytes],
    port: int,
    what: str,
    seconds: float = 60,
) -> str | None:
    """None once `process` accepts connections on `port`; else why not (it exited, or did
    not listen in time)."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            return f"{what} exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return None
        except OSError:
            if time.monotonic() > deadline:
                return f"{what} did not start listening within {seconds:.0f} s"
            time.sleep(0.1)
