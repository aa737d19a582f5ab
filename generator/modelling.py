"""Stage 4a: pydantic v2 models through datamodel-code-generator's library API.

The normalised document already names every class (see normalising.py), so the model
generator only renders them. We check that it invented no name of its own (it numbers
colliding names, `Status1`, which a good SDK must not ship) and report any as errors.
"""

from __future__ import annotations

import ast
import heapq
import re
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from .naming import MODEL_METHODS
from .normalising import SCHEMA_MAPS
from .parallel import ChildFailed, Forked, can_fork, cores
from .problems import Problems, split_pointer
from .validating import SCHEMA_REF, iter_nodes

_DEFINED = re.compile(r"^(?:class (\w+)\b|(\w+) = TypeAliasType\()", re.MULTILINE)


def render_models(document: dict[str, Any], package: str, template_dir: Path, file: str, problems: Problems, *, workers: int | None = None) -> str:
    """Source of the models module for `document`'s component schemas.

    Schemas that reference each other are generated together; groups that share nothing
    are shared out among `workers` processes (one per core by default) and their modules
    merged, in the order one run would have given.
    """
    schemas = document.get("components", {}).get("schemas")
    if not schemas:
        return "from __future__ import annotations\n"  # no schemas: an empty models module
    groups = _share_out(schemas, workers or cores())
    beside = [Forked(partial(_generate, _subdocument(document, group), package, template_dir)) for group in groups[1:]]
    try:
        sources = [_generate(_subdocument(document, groups[0]), package, template_dir)]
        sources += [forked.result() for forked in beside]
        source = sources[0] if len(sources) == 1 else _merge(sources)
        module = "from __future__ import annotations\n" + _drop_unused_imports(source)
    except Exception as exc:  # the model generator's own errors carry no positions
        kind = exc.kind if isinstance(exc, ChildFailed) else type(exc).__name__
        problems.error(f"model generation failed: {kind}: {exc}", file, "/components/schemas")
        return ""
    finally:
        for forked in beside:
            forked.cancel()
    expected, defined = set(schemas), set()
    for match in _DEFINED.finditer(source):
        name = match.group(1) or match.group(2)
        if name not in expected:
            problems.error(
                f"the model generator invented the class name {name!r}; name the schema it came from "
                "in the curation rules",
                file,
                "/components/schemas",
            )
        elif name in defined:
            problems.error(f"the model generator defined {name!r} twice", file, "/components/schemas")
        defined.add(name)
    return module


def _generate(document: dict[str, Any], package: str, template_dir: Path) -> str:
    """datamodel-code-generator's module for `document`, as it wrote it."""
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator._shared_types import LiteralType
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import Formatter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # its notices about future defaults
        warnings.simplefilter("ignore", UserWarning)  # e.g. unknown formats: validation reports those
        source = generate(
            document,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_310,
            base_class=f"{package}._models.TelnyxModel",
            additional_imports=[
                f"{package}._models.OpenEnum",
                f"{package}._models.OpenIntEnum",
                f"{package}._models.UnknownVariant",
                "typing.Union",
            ],
            custom_template_dir=template_dir,
            aliases={name: name + "_" for name in MODEL_METHODS},
            type_mappings=["uuid=string"],  # an id is `str` in a response, as signatures have it (type_expressions.Text)
            use_annotated=True,
            field_constraints=True,
            use_union_operator=True,
            use_standard_collections=True,
            use_type_alias=True,
            snake_case_field=True,
            capitalise_enum_members=True,
            set_default_enum_member=True,
            enum_field_as_literal=LiteralType.One,
            use_schema_description=True,
            use_field_description=True,
            use_double_quotes=True,
            disable_timestamp=True,
            formatters=[Formatter.ISORT],
        )
    assert isinstance(source, str)
    return source


def _share_out(schemas: dict[str, Any], workers: int) -> list[list[str]]:
    """The schema names in up to `workers` groups of about equal size, none of which
    references a schema of another (each group generates on its own), in document order."""
    if workers < 2 or not can_fork():
        return [list(schemas)]
    root = {name: name for name in schemas}  # union-find over references

    def find(name: str) -> str:
        while root[name] != name:
            root[name] = root[root[name]]
            name = root[name]
        return name

    for name, schema in schemas.items():
        for target in _schemas_named(schema, root):
            root[find(target)] = find(name)
    linked: dict[str, list[str]] = {}
    for name in schemas:
        linked.setdefault(find(name), []).append(name)
    groups: list[list[str]] = [[] for _ in range(min(workers, len(linked)))]
    for component in sorted(linked.values(), key=len, reverse=True):  # largest first, each to the smallest group
        min(groups, key=len).extend(component)
    order = {name: index for index, name in enumerate(schemas)}
    return [sorted(group, key=order.__getitem__) for group in groups]


def _schemas_named(schema: Any, schemas: dict[str, Any]) -> Iterator[str]:
    """The component schemas that `schema` refers to: by `$ref` (to the schema or into it)
    and by the names or references of its discriminators' mappings."""
    for node in iter_nodes(schema):
        discriminator = node.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        for target in [node.get("$ref"), *(mapping.values() if isinstance(mapping, dict) else ())]:
            if not isinstance(target, str):
                continue
            name = split_pointer(target[len(SCHEMA_REF) :])[0] if target.startswith(SCHEMA_REF) else target
            if name in schemas:
                yield name


def _subdocument(document: dict[str, Any], names: list[str]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    return {**document, "components": {"schemas": {name: _untitled(schemas[name]) for name in names}}}


_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties")


def _untitled(schema: Any) -> Any:
    """`schema` without the `title` of any schema in it: a model has its name and each field
    its own (the model generator would write every title into `Field(title=...)`); a
    property named `title` stays."""
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    for key in SCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: _untitled(sub) for name, sub in out[key].items()}
    for key in _SUBSCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_untitled(sub) for sub in out[key]]
    for key in _SUBSCHEMA:
        if key in out:
            out[key] = _untitled(out[key])
    return out


def _merge(sources: list[str]) -> str:
    """One module of several generated from unrelated schemas: their imports united, their
    definitions interleaved as one run orders them (each keeps its own order, which puts
    what a definition needs before it), the `model_rebuild()` calls last, in the order of
    the definitions they rebuild."""
    import isort

    imports: dict[tuple[int, str], set[str]] = {}
    plain: set[str] = set()
    blocks: list[list[tuple[str, str]]] = []
    rebuilds: list[list[tuple[str, str]]] = []
    for source in sources:
        statements, code = _split_module(source)
        for statement in statements:
            if isinstance(statement, ast.ImportFrom):
                names = imports.setdefault((statement.level, statement.module or ""), set())
                names.update(a.name + (f" as {a.asname}" if a.asname else "") for a in statement.names)
            else:
                plain.add(ast.unparse(statement))
        definitions, rebuild_calls = _definitions(code)
        blocks.append(definitions)
        rebuilds.append(rebuild_calls)
    lines = sorted(plain) + [f"from {'.' * level}{module} import {', '.join(sorted(names))}" for (level, module), names in sorted(imports.items())]
    head = isort.code("\n".join(lines) + "\n")
    merged = list(heapq.merge(*(_runs(group) for group in blocks)))
    place = {name: index for index, (_, name, _) in enumerate(merged)}
    calls = [text for _, text in sorted((call for group in rebuilds for call in group), key=lambda call: place.get(call[0], len(place)))]
    code = "\n\n\n".join([*(text for _, _, text in merged), *(["\n".join(calls)] if calls else [])])
    ending = sources[0][len(sources[0].rstrip("\n")) :]  # as the generator ends its modules
    return "from __future__ import annotations\n" + head + "\n\n" + code + ending


def _runs(definitions: list[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """(run, name, text): the generator writes what needs nothing first, sorted by name,
    then what needs only those, sorted, and so on; a name that sorts before the one before
    it starts the next run. Ordered by (run, name), each group keeps its own order."""
    run, previous, numbered = 0, "", []
    for name, text in definitions:
        if name < previous:
            run += 1
        previous = name
        numbered.append((run, name, text))
    return numbered


def _definitions(code: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, text) of each top-level definition (with the docstrings after it), and of
    each `Name.model_rebuild()` call."""
    lines = code.split("\n")
    definitions: list[tuple[str, list[str]]] = []
    calls: list[tuple[str, str]] = []
    start = 0
    for statement in ast.parse(code).body:
        text = lines[start : statement.end_lineno]
        start = statement.end_lineno or start
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            target = statement.value.func
            name = target.value.id if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) else ""
            calls.append((name, "\n".join(text).strip("\n")))
        elif isinstance(statement, ast.Expr) and definitions:  # a docstring of the definition before
            definitions[-1][1].extend(text)
        elif isinstance(statement, ast.ClassDef):
            definitions.append((statement.name, text))
        else:
            targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
            name = targets[0].id if targets and isinstance(targets[0], ast.Name) else ""
            definitions.append((name, text))
    return [(name, "\n".join(text).strip("\n")) for name, text in definitions], calls


def _split_module(source: str) -> tuple[list[ast.stmt], str]:
    """A generated module's import statements (but `from __future__`, which the caller
    writes) and its code after them, as written. Only the head is parsed (the code is
    megabytes on the whole spec): it ends at the first line that starts a statement other
    than an import."""
    lines = source.split("\n")
    start = next((i for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", "#", ")") and not line.startswith(("from ", "import "))), len(lines))
    head = ast.parse("\n".join(lines[:start])).body
    if not all(isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in head):
        raise ValueError(f"unexpected statement among the imports of a generated module: {ast.unparse(head[-1])[:80]}")
    imports = [s for s in head if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
    return imports, "\n".join(lines[start:])


def _drop_unused_imports(source: str) -> str:
    """Remove the names our extra imports (and our Enum template) may leave unused."""
    imports, code = _split_module(source)
    lines: list[str] = []
    previous_end = 0
    for statement in imports:
        if lines and statement.lineno > previous_end + 1:
            lines.append("")  # keep isort's blank lines between groups
        previous_end = statement.end_lineno or statement.lineno
        if isinstance(statement, ast.ImportFrom):
            used = [a for a in statement.names if re.search(rf"\b{re.escape(a.asname or a.name)}\b", code)]
            if used:
                names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in used)
                lines.append(f"from {'.' * statement.level}{statement.module or ''} import {names}")
        else:
            lines.append(ast.unparse(statement))
    return "\n".join(lines).strip("\n") + "\n\n\n" + code
