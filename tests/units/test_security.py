"""Strings from the spec are data, never code: a hostile spec (tests/units/hostile/) whose
descriptions, names, enum values and defaults try to break out of literals, docstrings and
comments generates a package that imports and works without running any of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.cli import main

HOSTILE = Path(__file__).resolve().parent / "hostile"

PROBE = """
import importlib, json, pkgutil, httpx, respx
import hostile
for module in pkgutil.walk_packages(hostile.__path__, "hostile."):
    importlib.import_module(module.name)
import hostile.types as m
thing_class = next(getattr(m, n) for n in m.__all__ if n.startswith("Thing"))
client = hostile.Client(api_key="k")
with respx.mock(base_url="https://api.example.com/v2") as mock:
    route = mock.get(url__startswith="https://api.example.com/v2/things/")
    route.respond(200, json={"kind": "b\\\\"})
    thing = client.things.retrieve("t1")
print(json.dumps({
    "doc": client.things.retrieve.__doc__,
    "fields": {name: field.alias for name, field in thing_class.model_fields.items()},
    "defaults": [field.default for field in thing_class.model_fields.values()],
    "kind": str(thing.kind),
    "query": str(route.calls.last.request.url.query, "ascii"),
}))
"""


def test_hostile_spec_generates_inert_code(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "generate",
                "--spec",
                str(HOSTILE / "spec.yaml"),
                "--config",
                str(HOSTILE / "sdk.yaml"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=out, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()
    import json

    seen = json.loads(result.stdout)
    assert 'Get """ + __import__(\'os\').system(\'touch PWNED\') + """ it' in seen["doc"]
    assert "Ends in a backslash \\" in seen["doc"]
    assert "name\"] = __import__('os').system('touch PWNED') #" in seen["fields"].values()
    assert "\"\"\"'; __import__('os').system('touch PWNED') #" in seen["defaults"]
    assert seen["kind"] == "b\\"
    assert seen["query"] == ""  # the hostile query parameter has a default: nothing is sent
