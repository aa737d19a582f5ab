"""The SDK surface a release ships, as data: every method by its route (its call path, each
argument's type, requiredness and place, its return type) and each model's module.

A release writes it beside the notes (`spec/released-surface.json`), for the version it
makes; the next release's API diff starts from it instead of putting the previous spec
through today's generator. So a change the generator makes to the surface, with the spec as
it was (a deepObject's `filter_*` keywords become one `filter=`), is seen, classified and
logged like a change of the spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ir import Api
from .problems import GenerationFailed, Problems

FORMAT = 1
FILE_NAME = "released-surface.json"

# route (`GET /ai/assistants`) -> {"call", "returns", "arguments": {name: {...}}}
Methods = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Manifest:
    version: str
    methods: Methods
    models: dict[str, str]  # model -> its module below `types`


def methods_of(api: Api) -> Methods:
    """Every method of `api` by its route, as the manifest holds it."""
    methods: Methods = {}
    for dotted, op in api.methods.items():
        methods[f"{op.http_method.upper()} {op.path}"] = {
            "call": dotted,
            "returns": op.return_annotation,
            "arguments": {
                a.name: {
                    "type": a.annotation,
                    "accepts": list(a.type.members("in")),  # what a widened type still takes
                    "required": a.required,
                    "positional": a.positional,
                }
                for a in op.arguments
            },
        }
    return dict(sorted(methods.items()))


def of_api(api: Api, version: str) -> Manifest:
    return Manifest(version, methods_of(api), dict(sorted(api.homes.items())))


def manifest_text(api: Api, version: str) -> str:
    """The manifest of `api` released as `version`: JSON, sorted, an argument a line (so
    that the change of a release reads as a diff of lines)."""
    manifest = of_api(api, version)
    data = {
        "format": FORMAT,
        "version": manifest.version,
        "methods": manifest.methods,
        "models": manifest.models,
    }
    return _layout(data, 0) + "\n"


def _layout(value: Any, depth: int) -> str:
    """`value` as JSON, mappings one key a line down to the arguments (depth 4), each of
    those on one line."""
    if depth >= 4 or not isinstance(value, dict) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (depth + 1)
    items = [
        f"{pad}{json.dumps(k, ensure_ascii=False)}: {_layout(v, depth + 1)}"
        for k, v in value.items()
    ]
    return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"


def read_manifest(path: Path, version: str, problems: Problems) -> Manifest | None:
    """The manifest at `path`, which must describe `version` (the one sdk.yaml says); None
    where there is none yet (the first release then diffs the specs alone)."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(str(data["version"]), dict(data["methods"]), dict(data["models"]))
        known = data["format"] == FORMAT
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.error(f"the surface of the last release cannot be read: {exc}", str(path))
        raise GenerationFailed(problems) from None
    if not known:
        problems.error(
            f"format {data['format']!r} is not {FORMAT}: written by another version "
            "of the generator",
            str(path),
        )
        raise GenerationFailed(problems)
    if manifest.version != version:
        problems.error(
            f"it is the surface of {manifest.version}, but the version is {version}: the "
            "release was not made by `make release`; restore the file with git, or delete it "
            "to diff the specs alone",
            str(path),
        )
        raise GenerationFailed(problems)
    return manifest
