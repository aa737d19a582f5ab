"""The whole run, stage by stage: load -> validate -> normalise -> IR -> render -> write.

Each stage is a function of the one before; problems are collected, and the run stops at
the first stage boundary that has errors, before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import included_methods_file, load_skills, with_included_methods
from .ir import Api, Skill
from .ir_builder import build_api
from .loading import Document, SourceMap, load_yaml
from .modelling import render_models
from .normalising import Normalised, normalise
from .problems import GenerationFailed, Problems
from .rendering import (
    RenderedCodeInvalid,
    format_files,
    make_environment,
    render_files,
    template_of,
)
from .skills import render_skills
from .validating import SchemaCheck, validate_spec
from .writing import hand_written

# The project the generator works on: its checkout when it runs from one, else the directory
# it runs in (an installed `telnyx-codegen`). Its templates are package data either way.
_CHECKOUT = Path(__file__).resolve().parent.parent
ROOT = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else Path.cwd()
DEFAULT_SPEC = Path("spec/ai-assistants.openapi.yaml")
DEFAULT_CONFIG = Path("spec/sdk.yaml")
DEFAULT_OUT = Path("generated")
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class Result:
    api: Api
    files: dict[str, str]  # every file the generator owns, by path inside the output
    problems: Problems = field(default_factory=Problems)


CACHE = ROOT / "build" / "cache"


def caching() -> bool:
    """Whether results are remembered in CACHE (`TELNYX_CODEGEN_NO_CACHE=1` turns it off)."""
    return not os.environ.get("TELNYX_CODEGEN_NO_CACHE")


def _input_digest(
    spec: Path, config: Path, custom_templates: Path | None, strict: bool
) -> str | None:
    """SHA-256 of everything the output depends on: the inputs' bytes, the templates, the
    generator's own code and the versions of the libraries that render and format."""
    from importlib.metadata import version

    if custom_templates is not None and not custom_templates.is_dir():
        return None  # the real run reports it
    digest = hashlib.sha256()
    try:
        for path in (spec, config, *_included(config)):
            content = path.read_bytes()
            digest.update(f"{len(content)}:".encode() + content)
        for folder in (
            Path(__file__).parent,
            custom_templates,
        ):  # the generator's code and its templates
            if folder is None:
                continue
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(
                        str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes()
                    )
    except OSError:
        return None  # an unreadable input is reported by the real run
    libraries = " ".join(
        version(name)
        for name in (
            "datamodel-code-generator",
            "ruff",
            "jinja2",
            "ruamel.yaml",
            "pyyaml",
            "pydantic",
            "openapi-spec-validator",
            "jsonschema-rs",
        )
    )
    # problems name the files as they were given, so the names are part of the key
    digest.update(
        f"{libraries} {strict} {spec_label(spec)} {spec} {config} {custom_templates}".encode()
    )
    return digest.hexdigest()


def _included(config: Path) -> list[Path]:
    """The config whose `methods` `config` includes, as an input of its own."""
    document = load_yaml(config, Problems())
    included = included_methods_file(str(config), document.data) if document else None
    return [included] if included is not None else []


def cached_build(
    spec: Path,
    config: Path,
    problems: Problems,
    *,
    custom_templates: Path | None = None,
    strict: bool = False,
) -> Result:
    """`build`, remembered by the digest of its inputs: an unchanged regeneration costs a
    hash and a read. A corrupt or unreadable cache entry is ignored."""
    digest = _input_digest(spec, config, custom_templates, strict) if caching() else None
    entry = CACHE / f"generate-{digest}.pickle" if digest else None
    if entry is not None and entry.exists():
        try:
            with open(entry, "rb") as stream:
                cached: Result = pickle.load(stream)  # noqa: S301 - our own cache file
            problems.extend(cached.problems)
            return Result(cached.api, cached.files, problems)
        except Exception:  # noqa: BLE001 - fall back to a real run
            pass
    result = build(spec, config, problems, custom_templates=custom_templates, strict=strict)
    if entry is not None:
        try:
            CACHE.mkdir(parents=True, exist_ok=True)
            scratch = entry.with_suffix(f".{os.getpid()}.tmp")
            with open(scratch, "wb") as stream:
                pickle.dump(
                    Result(result.api, result.files, Problems(list(result.problems.items))), stream
                )
            os.replace(scratch, entry)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return result


def build(
    spec: Path,
    config: Path,
    problems: Problems,
    *,
    custom_templates: Path | None = None,
    strict: bool = False,
    label: str | None = None,
) -> Result:
    """Render the complete project in memory; raise GenerationFailed on errors. `label` is
    how the generated files name the spec (default: its path in the project)."""
    source_map = SourceMap()
    problems.locate = source_map.locate
    spec_doc = load_yaml(spec, problems, source_map)
    config_doc = load_yaml(config, problems, source_map)
    if config_doc is not None:
        config_doc.data = with_included_methods(
            config_doc.data, config_doc.path, problems, source_map
        )
    problems.raise_if_errors()
    assert spec_doc is not None and config_doc is not None
    check = validate(spec_doc.data, spec_doc.path, problems)
    problems.raise_if_errors()
    # openapi-spec-validator runs in a child process meanwhile. What the later stages find
    # is kept apart until its verdict is in: a spec it rejects is reported by its errors,
    # not by what followed from them.
    later = Problems(locate=problems.locate)
    try:
        api, files = _render(
            spec_doc, config_doc, later, custom_templates, label or spec_label(spec)
        )
    except Exception as exc:
        check(problems)
        problems.raise_if_errors()
        if not isinstance(exc, GenerationFailed):
            raise
        problems.extend(later)
        raise GenerationFailed(problems) from None
    except BaseException:  # Ctrl-C: no verdict is wanted any more
        check.cancel()
        raise
    check(problems)
    problems.raise_if_errors()
    problems.extend(later)
    try:
        files = format_files(files)
    except RenderedCodeInvalid as exc:
        if exc.path:
            origin = template_of(exc.path, api.config.package)
            problems.error(
                f"rendered code is not valid Python: {exc.message} (rendered from the template "
                f"{origin})",
                exc.path,
                position=(exc.line, exc.column),
            )
        else:
            problems.error(exc.message, "templates")
        raise GenerationFailed(problems) from None
    problems.raise_if_errors(strict=strict)
    return Result(api, files, problems)


def validate(document: dict[str, Any], file: str, problems: Problems) -> SchemaCheck:
    """The first stage after loading: our checks, here; the check against the OpenAPI schema
    under way beside the caller (the SchemaCheck waits for its verdict)."""
    return validate_spec(document, file, problems, cache_dir=CACHE if caching() else None)


def front(
    document: dict[str, Any],
    spec_file: str,
    config_data: dict[str, Any],
    config_file: str,
    problems: Problems,
) -> tuple[Normalised, Api]:
    """The stages between validation and rendering: the normalised document and the IR built
    from it; errors are raised at each stage's end. The API diff compares what they make."""
    config = config_data if isinstance(config_data, dict) else {}
    normalised = normalise(
        document, spec_file, problems, config.get("methods"), config.get("segment_names")
    )
    problems.raise_if_errors()
    api = build_api(normalised.document, spec_file, config_data, config_file, problems)
    problems.raise_if_errors()
    assert api is not None
    return normalised, api


def _render(
    spec_doc: Document,
    config_doc: Document,
    problems: Problems,
    custom_templates: Path | None,
    label: str,
) -> tuple[Api, dict[str, str]]:
    """Normalise, build the IR, generate the models and render the templates (unformatted)."""
    normalised, api = front(
        spec_doc.data, spec_doc.path, config_doc.data, config_doc.path, problems
    )
    if custom_templates is not None and not custom_templates.is_dir():
        problems.error("custom template directory does not exist", str(custom_templates))
        problems.raise_if_errors()
    env = make_environment(TEMPLATES, custom_templates)
    models = render_models(
        normalised.document,
        api.config.package,
        TEMPLATES / "models",
        spec_doc.path,
        problems,
        api.homes,
    )
    problems.raise_if_errors()
    import jinja2

    try:
        skills = _skills(api, config_doc, problems)
        files = render_files(api, models, env, label, skills)
        files.update(render_skills(api, normalised.document, models, env, skills))
    except jinja2.TemplateSyntaxError as exc:
        problems.error(
            f"template syntax error: {exc.message}",
            exc.filename or exc.name or "template",
            position=(exc.lineno, 1),
        )
        raise GenerationFailed(problems) from None
    except jinja2.TemplateNotFound as exc:
        problems.error(
            f"template {exc.name} not found: the generator's templates are incomplete "
            "(reinstall telnyx-codegen)",
            "templates",
        )
        raise GenerationFailed(problems) from None
    except jinja2.TemplateError as exc:
        problems.error(f"template error: {exc}", "templates")
        raise GenerationFailed(problems) from None
    for path in sorted(p for p in files if hand_written(p, api.config.hand_written)):
        problems.error(
            f"the generator renders {path}, which is declared hand-written (rename the "
            "resource or the path)",
            config_doc.path,
            "/hand_written",
        )
    problems.raise_if_errors()
    return api, files


def _skills(api: Api, config_doc: Document, problems: Problems) -> tuple[Skill, ...]:
    """The agent skills the config asks for (`skills:`), checked against the SDK's methods."""
    config = config_doc.data if isinstance(config_doc.data, dict) else {}
    skills = load_skills(config.get("skills"), config_doc.path, problems, api.methods)
    problems.raise_if_errors()
    return skills


def spec_label(spec: Path) -> str:
    """How generated headers name the spec: relative to the project, never a machine path."""
    try:
        return spec.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return spec.name
