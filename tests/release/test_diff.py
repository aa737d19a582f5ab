"""The API diff on realistic changes of the curated spec: each is classified from the SDK
user's side and implies the right semver bump; a release on an unchanged upstream
changes nothing."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diffing import Report, affected_skills, compare, surface
from generator.problems import GenerationFailed, Problems
from generator.surface_manifest import manifest_text, read_manifest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
CONFIG = ROOT / "spec" / "sdk.yaml"
UPSTREAM = ROOT.parent / "shared" / "telnyx-openapi" / "spec3.yml"
BASE: dict[str, Any] = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
CONFIG_DATA: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
SCHEMAS = "components"


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def remove_operation(spec: dict[str, Any]) -> None:
    del spec["paths"]["/ai/assistants/{assistant_id}/clone"]


def add_required_request_field(spec: dict[str, Any]) -> None:
    model = schemas(spec)["CreateAssistantRequest"]
    model["properties"]["region"] = {"type": "string"}
    model["required"] = [*model.get("required", []), "region"]


def add_optional_request_field(spec: dict[str, Any]) -> None:
    schemas(spec)["CreateAssistantRequest"]["properties"]["region"] = {"type": "string"}


def add_enum_value(spec: dict[str, Any]) -> None:
    schemas(spec)["EventStatus"]["enum"].append("cancelled")


def remove_schema(spec: dict[str, Any]) -> None:
    inline = copy.deepcopy(schemas(spec).pop("TestSuitesResponse"))
    response = spec["paths"]["/ai/assistants/tests/test-suites"]["get"]["responses"]["200"]
    response["content"]["application/json"]["schema"] = inline


def change_field_type(spec: dict[str, Any]) -> None:
    schemas(spec)["Assistant"]["properties"]["description"] = {"type": "integer"}


def change_constraint(spec: dict[str, Any]) -> None:
    schemas(spec)["CreateAssistantTestRequest"]["properties"]["description"]["maxLength"] = 2000


def widen_argument_type(spec: dict[str, Any]) -> None:
    spec["paths"]["/ai/assistants/tests/{test_id}"]["get"]["parameters"][0]["schema"]["format"] = (
        "uuid"  # str -> str | UUID
    )


def narrow_argument_type(spec: dict[str, Any]) -> None:
    spec["paths"]["/ai/assistants/tests"]["get"]["parameters"][0]["schema"]["type"] = (
        "integer"  # str -> int
    )


CASES: list[tuple[Callable[[dict[str, Any]], None], str, str, str, str]] = [
    # change, level, expected change kind, bump at 0.x, bump at 1.x
    (remove_operation, "breaking", "method-removed", "minor", "major"),
    (add_required_request_field, "breaking", "argument-added", "minor", "major"),
    (add_optional_request_field, "feature", "argument-added", "minor", "minor"),
    (add_enum_value, "feature", "enum-value-added", "minor", "minor"),
    (remove_schema, "breaking", "model-removed", "minor", "major"),
    (change_field_type, "breaking", "field-type-changed", "minor", "major"),
    (change_constraint, "fix", "field-constraint", "patch", "patch"),
    (widen_argument_type, "feature", "argument-type", "minor", "minor"),
    (narrow_argument_type, "breaking", "argument-type", "minor", "major"),
]


def diff_against(change: Callable[[dict[str, Any]], None]) -> Report:
    new = copy.deepcopy(BASE)
    change(new)
    return compare(
        surface("old", copy.deepcopy(BASE), CONFIG_DATA, str(CONFIG)),
        surface("new", new, CONFIG_DATA, str(CONFIG)),
    )


@pytest.mark.parametrize(
    ("change", "level", "kind", "bump_zero", "bump_one"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_change_is_classified(
    change: Callable[[dict[str, Any]], None], level: str, kind: str, bump_zero: str, bump_one: str
) -> None:
    report = diff_against(change)
    assert report.level == level, report.text("0.1.0")
    assert kind in {c.kind for c in report.by_level(level)}, report.text("0.1.0")
    assert report.bump("0.4.2")[0] == bump_zero
    assert report.bump("1.2.3")[0] == bump_one
    expected = {"major": "2.0.0", "minor": "1.3.0", "patch": "1.2.4"}[bump_one]
    assert report.bump("1.2.3")[1] == expected


SKILL = "telnyx-ai-assistants-python"


def change_a_mission_field(spec: dict[str, Any]) -> None:
    """A change of /ai/missions, which the AI assistants skill does not cover."""
    path = spec["paths"]["/ai/missions/{mission_id}"]
    del spec["paths"]["/ai/missions/{mission_id}"]
    spec["paths"]["/ai/missions/{mission_id}/renamed"] = path


@pytest.mark.parametrize(
    ("change", "subjects"),
    [
        (remove_operation, {"client.ai.assistants.clone()"}),
        (change_field_type, {"types.Assistant.description"}),
        (add_optional_request_field, {"client.ai.assistants.create()"}),
        (change_a_mission_field, set()),
    ],
    ids=["method", "model", "argument", "another-area"],
)
def test_the_diff_names_the_skills_a_change_reaches(
    change: Callable[[dict[str, Any]], None], subjects: set[str]
) -> None:
    new = copy.deepcopy(BASE)
    change(new)
    old_side = surface("old", copy.deepcopy(BASE), CONFIG_DATA, str(CONFIG))
    new_side = surface("new", new, CONFIG_DATA, str(CONFIG))
    report = compare(old_side, new_side)
    assert report.changes
    skills = dict(affected_skills(report, old_side, new_side, CONFIG_DATA, str(CONFIG)))
    if not subjects:
        assert SKILL not in skills, skills
        return
    assert subjects <= set(skills[SKILL]), skills
    report.skills = list(skills.items())
    assert f"`{SKILL}`: " in report.text("0.4.0")


def use_a_test_result_in_missions(spec: dict[str, Any]) -> None:
    """A new method of another resource returns a model that only `ai.assistants.tests` used."""
    spec["paths"]["/ai/missions/latest_test"] = {
        "get": {
            "summary": "Latest test",
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/AssistantTestResponse"}
                        }
                    },
                }
            },
        }
    }


def test_a_model_that_moves_module_is_moved_not_removed_and_added() -> None:
    report = diff_against(use_a_test_result_in_missions)
    moved = [c for c in report.changes if c.kind == "model-moved"]
    assert [c.subject for c in moved if c.subject == "types.AssistantTestResponse"] == [
        "types.AssistantTestResponse"
    ], report.text("0.1.0")
    assert "`telnyx_ai.types.ai.assistants.tests` to `telnyx_ai.types.ai`" in next(
        c.detail for c in moved if c.subject == "types.AssistantTestResponse"
    )
    assert not any(c.kind in ("model-removed", "model-added") for c in report.changes), report.text(
        "0.1.0"
    )
    assert report.level == "feature" and {c.kind for c in report.by_level("feature")} == {
        "method-added"
    }


def test_messages_name_what_users_call() -> None:
    text = diff_against(remove_operation).text("0.1.0")
    assert (
        "client.ai.assistants.clone(): removed (POST /ai/assistants/{assistant_id}/clone)" in text
    )
    assert "Semver bump: minor (0.1.0 -> 0.2.0)" in text
    text = diff_against(add_required_request_field).text("1.0.0")
    assert "client.ai.assistants.create(): required argument `region` added" in text


def test_no_change_no_bump() -> None:
    report = compare(
        surface("a", copy.deepcopy(BASE), CONFIG_DATA, str(CONFIG)),
        surface("b", copy.deepcopy(BASE), CONFIG_DATA, str(CONFIG)),
    )
    assert report.changes == [] and report.bump("0.1.0") == ("none", "0.1.0")


def test_an_older_spec_without_an_operation_the_config_names_is_diffed() -> None:
    """The config may give body arguments and path parameter names for an operation that
    only the new upstream has: the old side passes over them, as over its `methods`."""
    config = {
        **CONFIG_DATA,
        "body_arguments": {"POST /ai/assistants/{assistant_id}/clone": "clone_request"},
        "path_parameter_names": {
            "/ai/assistants/{assistant_id}/clone": {"assistant_id": "source_id"}
        },
    }
    old = copy.deepcopy(BASE)
    remove_operation(old)
    new = copy.deepcopy(BASE)
    new["paths"]["/ai/assistants/{assistant_id}/clone"]["post"]["requestBody"] = {
        "content": {"application/json": {"schema": {"type": "object"}}}
    }
    report = compare(
        surface("old", old, config, str(CONFIG)), surface("new", new, config, str(CONFIG))
    )
    assert [c.kind for c in report.changes] == ["method-added"], report.text("0.1.0")


def test_the_released_surface_stands_for_the_old_side(tmp_path: Path) -> None:
    """The surface a release writes, read back, is the old side: no change against the same
    spec; a method, argument or model it has and the candidate lacks is a change even where
    both specs are one (the generator made it), and so is an argument that lost its place."""
    side = surface("a", copy.deepcopy(BASE), CONFIG_DATA, str(CONFIG))
    written = tmp_path / "released-surface.json"
    written.write_text(manifest_text(side[0], "0.4.0"))
    released = read_manifest(written, "0.4.0", Problems())
    assert released is not None and compare(side, side, released).changes == []
    data = json.loads(written.read_text())
    arguments = data["methods"]["GET /ai/assistants/{assistant_id}"]["arguments"]
    arguments["assistant_id"]["positional"] = False
    arguments["old_keyword"] = {"type": "str", "accepts": ["str"], "required": False}
    arguments["old_keyword"]["positional"] = False
    data["methods"]["GET /ai/gone"] = {"call": "ai.gone", "returns": "None", "arguments": {}}
    data["models"]["GoneModel"] = "ai"
    written.write_text(json.dumps(data))
    report = compare(side, side, read_manifest(written, "0.4.0", Problems()))
    assert sorted((c.level, c.kind, c.subject) for c in report.changes) == [
        ("breaking", "argument-removed", "client.ai.assistants.retrieve()"),
        ("breaking", "method-removed", "client.ai.gone()"),
        ("breaking", "model-removed", "types.GoneModel"),
        ("feature", "argument-position", "client.ai.assistants.retrieve()"),
    ], report.text("0.4.0")
    with pytest.raises(GenerationFailed):
        read_manifest(written, "0.4.1", Problems())


def test_the_committed_released_surface_is_that_of_the_version() -> None:
    """spec/released-surface.json describes the version spec/sdk.yaml says: the next
    `make release` diffs from it (a release writes both)."""
    manifest = read_manifest(
        ROOT / "spec" / "released-surface.json", CONFIG_DATA["version"], Problems()
    )
    assert manifest is not None and manifest.methods


def test_diff_command_reads_files_and_git_revisions(tmp_path: Path) -> None:
    new = copy.deepcopy(BASE)
    add_enum_value(new)
    changed = tmp_path / "new.yaml"
    changed.write_text(yaml.dump(new, Dumper=yaml.CSafeDumper))
    run = [sys.executable, "-m", "generator", "diff"]
    text = subprocess.run(
        [*run, str(SPEC), str(changed)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "types.EventStatus: new value 'cancelled'" in text
    as_json = subprocess.run(
        [*run, "--json", f"HEAD:{SPEC.relative_to(ROOT)}", str(changed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"bump": "minor"' in as_json


@pytest.mark.skipif(not UPSTREAM.exists(), reason="the upstream spec lives in ../shared")
def test_release_on_an_unchanged_upstream_changes_nothing(tmp_path: Path) -> None:
    spec, config, out = tmp_path / "spec.yaml", tmp_path / "sdk.yaml", tmp_path / "out"
    spec.write_text(SPEC.read_text())
    config.write_text(CONFIG.read_text())
    from generator.cli import main

    assert main(["generate", "--spec", str(spec), "--config", str(config), "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in [spec, config, *sorted(out.rglob("*"))] if p.is_file()}
    assert (
        main(
            [
                "release",
                "--upstream",
                str(UPSTREAM),
                "--rules",
                str(ROOT / "spec" / "curation.yaml"),
                "--spec",
                str(spec),
                "--config",
                str(config),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    after = {p: p.read_bytes() for p in [spec, config, *sorted(out.rglob("*"))] if p.is_file()}
    assert after == before


@pytest.mark.skipif(not UPSTREAM.exists(), reason="the upstream spec lives in ../shared")
def test_release_of_a_changed_upstream_bumps_regenerates_and_logs(tmp_path: Path) -> None:
    from generator.cli import main
    from generator.loading import FastLoader

    upstream = yaml.load(UPSTREAM.read_text(), Loader=FastLoader)
    del upstream["paths"]["/ai/assistants/{assistant_id}/clone"]
    upstream["components"]["schemas"]["EventStatus"]["enum"].append("cancelled")
    changed = tmp_path / "upstream.yml"
    changed.write_text(
        yaml.dump(upstream, Dumper=yaml.CSafeDumper, sort_keys=False)
    )  # libyaml's dumper: the pure-Python one would be the slow part of this test
    spec, config, out = tmp_path / "spec.yaml", tmp_path / "sdk.yaml", tmp_path / "out"
    spec.write_text(SPEC.read_text())
    config.write_text(
        re.sub(r"^version: .*$", "version: 1.4.0", CONFIG.read_text(), count=1, flags=re.MULTILINE)
    )
    config_before = config.read_text()
    code = main(
        [
            "release",
            "--upstream",
            str(changed),
            "--rules",
            str(ROOT / "spec" / "curation.yaml"),
            "--spec",
            str(spec),
            "--config",
            str(config),
            "--out",
            str(out),
            "--date",
            "2026-11-24",
        ]
    )
    assert code == 0
    expected_config = config_before.replace("version: 1.4.0", "version: 2.0.0").replace(
        "  ai.assistants.clone: POST /ai/assistants/{assistant_id}/clone\n", ""
    )
    assert config.read_text() == expected_config
    assert '__version__ = "2.0.0"' in (out / "telnyx_ai" / "_version.py").read_text()
    assert (
        "def clone"
        not in (out / "telnyx_ai" / "resources" / "ai" / "assistants" / "__init__.py").read_text()
    )
    changelog = (out / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n\n## 2.0.0 (2026-11-24)\n")
    assert "### Breaking changes\n\n- client.ai.assistants.clone(): removed" in changelog
    assert "### Features\n\n- types.EventStatus: new value 'cancelled'" in changelog
    # the skill documents both changes: its entry says so, and it was regenerated
    assert (
        "### Agent skills regenerated (1)\n\n- `telnyx-ai-assistants-python`: "
        "`client.ai.assistants.clone()`, `types.EventStatus`" in changelog
    )
    skill = (out / "skills" / "telnyx-ai-assistants-python" / "SKILL.md").read_text()
    assert "assistants.clone(" not in skill and 'version: "2.0.0"' in skill


BAD_INPUTS = ROOT / "tests" / "units" / "bad_inputs"
# Broken inputs of the corpus that the diff reads too: it says what generate says of them.
BROKEN_FOR_DIFF = [
    "03-not-yaml",
    "07-ref-to-missing-component",
    "27-duplicate-yaml-key",
    "28-config-file-missing",
    "33-parameters-not-a-list",
    "35-recursive-yaml-alias",
    "39-nul-character",
    "40-not-utf-8",
]


@pytest.mark.parametrize("name", BROKEN_FOR_DIFF)
def test_diff_of_a_broken_input_is_the_located_error_generate_gives(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli import main

    case = BAD_INPUTS / name
    extra = (
        (case / "args").read_text().replace("{case}", str(case)).split()
        if (case / "args").exists()
        else []
    )
    code = main(
        [
            "diff",
            str(BAD_INPUTS / "_base" / "spec.yaml"),
            str(case / "spec.yaml"),
            "--config",
            str(case / "sdk.yaml"),
            *extra,
        ]
    )
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.replace(str(case), "{case}") == (case / "expected.txt").read_text()
