"""The runtime as the generator ships it: plain Python modules of generator/runtime/,
copied into every package as they are, beside one generated module of the config's values
(`_settings.py`); and the resources that call it, which need no cast()."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest

from generator.config import load_config
from generator.pipeline import build
from generator.problems import Problems
from generator.rendering import HEADER, RUNTIME

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
MODULES = sorted(RUNTIME.glob("*.py"))
LONGEST = 60  # lines of a function of the runtime


def test_the_runtime_is_there() -> None:
    names = {p.name for p in MODULES}
    assert {"_base_client.py", "_request.py", "_retries.py", "_response.py", "_logging.py"} <= names
    assert {"_exceptions.py", "pagination.py", "_streaming.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_runtime_module_holds_no_jinja(path: Path) -> None:
    """Jinja parses it as one piece of text: no tag, no expression, no comment."""
    template = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    pieces = [node for output in template.body for node in output.iter_child_nodes()]
    assert len(template.body) == 1 and isinstance(template.body[0], jinja2.nodes.Output)
    assert all(isinstance(node, jinja2.nodes.TemplateData) for node in pieces)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_function_of_the_runtime_is_longer_than_60_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > LONGEST
    ]
    assert not long, long


def test_generated_holds_each_runtime_module_as_it_is_under_the_header() -> None:
    header = HEADER.format(spec="spec/ai-assistants.openapi.yaml")
    package = ROOT / "generated" / "telnyx_ai"
    for path in MODULES:
        copied = (package / path.name).read_text(encoding="utf-8")
        assert copied == header + path.read_text(encoding="utf-8"), path.name


def test_a_package_without_webhooks_gets_no_webhook_module_and_its_own_settings() -> None:
    result = build(GOLDEN / "names" / "spec.yaml", GOLDEN / "names" / "sdk.yaml", Problems())
    names = {p.removeprefix("fx_names/") for p in result.files if p.startswith("fx_names/")}
    assert {p.name for p in MODULES} - names == {"_webhooks.py"}
    settings = result.files["fx_names/_settings.py"]
    assert 'PACKAGE = "fx_names"' in settings and 'DISTRIBUTION = "fx-names"' in settings
    assert "PATTERN_HINTS: dict[str, str] = {}" in settings and "WEBHOOK_" not in settings


def _assigned(source: str) -> set[str]:
    tree = ast.parse(source)
    names = {
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    return names | {
        n.target.id
        for n in tree.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def test_the_stub_of_settings_declares_what_the_template_renders() -> None:
    """`mypy generator/runtime` reads `_settings.pyi` for the generated `_settings.py`
    (here telnyx_ai's, which has every setting, webhooks too)."""
    generated = (ROOT / "generated" / "telnyx_ai" / "_settings.py").read_text(encoding="utf-8")
    stub = (RUNTIME / "_settings.pyi").read_text(encoding="utf-8")
    assert _assigned(generated) == _assigned(stub)


def _resource_modules() -> list[Path]:
    trees = [ROOT / "generated", *(p for p in GOLDEN.glob("*/expected") if p.is_dir())]
    return [p for tree in trees for p in tree.glob("*/resources/**/*.py")]


def test_no_generated_resource_casts() -> None:
    """`request()` and the pages are generic in the type of the call, so no resource method
    casts (tests/golden/test_golden.py shows that mypy holds `cast_to` to the type)."""
    modules = _resource_modules()
    assert len(modules) > 50
    casting = [str(p.relative_to(ROOT)) for p in modules if re.search(r"\bcast\(", p.read_text())]
    assert not casting, casting


def test_pattern_hints_come_from_the_config() -> None:
    base = {
        "package": "p",
        "distribution": "p",
        "version": "1.0.0",
        "base_url": "https://x.test",
    }
    problems = Problems()
    config = load_config({**base, "pattern_hints": {"^a+$": "only a's"}}, "sdk.yaml", problems)
    assert config is not None and config.pattern_hints == (("^a+$", "only a's"),)
    assert load_config(base, "sdk.yaml", Problems()).pattern_hints == ()  # type: ignore[union-attr]
    problems = Problems()
    assert load_config({**base, "pattern_hints": {"^a$": 3}}, "sdk.yaml", problems) is None
    assert [p.render() for p in problems] == [
        "sdk.yaml: error: `pattern_hints` values must be non-empty strings "
        "(what a matching value is) (/pattern_hints/^a$)"
    ]


def test_the_clients_show_their_options_and_methods_and_keep_the_machinery_private() -> None:
    from generator.runtime_names import CLIENT_ATTRIBUTES
    from telnyx_ai import AsyncTelnyx, Telnyx

    # the names generated resources must not take, and the top-level resource of the spec
    documented = CLIENT_ATTRIBUTES | {"ai"}
    for client in (Telnyx, AsyncTelnyx):
        public = {n for n in dir(client(api_key="k")) if not n.startswith("_")}
        assert public == documented, client.__name__
