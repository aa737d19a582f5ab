"""Stage 4a: pydantic v2 models through datamodel-code-generator's library API.

The normalised document already names every class (see normalising.py), so the model
generator only renders them. We check that it invented no name of its own (it numbers
colliding names, `Status1`, which a good SDK must not ship) and report any as errors.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path
from typing import Any

from .problems import Problems

_DEFINED = re.compile(r"^(?:class (\w+)\b|(\w+) = TypeAliasType\()", re.MULTILINE)


def render_models(document: dict[str, Any], package: str, template_dir: Path, file: str, problems: Problems) -> str:
    """Source of the models module for `document`'s component schemas."""
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator._shared_types import LiteralType
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import Formatter

    if not document.get("components", {}).get("schemas"):
        return "from __future__ import annotations\n"  # no schemas: an empty models module
    try:
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
    except Exception as exc:  # the model generator's own errors carry no positions
        problems.error(f"model generation failed: {type(exc).__name__}: {exc}", file, "/components/schemas")
        return ""
    assert isinstance(source, str)
    expected = set(document.get("components", {}).get("schemas", {}))
    for match in _DEFINED.finditer(source):
        name = match.group(1) or match.group(2)
        if name not in expected:
            problems.error(
                f"the model generator invented the class name {name!r}; name the schema it came from "
                "in the curation rules",
                file,
                "/components/schemas",
            )
    header, _, body = source.partition("from __future__ import annotations\n")
    return "from __future__ import annotations\n" + _drop_unused_imports(body)


def _drop_unused_imports(source: str) -> str:
    """Remove the names our extra imports (and our Enum template) may leave unused."""
    imports, _, code = source.partition("\n\n\n")
    lines: list[str] = []
    previous_end = 0
    for statement in ast.parse(imports).body:
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
