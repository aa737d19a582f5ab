"""Every Python example of the generated README runs, unmodified, against Prism started
from the curated spec (the examples read TELNYX_API_KEY and TELNYX_BASE_URL); Prism cannot
stream, so the examples that stream run against the event server of the streaming tests;
the webhook example gets a webhook signed with a key the test makes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from support.servers import serving
from support.sse_server import Script
from support.webhook_signing import BODY, CONFIG, PUBLIC, sign

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "generated" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)


def test_the_readme_has_the_core_tasks() -> None:
    headings = re.findall(r"^## (.+)$", README.read_text(), re.MULTILINE)
    tasks = (
        "Create an assistant",
        "Chat with an assistant",
        "Create an assistant test",
        "List and paginate",
        "Errors and retries",
        "Async",
    )
    for task in (*tasks, "Chat completions, conversations and transcriptions"):
        assert task in headings


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(prism_static: str, code: str, tmp_path: Path) -> None:
    """Each example runs in a directory of its own that holds the files examples open: a
    tenth of a second of silence as `greeting.wav`."""
    with wave.open(str(tmp_path / "greeting.wav"), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x00\x00" * 800)
    env = {
        **os.environ,
        "TELNYX_API_KEY": "readme-key",
        "TELNYX_BASE_URL": prism_static,
        "PYTHONPATH": str(ROOT / "generated"),
    }
    if "webhooks.unwrap" in code:  # a webhook as the API sends it, signed with a key made here
        (tmp_path / "webhook.json").write_bytes(BODY)
        (tmp_path / "webhook-headers.json").write_text(json.dumps(sign(BODY)))
        env[CONFIG["public_key_env"]] = PUBLIC
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["conversation ended: c-1", "200"]
        return
    if "stream=True" not in code:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return
    Script.hits = []
    with serving(Script) as events:
        env["TELNYX_BASE_URL"] = events + "/v2"
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert Script.hits and all(hit["body"].get("stream") is True for hit in Script.hits)
    assert "Why did the cat sit on the computer?" in done.stdout  # the events, joined
