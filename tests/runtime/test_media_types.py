"""Bodies and responses beyond JSON, end to end: the media_types fixture is generated and
its client called over respx: multipart with a file, a urlencoded form, raw bytes up (bytes,
a path, a bytearray), an object as JSON where any media type is taken, PDF bytes and CSV
text and an event stream down, and a `/v2` path under a `/v2` server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "golden" / "media_types"

PROBE = r"""
import io, json, httpx, respx
import fx_media_types
client = fx_media_types.Client(api_key="k")
seen = {}
with respx.mock(base_url="https://api.example.com/v2") as mock:
    up = mock.post("/uploads").respond(201, json={"id": "u1", "priority": 2})
    form = mock.post("/forms").respond(200, text="a,b\n1,2\n", headers={"content-type": "text/csv"})
    put = mock.put("/blobs/k1").respond(204)
    pdf = {"content-type": "application/pdf"}
    get = mock.get("/blobs/k1").respond(200, content=b"%PDF-1.7 bytes", headers=pdf)
    stream = {"content-type": "text/event-stream"}
    events = mock.get("/events").respond(200, text="data: 1\n\n", headers=stream)
    upload = client.uploads.create(file=("a.txt", io.BytesIO(b"hello")), name="greeting")
    sent = up.calls.last.request
    seen["upload"] = [
        type(upload).__name__,
        upload.id,
        sent.headers["content-type"].split(";")[0],
        b"hello" in sent.content,
        b'name="name"' in sent.content and b'greeting' in sent.content,
    ]
    seen["form"] = [
        client.forms.create(to="+13125550001", timeout_=30),
        form.calls.last.request.headers["content-type"],
        form.calls.last.request.content.decode(),
    ]
    client.blobs.update("k1", body=b"\x00\x01raw")
    seen["put"] = [put.calls.last.request.content.hex()]
    import pathlib
    pathlib.Path("blob.bin").write_bytes(b"\x02from a file")
    client.blobs.update("k1", body=pathlib.Path("blob.bin"))
    seen["put"].append(put.calls.last.request.content.hex())
    client.blobs.update("k1", bytearray(b"\x03mutable"))  # the bytes positionally
    seen["put"].append(put.calls.last.request.content.hex())
    seen["get"] = [client.blobs.retrieve("k1").decode()]
    seen["events"] = [client.events.retrieve()]
    report = mock.post("/reports").respond(201, json={"id": "r1"})
    client.reports.create(start_date="2024-05-01", profiles=["p1"])
    sent = report.calls.last.request
    seen["any"] = [sent.headers["content-type"], json.loads(sent.content)]
print(json.dumps(seen))
"""


def test_non_json_media_types(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "generate",
                "--spec",
                str(FIXTURE / "spec.yaml"),
                "--config",
                str(FIXTURE / "sdk.yaml"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=out, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import json

    seen = json.loads(done.stdout)
    assert seen["upload"] == ["Upload", "u1", "multipart/form-data", True, True]
    assert seen["form"] == [
        "a,b\n1,2\n",
        "application/x-www-form-urlencoded",
        "To=%2B13125550001&Timeout=30",
    ]
    assert seen["put"] == [
        "00017261 77".replace(" ", ""),
        b"\x02from a file".hex(),
        b"\x03mutable".hex(),
    ]  # bytes, a path, a bytearray
    assert seen["get"] == ["%PDF-1.7 bytes"]
    assert seen["events"] == ["data: 1\n\n"]
    # `*/*` takes any media type: an object goes as JSON, its properties keyword arguments
    assert seen["any"] == ["application/json", {"start_date": "2024-05-01", "profiles": ["p1"]}]
