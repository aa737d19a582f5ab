"""The whole run, stage by stage: load -> validate -> normalise -> IR -> render -> write.

Each stage is a function of the one before; problems are collected, and the run stops at
the first stage boundary that has errors, before anything is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .ir import Api
from .ir_builder import build_api
from .loading import SourceMap, load_yaml
from .modelling import render_models
from .normalising import normalise
from .problems import GenerationFailed, Problems
from .rendering import format_files, make_environment, render_files
from .validating import validate_spec

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = Path("spec/ai-assistants.openapi.yaml")
DEFAULT_CONFIG = Path("spec/sdk.yaml")
DEFAULT_OUT = Path("generated")
TEMPLATES = ROOT / "templates"


@dataclass
class Result:
    api: Api
    files: dict[str, str]
    problems: Problems = field(default_factory=Problems)


def build(
    spec: Path,
    config: Path,
    problems: Problems,
    *,
    custom_templates: Path | None = None,
    strict: bool = False,
    workers: int | None = None,
) -> Result:
    """Render the complete project in memory; raise GenerationFailed on errors."""
    source_map = SourceMap()
    problems.locate = source_map.locate
    spec_doc = load_yaml(spec, problems, source_map)
    config_doc = load_yaml(config, problems, source_map)
    problems.raise_if_errors()
    assert spec_doc is not None and config_doc is not None
    validate_spec(spec_doc.data, spec_doc.path, problems, cache_dir=ROOT / "build" / "cache")
    problems.raise_if_errors()
    normalised = normalise(spec_doc.data, spec_doc.path, problems)
    problems.raise_if_errors()
    api = build_api(normalised.document, spec_doc.path, config_doc.data, config_doc.path, problems)
    problems.raise_if_errors()
    assert api is not None
    if custom_templates is not None and not custom_templates.is_dir():
        problems.error("custom template directory does not exist", str(custom_templates))
        problems.raise_if_errors()
    env = make_environment(TEMPLATES, custom_templates)
    models = render_models(normalised.document, api.config.package, TEMPLATES / "models", spec_doc.path, problems)
    problems.raise_if_errors()
    import jinja2

    try:
        files = render_files(api, models, env, _label(spec))
    except jinja2.TemplateSyntaxError as exc:
        problems.error(f"template syntax error: {exc.message}", exc.filename or exc.name or "template", position=(exc.lineno, 1))
        raise GenerationFailed(problems) from None
    except jinja2.TemplateError as exc:
        problems.error(f"template error: {exc}", "templates")
        raise GenerationFailed(problems) from None
    try:
        files = format_files(files, workers or min(2, os.cpu_count() or 1))
    except SyntaxError as exc:
        problems.error(str(exc), "templates")
        raise GenerationFailed(problems) from None
    problems.raise_if_errors(strict=strict)
    return Result(api, files, problems)


def _label(spec: Path) -> str:
    """How generated headers name the spec: relative to the project, never a machine path."""
    try:
        return spec.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return spec.name
