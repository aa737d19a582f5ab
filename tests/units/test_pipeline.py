"""The real inputs: the curated spec is reproducible from upstream, and the committed
generated/ is exactly what the generator produces from it (a golden tree)."""

from __future__ import annotations

import http.server
import os
import re
import shutil
from functools import partial
from pathlib import Path

import pytest
from support.servers import serving

from generator.curation import curate
from generator.loading import dump_yaml
from generator.pipeline import build
from generator.problems import GenerationFailed, Problems
from generator.writing import unified_diff

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT.parent / "shared" / "telnyx-openapi" / "spec3.yml"
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
CONFIG = ROOT / "spec" / "sdk.yaml"
SKILL = ROOT.parent / "shared" / "reference" / "telnyx-ai-assistants-go-skill.txt"
OFFICIAL = ROOT.parent / "shared" / "reference" / "official-python-sdk-names.md"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return build(SPEC, CONFIG, Problems())


def test_committed_generated_tree_is_current(result) -> None:  # type: ignore[no-untyped-def]
    diff = unified_diff(ROOT / "generated", result.files)
    assert not diff, "generated/ is stale; run `make generate`:\n" + diff[:5000]


def test_generation_has_no_warnings(result) -> None:  # type: ignore[no-untyped-def]
    assert [p.render() for p in result.problems] == []


def test_every_operation_has_a_method(result) -> None:  # type: ignore[no-untyped-def]
    import yaml

    spec = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    in_spec = {
        (m.upper(), p)
        for p, item in spec["paths"].items()
        for m in item
        if m in ("get", "post", "put", "patch", "delete")
    }
    generated = {(op.http_method.upper(), op.path) for _, op in result.api.operations}
    assistants = {(m, p) for m, p in in_spec if p.startswith(("/ai/assistants", "/ai/mcp_servers"))}
    assert (len(assistants), len(in_spec)) == (46, 147)  # the AI Assistants area, and all of /ai
    assert generated == in_spec


@pytest.mark.skipif(not OFFICIAL.exists(), reason="reference names live in ../shared")
def test_method_names_match_the_official_sdk(result) -> None:  # type: ignore[no-untyped-def]
    ours = {
        (op.http_method.upper(), op.path): "client." + ".".join(r.path) + "." + op.name
        for r, op in result.api.operations
    }
    expected = {}
    for line in OFFICIAL.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.split("|")]
        if (
            len(cells) > 4
            and cells[1] in ("GET", "POST", "PUT", "PATCH", "DELETE")
            and cells[4] == "yes"
        ):
            expected[(cells[1], cells[2])] = cells[3]
    assert len(expected) == 46
    assert {key: name for key, name in ours.items() if key in expected} == expected


@pytest.mark.skipif(not UPSTREAM.exists(), reason="the upstream spec lives in ../shared")
def test_curation_reproduces_the_committed_spec(tmp_path: Path) -> None:
    problems = Problems()
    document = curate(
        UPSTREAM, ROOT / "spec" / "curation.yaml", tmp_path / "curated.yaml", problems
    )
    assert document is not None, [p.render() for p in problems]
    assert [p.render() for p in problems] == []
    assert dump_yaml(document) == SPEC.read_text()
    assert (
        "Rule-Input" not in document["components"]["schemas"]
        and "Rule" in document["components"]["schemas"]
    )
    assert not any(
        name.startswith("inference-embedding") for name in document["components"]["schemas"]
    )
    assert any(t["name"] == "MCP Servers" for t in document["tags"])


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


@pytest.mark.skipif(not UPSTREAM.exists(), reason="the upstream spec lives in ../shared")
def test_curation_fetches_the_upstream_spec_from_a_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--upstream URL`, and the `upstream` URL of the rules when no --upstream is given,
    give the same curated spec as the file; a URL that answers 404 is a located error."""
    from generator.cli import main

    served = tmp_path / "served" / "openapi"
    served.mkdir(parents=True)
    shutil.copy(UPSTREAM, served / "spec3.yml")
    rules_text = (ROOT / "spec" / "curation.yaml").read_text()
    assert re.search(r"^upstream: https://\S+/spec3.yml$", rules_text, re.MULTILINE), (
        "the rules name the upstream location"
    )
    with serving(partial(QuietFiles, directory=str(tmp_path / "served"))) as base:
        assert (
            main(
                [
                    "curate",
                    "--upstream",
                    f"{base}/openapi/spec3.yml",
                    "--out",
                    str(tmp_path / "a.yaml"),
                ]
            )
            == 0
        )
        assert (tmp_path / "a.yaml").read_text() == SPEC.read_text()
        rules = tmp_path / "curation.yaml"
        shutil.copy(ROOT / "spec" / "curated-schemas.yaml", tmp_path)
        rules.write_text(
            re.sub(
                r"^upstream: .*$",
                f"upstream: {base}/openapi/spec3.yml",
                rules_text,
                count=1,
                flags=re.MULTILINE,
            )
        )
        assert main(["curate", "--rules", str(rules), "--out", str(tmp_path / "b.yaml")]) == 0
        assert (tmp_path / "b.yaml").read_text() == SPEC.read_text()
        rules.write_text(
            re.sub(
                r"^upstream: .*$",
                f"upstream: {base}/missing.yml",
                rules_text,
                count=1,
                flags=re.MULTILINE,
            )
        )
        capsys.readouterr()
        assert main(["curate", "--rules", str(rules), "--out", str(tmp_path / "c.yaml")]) == 2
    line = next(
        i for i, text in enumerate(rules_text.splitlines(), 1) if text.startswith("upstream:")
    )
    assert (
        f"{rules}:{line}:1: error: cannot fetch the upstream spec {base}/missing.yml: "
        "HTTP 404 File not found (/upstream)" in capsys.readouterr().err
    )
    assert not (tmp_path / "c.yaml").exists()


def test_stale_curation_rule_is_a_warning_naming_it(tmp_path: Path) -> None:
    upstream = tmp_path / "upstream.yml"
    upstream.write_text(SPEC.read_text())  # already curated: every fix is now stale
    rules = tmp_path / "curation.yaml"
    rules.write_text((ROOT / "spec" / "curation.yaml").read_text())
    shutil.copy(ROOT / "spec" / "curated-schemas.yaml", tmp_path)
    problems = Problems()
    document = curate(upstream, rules, tmp_path / "out.yaml", problems)
    assert document is not None
    messages = [p.render() for p in problems.warnings]
    assert any("fix `merge_schemas Rule` matched nothing upstream" in m for m in messages), messages
    assert any(f"{rules}:" in m and "(/specs/0/fixes/1)" in m for m in messages), messages


def test_generated_project_builds_a_wheel_that_imports(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    from generator.publishing import build

    build(ROOT / "generated", tmp_path / "dist")
    wheel = next((tmp_path / "dist").glob("telnyx_ai-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "telnyx_ai/py.typed" in names and "telnyx_ai/types/ai/assistants/__init__.py" in names
    assert not any(n.startswith("generator") for n in names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import telnyx_ai; print(telnyx_ai.__version__, "
        "telnyx_ai.Telnyx(api_key='k').ai.assistants.retrieve.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=target, capture_output=True, text=True, check=True
    ).stdout.split()
    import yaml

    assert out == [yaml.safe_load(CONFIG.read_text())["version"], "retrieve"]


def test_api_reference_lists_every_method(result) -> None:  # type: ignore[no-untyped-def]
    text = result.files["api.md"]
    for resource, op in result.api.operations:
        assert f"`{op.http_method.upper()} {op.path}`" in text
        assert f"client.{'.'.join(resource.path)}.{op.name}(" in text


def test_the_whole_spec_rules_make_the_duplicate_operation_id_unique(tmp_path: Path) -> None:
    """Upstream gives two operations one operationId (the generator refuses such a spec);
    the whole-spec curation renames the WhatsApp one, and the result generates."""
    import yaml

    from generator.pipeline import build

    rules = yaml.safe_load((ROOT / "spec" / "curation.yaml").read_text())
    whole = next(spec for spec in rules["specs"] if spec["name"] == "all")
    rename = next(fix for fix in whole["fixes"] if fix.get("at") == ["operationId"])
    method, _, path = rename["operation"].partition(" ")
    document = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    first = next(iter(document["paths"].values()))
    taken = next(
        op["operationId"] for op in first.values() if isinstance(op, dict) and "operationId" in op
    )
    document["paths"][path] = {
        method.lower(): {"operationId": taken, "responses": {"200": {"description": "ok"}}}
    }
    upstream = tmp_path / "upstream.yml"
    upstream.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper))
    config = tmp_path / "sdk.yaml"
    config.write_text(CONFIG.read_text())
    with pytest.raises(GenerationFailed, match="duplicate operationId"):
        build(upstream, config, Problems())
    whole = {
        **whole,
        "output": "curated.yaml",
        "areas": [{"name": "everything", "path_prefixes": ["/"]}],
        "fix_sets": [],
    }
    whole["fixes"] = [rename]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"specs": [whole]}))
    problems = Problems()
    curated = curate(
        upstream, tmp_path / "rules.yaml", tmp_path / "curated.yaml", problems, name="all"
    )
    assert curated is not None, [p.render() for p in problems]
    ids = [
        op["operationId"]
        for item in curated["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) == len(set(ids)) and rename["value"] in ids
    assert build(tmp_path / "curated.yaml", config, Problems()).files


def test_an_area_can_keep_the_webhooks_and_their_payload_schemas(tmp_path: Path) -> None:
    """Webhook payloads are referenced by no path; an area that asks for the webhooks keeps
    them and their schemas, one that does not keeps neither."""
    import yaml

    document = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    document["components"]["schemas"]["CallAnswered"] = {
        "type": "object",
        "properties": {"call_id": {"type": "string"}},
    }
    document["webhooks"] = {
        "callAnswered": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CallAnswered"}
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
    upstream = tmp_path / "upstream.yml"
    upstream.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper))
    kept = {}
    for webhooks in ("all", None):
        area: dict[str, object] = {"name": "ai", "path_prefixes": ["/ai"]}
        if webhooks:
            area["webhooks"] = webhooks
        (tmp_path / "rules.yaml").write_text(
            yaml.safe_dump({"specs": [{"name": "x", "output": "x.yaml", "areas": [area]}]})
        )
        curated = curate(upstream, tmp_path / "rules.yaml", tmp_path / "x.yaml", Problems())
        assert curated is not None
        kept[webhooks] = (
            "CallAnswered" in curated["components"]["schemas"],
            list(curated.get("webhooks", {})),
        )
    assert kept == {"all": (True, ["callAnswered"]), None: (False, [])}


def test_a_webhook_name_upstream_lacks_is_a_warning_naming_the_rule(tmp_path: Path) -> None:
    import yaml

    upstream = tmp_path / "upstream.yml"
    upstream.write_text(SPEC.read_text())
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        yaml.safe_dump(
            {
                "specs": [
                    {
                        "name": "x",
                        "output": "x.yaml",
                        "areas": [
                            {"name": "ai", "path_prefixes": ["/ai"], "webhooks": ["callAnswerd"]}
                        ],
                    }
                ]
            }
        )
    )
    problems = Problems()
    assert curate(upstream, rules, tmp_path / "x.yaml", problems) is not None
    assert [p.render() for p in problems] == [
        f"{rules}:6:5: warning: webhook 'callAnswerd' is not in the upstream spec "
        "(/specs/0/areas/0/webhooks)"
    ]


def test_the_installed_generator_finds_its_templates_from_any_directory(tmp_path: Path) -> None:
    """The templates are package data: the project's wheel, installed away from the checkout,
    generates a golden fixture from a directory of its own, exactly its golden tree."""
    import subprocess
    import sys

    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "generator", project / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path / "dist"),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )

    fixture = "discriminator_mapping"
    work = tmp_path / "work"
    folder = work / "tests" / "golden" / fixture
    folder.mkdir(parents=True)
    for name in ("spec.yaml", "sdk.yaml"):
        shutil.copy(ROOT / "tests" / "golden" / fixture / name, folder / name)
    env = {**os.environ, "PYTHONPATH": str(site), "TELNYX_CODEGEN_NO_CACHE": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(site), where
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            "--spec",
            f"tests/golden/{fixture}/spec.yaml",
            "--config",
            f"tests/golden/{fixture}/sdk.yaml",
            "--out",
            "out",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    expected = ROOT / "tests" / "golden" / fixture / "expected"
    paths = [
        p.relative_to(expected)
        for p in expected.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert len(paths) > 5
    differing = [
        str(p) for p in paths if (work / "out" / p).read_text() != (expected / p).read_text()
    ]
    assert not differing, differing
    assert not (
        work / "build" / "cache"
    ).exists()  # the cache is off; nothing is written beside the package
