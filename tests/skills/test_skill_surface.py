"""Every method, parameter and response field a generated skill names is checked against the
generated package by introspection, and every one the package has for the skill's area is
named: a parameter or field renamed in the spec fails here until the skill is regenerated.

The documents are read as an agent reads them (their tables and code), never through the
generator's own data, so that the generator cannot vouch for itself."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import shutil
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

import telnyx_ai
from telnyx_ai import types as models
from telnyx_ai.pagination import SyncPage
from telnyx_ai.types import _params as params

ROOT = Path(__file__).resolve().parents[2]
SKILLS = ROOT / "generated" / "skills"
CONFIG = yaml.safe_load((ROOT / "spec" / "sdk.yaml").read_text())
SKILL_NAMES = sorted(CONFIG.get("skills") or {})
COMMON = {"extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key"}
ROW = re.compile(r"^\| `([^`]+)`( \(positional\))? \|(.*)$")


def client() -> telnyx_ai.Telnyx:
    return telnyx_ai.Telnyx(api_key="skill-key")


def method_of(call: str) -> Any:
    """`client.ai.assistants.create` -> the bound method of a real client."""
    target: Any = client()
    for part in call.split(".")[1:]:
        target = getattr(target, part)
    return target


def area_methods(skill: str) -> set[str]:
    """Every method of the package below the skill's `methods` prefixes, by introspection."""
    found: set[str] = set()

    def walk(node: Any, dotted: str) -> None:
        for name in dir(type(node)):
            if name.startswith("_") or name.startswith("with_"):
                continue
            value = getattr(node, name)
            if isinstance(value, telnyx_ai._resource.SyncAPIResource):
                walk(value, f"{dotted}.{name}")
            elif inspect.ismethod(value) and dotted != "client":
                found.add(f"{dotted}.{name}")

    walk(client(), "client")
    prefixes = CONFIG["skills"][skill]["methods"]
    return {
        m
        for m in found
        if any(m == f"client.{p}" or m.startswith(f"client.{p}.") for p in prefixes)
    }


def sections(text: str, level: str) -> Iterator[tuple[str, str]]:
    """(heading, body) of every section at `level` (`## ` or `### `)."""
    parts = re.split(rf"^{level}(.+)$", text, flags=re.MULTILINE)
    for i in range(1, len(parts), 2):
        yield parts[i].strip(), parts[i + 1]


def table_rows(body: str) -> list[tuple[str, bool, list[str]]]:
    """(name, positional, the other cells) of each row of the section's first table."""
    rows = []
    for line in body.splitlines():
        found = ROW.match(line)
        if found:
            cells = [c.strip() for c in found.group(3).strip().rstrip("|").split(" | ")]
            rows.append((found.group(1), bool(found.group(2)), cells))
    return rows


class Names(dict[str, Any]):
    """The names an annotation of a generated method uses, looked up in the package's
    (lazily loaded) types."""

    def __missing__(self, name: str) -> Any:
        if name == "SyncPage":
            return SyncPage
        try:
            return getattr(models, name)
        except AttributeError:
            raise KeyError(name) from None  # a builtin: eval looks in the globals next


def required_keys(typed_dict: Any) -> set[str]:
    """The keys a type checker requires: the package's TypedDicts are written under
    `from __future__ import annotations`, so `Required[...]` is read from the text."""
    keys = set()
    for key, annotation in typed_dict.__annotations__.items():
        text = getattr(annotation, "__forward_arg__", str(annotation))
        if text.startswith("Required[") or (
            typed_dict.__total__ and not text.startswith("NotRequired[")
        ):
            keys.add(key)
    return keys


def returned_model(method: Any) -> tuple[type[Any] | None, bool]:
    """The model the method's answer is (or a page's item), and whether it is a page."""
    annotation = inspect.signature(method).return_annotation
    namespace = {**vars(builtins), **vars(typing)}
    hint = eval(annotation, namespace, Names()) if isinstance(annotation, str) else annotation
    if typing.get_origin(hint) is SyncPage:
        return typing.get_args(hint)[0], True
    if typing.get_origin(hint) is list:
        return typing.get_args(hint)[0], False
    return (
        hint if isinstance(hint, type) and issubclass(hint, pydantic.BaseModel) else None
    ), False


def item_model(wrapper: type[Any]) -> type[Any] | None:
    """The model of the items of a wrapper's `data` list."""
    pending = [wrapper.model_fields["data"].annotation]
    while pending:
        hint = pending.pop()
        if isinstance(hint, type) and issubclass(hint, pydantic.BaseModel):
            return hint
        pending.extend(typing.get_args(hint))
    return None


def same_type(one: str, other: str) -> bool:
    """Whether two annotations are the same expression, however they are quoted."""
    return ast.dump(ast.parse(one, mode="eval")) == ast.dump(ast.parse(other, mode="eval"))


def reaches(model: type[Any] | None, path: str) -> bool:
    """Whether the dotted attribute path exists on instances of `model`, step by step."""
    for step in path.split("."):
        if model is None or step not in model.model_fields:
            return False
        pending, model = [model.model_fields[step].annotation], None
        while pending:  # the model inside `X | None`, `list[X]` and the like, if any
            hint = pending.pop()
            if isinstance(hint, type) and issubclass(hint, pydantic.BaseModel):
                model = hint
                break
            pending.extend(typing.get_args(hint))
    return True


SIGNATURE = re.compile(r"`(client(?:\.[a-z_0-9]+)+)\(([^)`]*)\)`")


@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_every_short_signature_takes_the_arguments_as_the_package_does(skill: str) -> None:
    """`tools.add(tool_id, *, assistant_id, ...)`: the positional ones, then the required
    keywords, and `...` exactly where there are optional ones."""
    text = (SKILLS / skill / "SKILL.md").read_text()
    index = text[text.index("## Other operations") :]
    rows = [line for line in index.splitlines() if line.startswith("| ") and "`client." in line]
    # every row of the index, and every signature with arguments elsewhere (`x()` elsewhere
    # names a method, as in the pagination note)
    signatures = [SIGNATURE.search(row) for row in rows]
    before = text[: text.index("## Other operations")]
    signatures += [m for m in SIGNATURE.finditer(before) if m.group(2)]
    checked = 0
    for found in signatures:
        assert found is not None
        call, arguments = found.groups()
        parts = [p.strip() for p in arguments.split(",")] if arguments else []
        more = bool(parts) and parts[-1] == "..."
        parts = parts[:-1] if more else parts
        star = parts.index("*") if "*" in parts else len(parts)
        signature = inspect.signature(method_of(call)).parameters
        own = {n: p for n, p in signature.items() if n not in COMMON}
        positional = [n for n, p in own.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
        required = [n for n, p in own.items() if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
        assert parts[:star] == positional, f"{call}: positional {parts[:star]} != {positional}"
        assert parts[star + 1 :] == required, f"{call}: keywords {parts[star + 1 :]} != {required}"
        assert more == any(p.default is not p.empty for p in own.values()), call
        checked += 1
    assert len(rows) == len(area_methods(skill)) - len(re.findall(r"^### ", text, re.M))
    assert checked >= len(rows)


def test_what_the_skill_says_of_errors_and_retries_is_the_runtimes() -> None:
    from telnyx_ai import _exceptions, _retries

    for skill in SKILL_NAMES:
        text = (SKILLS / skill / "SKILL.md").read_text()
        found = re.search(r"Retried (\d+) times by default", text)
        assert found and int(found.group(1)) == _retries.DEFAULT_MAX_RETRIES
        statuses = re.search(r"the statuses ([\d, ]+);", text)
        assert statuses is not None
        said = {int(code) for code in statuses.group(1).split(", ")}
        assert said == set(_retries.DEFAULT_RETRY_STATUSES)
        classes = dict(re.findall(r"`([A-Za-z]+Error)` \((\d{3})\)", text))
        assert {int(v): k for k, v in classes.items()} == {
            code: cls.__name__ for code, cls in _exceptions._BY_STATUS.items()
        }
        for name in re.findall(r"except [a-z_]+\.([A-Za-z]+):", text) + re.findall(
            r"except [a-z_]+\.([A-Za-z]+) as", text
        ):
            assert issubclass(getattr(telnyx_ai, name), telnyx_ai.TelnyxError), name


def check_parameters(call: str, rows: list[tuple[str, bool, list[str]]], complete: bool) -> None:
    signature = inspect.signature(method_of(call))
    for name, positional, cells in rows:
        assert name in signature.parameters, f"{call} has no parameter {name!r}"
        parameter = signature.parameters[name]
        kind = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if positional
            else inspect.Parameter.KEYWORD_ONLY
        )
        assert parameter.kind is kind, f"{call}({name}) is {parameter.kind}, the skill says {kind}"
        required = "Yes" in cells[:-1]
        assert required == (parameter.default is inspect.Parameter.empty), (
            f"{call}({name}): the skill says required={required}"
        )
        # the type as the signature writes it (an optional one also takes NOT_GIVEN)
        written = next(c for c in cells if c.startswith("`")).strip("`").replace("\\|", "|")
        annotation = str(parameter.annotation)
        assert same_type(annotation, written) or same_type(annotation, f"{written} | NotGiven"), (
            f"{call}({name}): the skill says {written}, the signature {annotation}"
        )
    if complete:
        named = {name for name, _, _ in rows}
        assert named == set(signature.parameters) - COMMON, f"{call}: parameters missing or extra"


@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_every_method_of_the_area_is_in_the_skill_and_nothing_else(skill: str) -> None:
    text = (SKILLS / skill / "SKILL.md").read_text()
    named = set(re.findall(r"`(client(?:\.[a-z_0-9]+)+)\(", text))
    for call in named:
        assert callable(method_of(call)), call
    assert named == area_methods(skill)
    details = (SKILLS / skill / "references" / "api-details.md").read_text()
    documented = {heading.strip("`()") for heading, _ in sections(details, "## ")} - {
        "Response models",
        "Parameter dicts",
    }
    assert documented == area_methods(skill)


@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_every_parameter_and_field_of_the_api_details_is_the_packages(skill: str) -> None:
    details = (SKILLS / skill / "references" / "api-details.md").read_text()
    checked = 0
    for heading, body in sections(details, "## "):
        if not heading.startswith("`client."):
            continue
        call = heading.strip("`()")
        rows = table_rows(body)
        arguments = [row for row in rows if not row[0].startswith(("item.", "result."))]
        fields = [row for row in rows if row not in arguments]
        check_parameters(call, [r for r in arguments if "." not in r[0]], complete=True)
        model, _ = returned_model(method_of(call))
        if model is not None and re.search(r"the items are in `[a-z_]+\.data`", body):
            model = item_model(model)
        names = {row[0].split(".", 1)[1] for row in fields if "." in row[0]}
        if model is not None and fields:
            assert names == set(model.model_fields), f"{call}: response fields differ"
        checked += 1
    assert checked == len(area_methods(skill))


@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_every_model_and_parameter_dict_of_the_api_details_is_the_packages(skill: str) -> None:
    details = (SKILLS / skill / "references" / "api-details.md").read_text()
    _, model_part = details.split("\n## Response models\n")
    model_part, param_part = model_part.split("\n## Parameter dicts\n")
    for heading, body in sections(model_part, "### "):
        model = getattr(models, heading.strip("`"))
        assert {name for name, _, _ in table_rows(body)} == set(model.model_fields), heading
    for heading, body in sections(param_part, "### "):
        typed_dict = getattr(params, heading.strip("`"))
        rows = table_rows(body)
        assert {name for name, _, _ in rows} == set(typed_dict.__annotations__), heading
        for name, _, cells in rows:
            assert (cells[1] == "Yes") == (name in required_keys(typed_dict)), (heading, name)


@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_the_tasks_say_what_the_package_does(skill: str) -> None:
    """Each task's parameters, its count of the rest, the response fields it names and
    whether it pages; the pagination note names exactly the methods that return pages."""
    text = (SKILLS / skill / "SKILL.md").read_text()
    anchors = set(
        re.findall(
            r'<a id="([^"]+)"', (SKILLS / skill / "references" / "api-details.md").read_text()
        )
    )
    tasks = 0
    for _heading, body in sections(text, "### "):
        calls = re.findall(r"^`(client(?:\.[a-z_0-9]+)+)\(\)`", body, re.MULTILINE)
        if not calls:
            continue
        call = calls[0]
        method = method_of(call)
        rows = table_rows(body)
        check_parameters(call, rows, complete=False)
        more = re.search(
            r"^\+(\d+) optional parameters?: \[.*?\]\(references/api-details.md#([^)]+)\)",
            body,
            re.M,
        )
        shown_optional = sum(1 for _, _, cells in rows if "No" in cells[:-1])
        signature = inspect.signature(method).parameters
        optional = [
            n
            for n, p in signature.items()
            if p.default is not inspect.Parameter.empty and n not in COMMON
        ]
        assert shown_optional + (int(more.group(1)) if more else 0) == len(optional), call
        if more:
            assert more.group(2) in anchors, f"{call}: the link to {more.group(2)} leads nowhere"
        model, page = returned_model(method)
        if model is not None and re.search(r"the items are in `[a-z_]+\.data`", body):
            model = item_model(model)
        assigned = re.findall(r"^(?:for )?([a-z_]+)(?: =| in) client\.", body, re.MULTILINE)
        for variable, path in re.findall(r"^- `([a-z_]+)\.([a-z_0-9.]+)` \(", body, re.M):
            # the variable is the example's own (or an item of what it returns)
            assert variable in (*assigned, "item"), f"{call}: `{variable}` is not in the example"
            assert reaches(model, path), f"{call}: `{variable}.{path}` reaches nothing"
        assert page == ("walks every item of every page" in body), call
        tasks += 1
    configured = CONFIG["skills"][skill]
    assert tasks == len(configured.get("core") or {}) + len(configured.get("supporting") or {})
    note = re.search(r"^- Pagination: (.*)$", text, re.MULTILINE)
    assert note is not None
    paged = set(re.findall(r"`(client[a-z_.0-9]+)\(\)`", note.group(1)))
    assert paged == {m for m in area_methods(skill) if returned_model(method_of(m))[1]}


@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_the_skill_keeps_to_the_agent_skills_limits(skill: str) -> None:
    text = (SKILLS / skill / "SKILL.md").read_text()
    front, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(front.removeprefix("---\n"))
    assert meta["name"] == skill == (SKILLS / skill).name
    assert 0 < len(meta["description"]) <= 1024
    assert len(body.splitlines()) < 500
    # about 4 characters a token for English prose and code: the specification's 5,000
    assert len(body) / 4 <= 5000 * 1.1
    links = re.findall(r"\]\(([^)#]+)", body)
    assert all(link.count("/") <= 1 and (SKILLS / skill / link).is_file() for link in links)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="skills-ref needs Python 3.11")
@pytest.mark.parametrize("skill", SKILL_NAMES)
def test_the_agent_skills_reference_validator_accepts_the_skill(skill: str) -> None:
    # the command of the skills-ref package (0.1.1) is called agentskills
    command = shutil.which("agentskills", path=str(Path(sys.executable).parent))
    assert command, "skills-ref is a dev dependency: make setup installs it"
    done = subprocess.run(
        [command, "validate", str(SKILLS / skill)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
