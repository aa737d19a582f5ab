"""The IR builder's type layer: the one type expression of each schema, for arguments and
responses alike, and the shapes of object schemas (allOf merged)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import naming
from . import type_expressions as types
from .openapi import SCHEMA_REF
from .problems import Problems
from .type_expressions import TypeExpr

_SCALARS = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


class TypeMapper:
    """Type expressions of the schemas of one normalised document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        self._visiting: set[str] = set()  # the union components being mapped

    def component(self, schema: Any) -> tuple[str, Any] | None:
        if (
            isinstance(schema, dict)
            and isinstance(schema.get("$ref"), str)
            and schema["$ref"].startswith(SCHEMA_REF)
        ):
            name = schema["$ref"][len(SCHEMA_REF) :]
            return name, self.schemas.get(name, {})
        return None

    def type_of(self, schema: Any) -> TypeExpr:
        """The one type expression of `schema`, for arguments and responses alike."""
        if not isinstance(schema, dict) or not schema:
            return types.OBJECT
        found = self.component(schema)
        if found is not None:
            return self._component_type(*found)
        if "const" in schema:
            return types.NONE if schema["const"] is None else types.LiteralOf((schema["const"],))
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        options: list[TypeExpr] = []
        if isinstance(schema.get("enum"), list):
            values = tuple(v for v in schema["enum"] if v is not None)
            options += [types.LiteralOf(values)] if values else []
            options += [types.NONE] if None in schema["enum"] else []
        elif schema.get("oneOf") or schema.get("anyOf"):
            options += [
                self.type_of(variant)
                for variant in schema.get("oneOf") or schema.get("anyOf") or []
            ]
        elif isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            options.append(self.type_of(schema["allOf"][0]))
        elif schema.get("allOf"):
            options.append(
                types.OBJECT
            )  # merges are components (normalising.py); one left inline is loose
        else:
            options += [self._primitive(kind, schema) for kind in kinds or ["any"]]
        if "null" in kinds:
            options.append(types.NONE)
        return types.union(options or [types.OBJECT])

    def _component_type(self, name: str, target: Any) -> TypeExpr:
        if not isinstance(target, dict):
            return types.OBJECT
        if isinstance(target.get("enum"), list):
            values = tuple(v for v in target["enum"] if v is not None)
            enumeration = (
                types.Enumeration(name, values) if len(values) > 1 else types.LiteralOf(values)
            )
            return (
                types.union([enumeration, *([types.NONE] if None in target["enum"] else [])])
                if values
                else types.NONE
            )
        if _is_plain(target) or target.get("type") == "array":
            return self.type_of(target)  # a named string or list is the string or list itself
        variants = target.get("oneOf") or target.get("anyOf")
        if variants and not target.get("properties"):
            if name in self._visiting:  # a union of itself: refused by validating.py
                return types.OBJECT
            self._visiting.add(name)
            try:
                return types.Alias(
                    name,
                    tuple(self.type_of(v) for v in variants),
                    open=isinstance(target.get("discriminator"), dict),
                )
            finally:
                self._visiting.discard(name)
        shape = self.object_shape(target)
        given = (
            types.ParamRef(self.param_name(name))
            if shape is not None and shape[0]
            else types.ANY_MAP
        )
        return types.Model(name, given)

    def description_of(self, schema: Any) -> str:
        """A property's description: its own, else that of the component it refers to."""
        found = self.component(schema)
        return str(
            (schema or {}).get("description")
            or (found[1].get("description") if found else "")
            or ""
        )

    def param_name(self, model: str) -> str:
        """The TypedDict beside the model `model`: `{model}Param` (`{model}Dict` for a model
        named a param already), never a schema's own name."""
        return naming.unused(
            model + ("Dict" if model.endswith(("Param", "Params")) else "Param"), self.schemas
        )

    def _primitive(self, kind: str, schema: dict[str, Any]) -> TypeExpr:
        if kind == "string":
            if schema.get("format") == "binary":
                return types.File()
            return (
                types.Text(schema["format"])
                if types.Text.knows(schema.get("format"))
                else types.Scalar("str")
            )
        if kind in _SCALARS:
            return types.Scalar(_SCALARS[kind])
        if kind == "array":
            return types.ListOf(self.type_of(schema.get("items", {})))
        if kind == "object":
            extra = schema.get("additionalProperties")
            return types.MapOf(
                self.type_of(extra) if isinstance(extra, dict) and extra else types.ANY
            )
        return types.OBJECT

    def param_dicts(self, api_types: list[TypeExpr]) -> tuple[types.ParamDict, ...]:
        """The TypedDicts that the arguments `api_types` (and their keys, in turn) name."""
        by_param = {self.param_name(name): name for name in self.schemas}
        done: dict[str, types.ParamDict] = {}
        pending = [
            t.name for expr in api_types for t in expr.walk() if isinstance(t, types.ParamRef)
        ]
        while pending:
            param = pending.pop()
            if param in done or param not in by_param:
                continue
            model = by_param[param]
            shape = self.object_shape(self.schemas[model]) or ({}, set())
            fields = []
            for key, sub in shape[0].items():
                if isinstance(sub, dict) and sub.get("readOnly"):
                    continue
                field_type = self.type_of(sub)
                fields.append(
                    types.ParamField(
                        str(key), field_type, key in shape[1], self.description_of(sub)
                    )
                )
                pending += [t.name for t in field_type.walk() if isinstance(t, types.ParamRef)]
            description = (
                str(self.schemas[model].get("description") or "")
                if isinstance(self.schemas[model], dict)
                else ""
            )
            done[param] = types.ParamDict(param, model, tuple(fields), description)
        return tuple(done[name] for name in sorted(done))

    def object_shape(self, schema: Any) -> tuple[dict[str, Any], set[str]] | None:
        """Properties and required names of an object schema, allOf merged; else None."""
        found = self.component(schema)
        if found is not None:
            schema = found[1]
        if not isinstance(schema, dict):
            return None
        if schema.get("allOf"):
            properties: dict[str, Any] = {}
            required: set[str] = set()
            for part in schema["allOf"]:
                shape = self.object_shape(part)
                if shape is None:
                    return None
                properties.update(shape[0])
                required |= shape[1]
            return properties, required
        if schema.get("type") == "object" or "properties" in schema:
            if schema.get("oneOf") or schema.get("anyOf"):
                return None
            return dict(schema.get("properties") or {}), set(schema.get("required") or [])
        return None


@dataclass
class Context:
    """What every step of the IR builder reads: the normalised document, its file (for
    messages), where problems go, and the type layer."""

    document: dict[str, Any]
    file: str
    problems: Problems
    mapper: TypeMapper

    @property
    def strip_prefix(self) -> str:
        """A leading path segment that the server URL already ends with (`/v2`)."""
        return naming.server_prefix(self.document)


def _is_plain(schema: dict[str, Any]) -> bool:
    """A component that is only a primitive (a named string, say) is inlined."""
    return (
        not schema.get("properties")
        and not schema.get("enum")
        and not schema.get("oneOf")
        and not schema.get("anyOf")
        and not schema.get("allOf")
        and schema.get("type") in ("string", "integer", "number", "boolean")
    )
