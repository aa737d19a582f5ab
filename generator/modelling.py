"""Stage 4a: pydantic v2 models through datamodel-code-generator's library API.

The normalised document already names every class (see normalising.py), so the model
generator only renders them. We check that it invented no name of its own (it numbers
colliding names, `Status1`, which a good SDK must not ship) and report any as errors.
"""

from __future__ import annotations

import ast
import copy
import re
import warnings
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import partial
from pathlib import Path
from typing import Any

from .openapi import SCHEMA_MAPS, rewrite_refs, schemas_named
from .parallel import ChildFailed, Forked, can_fork, cores
from .problems import Problems
from .runtime_names import MODEL_METHODS
from .text import wrap_paragraphs

DOCSTRING_WIDTH = 100 - 4 - 4  # the line, the indent of a class body, a margin for the quotes
_DEFINED = re.compile(r"^(?:class (\w+)\b|(\w+) = TypeAliasType\()", re.MULTILINE)


def render_models(
    document: dict[str, Any],
    package: str,
    template_dir: Path,
    file: str,
    problems: Problems,
    homes: dict[str, str],
    *,
    workers: int | None = None,
) -> dict[str, str]:
    """The models modules for `document`'s component schemas, by path below `types/`: each
    model in the module the IR gave it (`homes`: `Assistant` -> `ai.assistants`), which the
    model generator is told through dotted schema names (`ai.assistants.Assistant`).

    Schemas that reference each other are generated together; groups that share nothing
    are shared out among `workers` processes (one per core by default) and their modules
    merged, each module's definitions in one canonical order (see `_ordered`).
    """
    schemas = document.get("components", {}).get("schemas")
    if not schemas:
        return {}
    groups = _share_out(schemas, workers or cores(), homes)
    beside = [
        Forked(partial(_generate, _subdocument(document, group, homes), package, template_dir))
        for group in groups[1:]
    ]
    try:
        outputs = [_generate(_subdocument(document, groups[0], homes), package, template_dir)]
        outputs += [forked.result() for forked in beside]
        packages = {
            ".".join(home.split(".")[:i])
            for home in homes.values()
            for i in range(1, home.count(".") + 1)
        }
        placed: dict[str, list[str]] = {}
        for output in outputs:
            for path, source in output.items():
                path, source = _placed(path, source, packages)
                placed.setdefault(path, []).append(source)
        bases = _bases_from_elsewhere(placed)
        merged = {path: _merge(placed[path], bases) for path in sorted(placed)}
        modules = {
            path: "from __future__ import annotations\n"
            + _drop_unused_imports(_fresh_defaults(source))
            for path, source in merged.items()
            if _DEFINED.search(source)
        }  # not an empty package
    except Exception as exc:  # the model generator's own errors carry no positions
        kind = exc.kind if isinstance(exc, ChildFailed) else type(exc).__name__
        problems.error(f"model generation failed: {kind}: {exc}", file, "/components/schemas")
        return {}
    finally:
        for forked in beside:
            forked.cancel()
    _check_definitions(modules, schemas, homes, file, problems)
    return modules


def _check_definitions(
    modules: dict[str, str],
    schemas: dict[str, Any],
    homes: dict[str, str],
    file: str,
    problems: Problems,
) -> None:
    """Every class and alias the model generator defined is a schema's, once, in its home."""
    defined: set[str] = set()
    for path, source in modules.items():
        module = _module_of(path)
        for match in _DEFINED.finditer(source):
            name = match.group(1) or match.group(2)
            if name not in schemas:
                problems.error(
                    f"the model generator invented the class name {name!r}; name the schema it "
                    "came from in the curation rules",
                    file,
                    "/components/schemas",
                )
            elif name in defined:
                problems.error(
                    f"the model generator defined {name!r} twice", file, "/components/schemas"
                )
            elif homes.get(name) != module:
                problems.error(
                    f"the model generator put {name!r} in types.{module}, not "
                    f"types.{homes.get(name)}",
                    file,
                    "/components/schemas",
                )
            defined.add(name)


def _generate(document: dict[str, Any], package: str, template_dir: Path) -> dict[str, str]:
    """datamodel-code-generator's modules for `document`, as it wrote them, by path."""
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator._shared_types import LiteralType
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import Formatter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # its notices about future defaults
        warnings.simplefilter(
            "ignore", UserWarning
        )  # e.g. unknown formats: validation reports those
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
                "pydantic.Field",  # for the factories of list and dict defaults (_fresh_defaults)
                "typing.Union",
            ],
            custom_template_dir=template_dir,
            aliases={name: name + "_" for name in MODEL_METHODS},
            # An id, URL or e-mail address is `str` in a response, as signatures have it
            # (pydantic's EmailStr would need email-validator, which the package lacks, and
            # would refuse an answer for an address the API accepted).
            type_mappings=["uuid=string", "uri=string", "email=string", "idn-email=string"],
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
            treat_dot_as_module=True,
            formatters=[Formatter.ISORT],
        )
    assert isinstance(source, dict)
    return {"/".join(path): _without_banner(text) for path, text in source.items()}


def _module_of(path: str) -> str:
    """`ai/assistants/__init__.py` or `ai/assistants.py` -> `ai.assistants`."""
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _placed(path: str, source: str, packages: set[str]) -> tuple[str, str]:
    """A module's path as the whole output has it: a package (`a/b/__init__.py`) when some
    module is below it, else `a/b.py`. One run sees only its own schemas' modules and may
    have written a package as `a/b.py` (never the other way: what is below a module in one
    run is below it in the whole); its relative imports then go one level further up."""
    module = _module_of(path)
    if path.endswith("__init__.py") or module not in packages:
        return path, source
    imports, code = _split_module(source)
    lines = []
    for statement in imports:
        if isinstance(statement, ast.ImportFrom) and statement.level:
            statement.level += 1
        lines.append(ast.unparse(statement))
    return module.replace(".", "/") + "/__init__.py", "\n".join(lines) + "\n\n\n" + code


def _without_banner(source: str) -> str:
    """A module without the generator's comment lines at its top (our header replaces them)."""
    lines = source.split("\n")
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "\n".join(lines[start:]).lstrip("\n")


def _share_out(
    schemas: dict[str, Any], workers: int, homes: dict[str, str] | None = None
) -> list[list[str]]:
    """The schema names in up to `workers` groups of about equal size, none of which
    references a schema of another (each group generates on its own), in document order.
    The models of a module that imports modules beside it (not above it: `other`) are all
    in one group, which names those imports once (two runs could both call theirs `items`)."""
    if workers < 2 or not can_fork():
        return [list(schemas)]
    root = {name: name for name in schemas}  # union-find over references

    def find(name: str) -> str:
        while root[name] != name:
            root[name] = root[root[name]]
            name = root[name]
        return name

    sideways: dict[str, str] = {}  # a module importing beside it -> one of its models
    for name, schema in schemas.items():
        for target in schemas_named(schema, root):
            root[find(target)] = find(name)
            home, there = (homes or {}).get(name, ""), (homes or {}).get(target, "")
            if home != there and not home.startswith(there + "."):
                root[find(sideways.setdefault(home, name))] = find(name)
    linked: dict[str, list[str]] = {}
    for name in schemas:
        linked.setdefault(find(name), []).append(name)
    groups: list[list[str]] = [[] for _ in range(min(workers, len(linked)))]
    for component in sorted(
        linked.values(), key=len, reverse=True
    ):  # largest first, each to the smallest group
        min(groups, key=len).extend(component)
    order = {name: index for index, name in enumerate(schemas)}
    return [sorted(group, key=order.__getitem__) for group in groups]


def _subdocument(
    document: dict[str, Any], names: list[str], homes: dict[str, str]
) -> dict[str, Any]:
    """The schemas `names` of `document`, each named by its module (`ai.assistants.Assistant`),
    references and discriminator mappings renamed alike, without titles."""
    schemas = document["components"]["schemas"]
    dotted = {name: f"{homes[name]}.{name}" for name in schemas}
    chosen = {dotted[name]: _untitled(copy.deepcopy(schemas[name])) for name in names}
    rewrite_refs(chosen, dotted)
    return {**document, "components": {"schemas": chosen}}


_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
)


def _untitled(schema: Any) -> Any:
    """`schema` without the `title` of any schema in it: a model has its name and each field
    its own (the model generator would write every title into `Field(title=...)`); a
    property named `title` stays. Descriptions, the models' docstrings, are wrapped."""
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(
        out.get("description"), str
    ):  # a docstring, four spaces in: wrapped to the line length
        out["description"] = wrap_paragraphs(out["description"], DOCSTRING_WIDTH)
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


_CLASS = re.compile(r"^class (\w+)(?:\(([^)]*)\))?", re.MULTILINE)


def _bases_from_elsewhere(placed: dict[str, list[str]]) -> set[str]:
    """The classes that a class of another module derives from (`shared.RegionOut` in
    `wireguard_interfaces`: `RegionOut`)."""
    found: set[str] = set()
    for sources in placed.values():
        defined: set[str] = set()
        bases: set[str] = set()
        for match in (m for source in sources for m in _CLASS.finditer(source)):
            defined.add(match.group(1))
            names = (match.group(2) or "").split(",")
            bases.update(n.strip().rsplit(".", 1)[-1] for n in names if n.strip())
        found |= bases - defined
    return found


def _merge(sources: list[str], bases: AbstractSet[str] = frozenset()) -> str:
    """One module of the modules that runs on unrelated schemas wrote for it: their imports
    united, their definitions in one canonical order (see `_ordered`; `bases`: the classes
    that classes of other modules derive from), whatever runs they came from, the `model_rebuild()`
    calls last, in the order of the definitions they rebuild."""
    import isort

    imports: dict[tuple[int, str], set[str]] = {}
    plain: set[str] = set()
    definitions: list[tuple[str, str]] = []
    rebuilds: list[tuple[str, str]] = []
    for source in sources:
        statements, code = _split_module(source)
        for statement in statements:
            if isinstance(statement, ast.ImportFrom):
                names = imports.setdefault((statement.level, statement.module or ""), set())
                names.update(
                    a.name + (f" as {a.asname}" if a.asname else "") for a in statement.names
                )
            else:
                plain.add(ast.unparse(statement))
        found, rebuild_calls = _definitions(code)
        definitions += found
        rebuilds += rebuild_calls
    lines = sorted(plain) + [
        f"from {'.' * level}{module} import {', '.join(sorted(names))}"
        for (level, module), names in sorted(imports.items())
    ]
    head = isort.code("\n".join(lines) + "\n")
    ordered = _ordered(_closed_nested_unions(definitions), bases)
    place = {name: index for index, (name, _) in enumerate(ordered)}
    calls = [
        text
        for _, text in sorted(rebuilds, key=lambda call: (place.get(call[0], len(place)), call[1]))
    ]
    code = "\n\n\n".join([*(text for _, text in ordered), *(["\n".join(calls)] if calls else [])])
    return "from __future__ import annotations\n" + head + "\n\n" + code + "\n"


def _open_union(statement: ast.stmt) -> ast.expr | None:
    """The tagged union of an alias that also takes UnknownVariant (see the template
    models/TypeAliasType.jinja2): `Annotated[A | B, Field(discriminator="k")]`, or None."""
    if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
        return None
    args = statement.value.args
    outer = args[1] if len(args) == 2 else None
    if not (isinstance(outer, ast.Subscript) and isinstance(outer.slice, ast.Tuple)):
        return None
    union = outer.slice.elts[0]
    if not (isinstance(union, ast.Subscript) and isinstance(union.slice, ast.Tuple)):
        return None
    members = union.slice.elts
    last = members[-1] if members else None
    if len(members) == 2 and isinstance(last, ast.Name) and last.id == "UnknownVariant":
        return members[0]
    return None


def _closed_nested_unions(definitions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A tagged union whose variant is itself a tagged union of the module (the transcription
    engine `Deepgram` tagged by `transcription_model`) names that union's variants, not its
    alias: the alias also takes UnknownVariant, which has no field of the outer tag, and
    pydantic refuses to build such a union."""
    parsed = {
        name: ast.parse(text).body[0]
        for name, text in definitions
        if "UnknownVariant" in text and "TypeAliasType(" in text
    }
    inner = {
        name: union for name, body in parsed.items() if (union := _open_union(body)) is not None
    }
    out = []
    for name, text in definitions:
        union = inner.get(name)
        variants = union.slice if isinstance(union, ast.Subscript) else None
        if not isinstance(variants, ast.Tuple) or not _close(variants.elts[0], inner, name):
            out.append((name, text))
            continue
        statement = parsed[name]
        after = text.split("\n")[statement.end_lineno or 0 :]  # its docstring, as written
        out.append((name, "\n".join([ast.unparse(statement), *after])))
    return out


def _close(variants: ast.expr, unions: dict[str, ast.expr], name: str) -> bool:
    """Put each variant of `variants` (`A | B | C`) that is an open tagged union of `unions`
    in place of its alias, and so on into the variants put in (a union of unions of
    unions), each alias once on a way down; whether there was one."""
    changed = False
    pending: list[tuple[ast.expr, frozenset[str]]] = [(variants, frozenset({name}))]
    while pending:
        root, seen = pending.pop()
        for node in ast.walk(root):
            for side in ("left", "right"):
                child = getattr(node, side, None)
                if isinstance(child, ast.Name) and child.id in unions and child.id not in seen:
                    inner = copy.deepcopy(unions[child.id])
                    setattr(node, side, inner)
                    pending.append((inner, seen | {child.id}))
                    changed = True
    return changed


def _ordered(
    definitions: list[tuple[str, str]], bases: AbstractSet[str] = frozenset()
) -> list[tuple[str, str]]:
    """Definitions in layers: first those that need no other definition of the module when
    the module runs, by name; then those that need only those, by name; and so on. What a
    definition needs when it runs: its bases, the values of its fields and of an alias;
    annotations wait (`from __future__ import annotations`) and do not count, but for a
    class that classes of other modules derive from (`bases`) and the classes its fields
    name, transitively: pydantic
    resolves the fields a class inherits from an incomplete base in the namespace of the
    subclass's module, where the base's later neighbours are not defined, so such a base
    must be complete when it is defined (`RegionOut.region: RegionOutRegion`)."""
    names = {name for name, _ in definitions}
    hard = [_needed_at_run_time(text) & names - {name} for name, text in definitions]
    texts = dict(definitions)
    annotations: dict[str, set[str]] = {}
    pending = sorted(names & bases)
    while pending:  # the bases and, transitively, what their fields name
        name = pending.pop()
        if name not in annotations:
            annotations[name] = _annotation_names(texts[name]) & names
            pending += annotations[name]
    complete = set(annotations)
    needs = [
        need | (annotations[name] - {name} if name in complete else set())
        for need, (name, _) in zip(hard, definitions, strict=True)
    ]
    done: set[str] = set()
    ordered: list[tuple[str, str]] = []
    remaining = sorted(range(len(definitions)), key=lambda i: definitions[i])
    while remaining:
        layer = (
            [i for i in remaining if needs[i] <= done]
            # a cycle of fields (a recursive base): the first whose run-time needs are met
            or [i for i in remaining if hard[i] <= done][:1]
            or remaining[:1]  # a cycle of run-time needs: by name
        )
        ordered += [definitions[i] for i in layer]
        done.update(definitions[i][0] for i in layer)
        taken = set(layer)
        remaining = [i for i in remaining if i not in taken]
    return ordered


def _needed_at_run_time(text: str) -> set[str]:
    """The names a definition reads when the module runs (not those of its annotations)."""
    statement = ast.parse(text).body[0]
    nodes: list[ast.AST] = []
    if isinstance(statement, ast.ClassDef):
        nodes += [*statement.bases, *statement.keywords, *statement.decorator_list]
        for item in statement.body:
            if isinstance(item, ast.AnnAssign):
                nodes += [item.value] if item.value is not None else []
            elif not isinstance(item, ast.Expr):
                nodes.append(item)
    elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        nodes.append(statement.value)
    else:
        nodes.append(statement)
    return {node.id for root in nodes for node in ast.walk(root) if isinstance(node, ast.Name)}


def _annotation_names(text: str) -> set[str]:
    """The names the field annotations of a class definition read."""
    statement = ast.parse(text).body[0]
    if not isinstance(statement, ast.ClassDef):
        return set()
    return {
        node.id
        for item in statement.body
        if isinstance(item, ast.AnnAssign)
        for node in ast.walk(item.annotation)
        if isinstance(node, ast.Name)
    }


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
            name = (
                target.value.id
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                else ""
            )
            calls.append((name, "\n".join(text).strip("\n")))
        elif (
            isinstance(statement, ast.Expr) and definitions
        ):  # a docstring of the definition before
            definitions[-1][1].extend(text)
        elif isinstance(statement, ast.ClassDef):
            definitions.append((statement.name, text))
        else:
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [getattr(statement, "target", None)]
            )
            name = targets[0].id if targets and isinstance(targets[0], ast.Name) else ""
            definitions.append((name, text))
    return [(name, "\n".join(text).strip("\n")) for name, text in definitions], calls


def _split_module(source: str) -> tuple[list[ast.stmt], str]:
    """A generated module's import statements (but `from __future__`, which the caller
    writes) and its code after them, as written. Only the head is parsed (the code is
    megabytes on the whole spec): it ends at the first line that starts a statement other
    than an import."""
    lines = source.split("\n")
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line[:1] not in ("", " ", "\t", "#", ")")
            and not line.startswith(("from ", "import "))
        ),
        len(lines),
    )
    head = ast.parse("\n".join(lines[:start])).body
    if not all(isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in head):
        raise ValueError(
            "unexpected statement among the imports of a generated module: "
            f"{ast.unparse(head[-1])[:80]}"
        )
    imports = [s for s in head if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
    return imports, "\n".join(lines[start:])


def _fresh_defaults(source: str) -> str:
    """The module with every list or dict default (`= []`, `= {"a": 1}`) made by a factory
    (`= Field(default_factory=list)`), an empty list's not validated again for each instance.

    pydantic deep-copies a mutable default for every instance that lacks the field (about
    2.5 us each, four times per assistant), where a factory makes a fresh one for nothing.
    The model generator writes `validate_default=True` for every default of a type that
    holds a model, and no option of its says otherwise; an empty list needs no validation
    and loses it (`{}` keeps it: it can be a model's default, which validation makes the
    model). Both are cut where the syntax tree places them (the `Annotated[...]` with the
    keyword, when it was all the `Field` held)."""
    span = _spans(source)
    cuts: list[tuple[int, int, str]] = []
    for statement in ast.parse(source).body:
        for item in statement.body if isinstance(statement, ast.ClassDef) else ():
            if isinstance(item, ast.AnnAssign) and isinstance(item.value, (ast.List, ast.Dict)):
                cuts += _default_cuts(source, item, item.value, span)
    for start, end, text in sorted(cuts, reverse=True):
        source = source[:start] + text + source[end:]
    return source


_Span = Callable[[Any], tuple[int, int]]


def _spans(source: str) -> _Span:
    """The offsets in `source` where a node of its syntax tree starts and ends."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:  # ast columns count UTF-8 bytes
        text = source[starts[line - 1] : starts[line]]
        return starts[line - 1] + len(text.encode()[:column].decode())

    def span(node: ast.expr | ast.keyword) -> tuple[int, int]:
        assert node.end_lineno is not None and node.end_col_offset is not None
        return offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)

    return span


def _default_cuts(
    source: str, item: ast.AnnAssign, value: ast.List | ast.Dict, span: _Span
) -> list[tuple[int, int, str]]:
    """The cuts of one field with a list or dict default: the default made by a factory,
    and an empty list's `validate_default=True` dropped."""
    empty = not (value.elts if isinstance(value, ast.List) else value.keys)
    factory = (
        ("list" if isinstance(value, ast.List) else "dict")
        if empty
        else f"lambda: {ast.get_source_segment(source, value)}"
    )
    cuts = [(*span(value), f"Field(default_factory={factory})")]
    annotation = item.annotation
    if not (empty and isinstance(value, ast.List)) or not (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return cuts
    inner, *extras = annotation.slice.elts
    field = next(
        (
            e
            for e in extras
            if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "Field"
        ),
        None,
    )
    keyword = (
        next((k for k in field.keywords if k.arg == "validate_default"), None) if field else None
    )
    if field is None or keyword is None:
        return cuts
    if len(field.keywords) == 1 and not field.args and len(extras) == 1:
        # Annotated[X, Field(validate_default=True)] -> X
        cuts.append((*span(annotation), ast.get_source_segment(source, inner) or ""))
    else:  # the keyword and the comma before it
        index = field.keywords.index(keyword)
        previous = field.keywords[index - 1] if index else None
        start = span(previous)[1] if previous is not None else span(keyword)[0]
        end = span(keyword)[1]
        if previous is None and len(field.keywords) > 1:  # the first keyword: the comma after it
            end = span(field.keywords[1])[0]
        cuts.append((start, end, ""))
    return cuts


def _drop_unused_imports(source: str) -> str:
    """Remove the names our extra imports (and our Enum template) may leave unused."""
    imports, code = _split_module(source)
    read = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    lines: list[str] = []
    previous_end = 0
    for statement in imports:
        if lines and statement.lineno > previous_end + 1:
            lines.append("")  # keep isort's blank lines between groups
        previous_end = statement.end_lineno or statement.lineno
        if isinstance(statement, ast.ImportFrom):
            used = [a for a in statement.names if (a.asname or a.name) in read]
            if used:
                names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in used)
                lines.append(f"from {'.' * statement.level}{statement.module or ''} import {names}")
        else:
            lines.append(ast.unparse(statement))
    return "\n".join(lines).strip("\n") + "\n\n\n" + code
