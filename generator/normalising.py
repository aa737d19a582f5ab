"""Stage 2: resolve the spec's quirks once, so nothing downstream special-cases them.

Input is the loaded (curated) OpenAPI document; output is a new document in which
- every component schema has a valid, unique PascalCase name (references rewritten);
- OpenAPI 3.0 `nullable: true` is expressed the 3.1 way (a `null` type);
- `additionalProperties: false` is dropped: a response with a field newer than the SDK
  must still parse (the model keeps the field, as every model does);
- an `allOf` that wraps one `$ref` only to add a description is the `$ref` itself;
- every inline schema that would become a class (objects with properties, enums,
  unions with a discriminator, allOf merges) is hoisted into a named component, so
  that model names are chosen here and never numbered by the model generator;
- a oneOf/anyOf whose variants all carry a distinct one-value `type` tag gets an
  explicit discriminator, which turns it into a fast, precise tagged union;
- an object query parameter that names no style is a deepObject (`filter[status]=x`).
Every rename is recorded so messages can still speak of the spec's own names.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .naming import (
    RESERVED,
    default_method_path,
    enum_member_name,
    pascal_case,
    server_prefix,
    words,
)
from .openapi import (
    CONSTRAINTS,
    PAGE_OBJECT,
    SCHEMA_MAPS,
    SCHEMA_REF,
    VALUE_KEYWORDS,
    admits_null,
    deref,
    literal_value,
    operations,
    ref_name,
    rewrite_refs,
    walk,
)
from .problems import Problems, escape_pointer_token, pointer
from .runtime_names import MODELS_MODULE_NAMES, RESOURCE_CLASS_ENDINGS


@dataclass
class Normalised:
    document: dict[str, Any]
    # component name in the normalised document -> pointer of its origin in the source
    origins: dict[str, str] = field(default_factory=dict)


def _is_ref(schema: Any) -> bool:
    return isinstance(schema, dict) and "$ref" in schema


def makes_alias(schema: Any) -> bool:
    """Would the model generator name a type alias for this schema, were it an array's
    items or a union's variant (a constrained string, number or array)?"""
    return (
        isinstance(schema, dict) and "$ref" not in schema and any(k in schema for k in CONSTRAINTS)
    )


def makes_class(schema: Any) -> bool:
    """Would the model generator emit a class for this inline schema?"""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if schema.get("properties"):
        return True
    enum = schema.get("enum")
    if isinstance(enum, list) and len([v for v in enum if v is not None]) > 1:
        return True
    if ("oneOf" in schema or "anyOf" in schema) and "discriminator" in schema:
        return True
    all_of = schema.get("allOf")
    return isinstance(all_of, list) and len(all_of) > 1


class Normaliser:
    def __init__(
        self,
        document: dict[str, Any],
        file: str,
        problems: Problems,
        methods: dict[str, Any] | None = None,
        segment_names: dict[str, str] | None = None,
    ) -> None:
        self.source = document
        self.segment_names = segment_names or {}
        self.file = file
        self.problems = problems
        self.methods: dict[
            tuple[str, str], list[str]
        ] = {}  # (method, path) -> the dotted method, as configured
        for dotted, target in (methods or {}).items():
            http_method, _, path = str(target).partition(" ")
            self.methods[(http_method.lower(), path)] = str(dotted).split(".")
        self.doc = copy.deepcopy(document)
        self.schemas: dict[str, Any] = self.doc.setdefault("components", {}).setdefault(
            "schemas", {}
        )
        self.origins: dict[str, str] = {}
        self._chains: dict[
            str, tuple[str, str]
        ] = {}  # a nested class's name -> the spec's schema it is in, its last part

    def run(self) -> Normalised:
        self._rename_components()
        for name in list(self.schemas):
            self.schemas[name] = self._clean(self.schemas[name])
        self._each_operation_schema(self._clean)
        self._deep_object_styles()
        self._query_models()
        self._hoist_all()
        for name in list(self.schemas):
            self._infer_discriminators(self.schemas[name])
        self._hoist_all()  # unions that just got a discriminator become named aliases
        for name in list(self.schemas):
            self._flatten_conflicting_all_of(name)
        for name, schema in self.schemas.items():
            self._name_enum_members(name, schema)
        self.doc["components"]["schemas"] = dict(sorted(self.schemas.items()))
        return Normalised(self.doc, self.origins)

    # -- names -------------------------------------------------------------------
    def _rename_components(self) -> None:
        renames: dict[str, str] = {}
        taken: dict[str, str] = {}
        for name in self.schemas:
            try:
                new = pascal_case(name)
            except ValueError:
                self.problems.error(
                    f"schema name {name!r} cannot be turned into a class name",
                    self.file,
                    pointer("components", "schemas", name),
                )
                continue
            if new in MODELS_MODULE_NAMES or new.endswith(RESOURCE_CLASS_ENDINGS):
                new += "Schema"
            if new in taken:
                self.problems.error(
                    f"schemas {taken[new]!r} and {name!r} both become the class name {new!r}; "
                    "rename one in the curation rules",
                    self.file,
                    pointer("components", "schemas", name),
                )
                continue
            taken[new] = name
            renames[name] = new
            self.origins[new] = pointer("components", "schemas", name)
        self.schemas = {renames.get(k, k): v for k, v in self.schemas.items()}
        self.doc["components"]["schemas"] = self.schemas
        rewrite_refs(self.doc, renames)

    # -- local clean-ups -----------------------------------------------------------
    def _clean(self, schema: Any, variant: bool = False) -> Any:
        """3.0 nullable -> 3.1, description-only allOf wrappers -> $ref; recursively. A
        `variant` (of oneOf, anyOf, allOf or not) only adds constraints to its parent."""
        if isinstance(schema, list):
            return [self._clean(s, variant) for s in schema]
        if not isinstance(schema, dict):
            return schema
        schema = {k: self._clean_slot(k, v) for k, v in schema.items()}
        if (
            schema.get("default", 0) is None
            and not admits_null(schema)
            and ("type" in schema or "$ref" in schema)
        ):
            del schema["default"]  # reported by validation
        if schema.pop("nullable", False) is True:
            schema = _add_null(schema)
        if schema.get("additionalProperties") is False:
            # A closed object today may have more fields tomorrow: its model keeps them
            # (in model_extra) like every model, instead of failing the whole response.
            del schema["additionalProperties"]
        enum = schema.get("enum")
        if isinstance(enum, list) and None in enum:
            # `null` among enum values means "nullable"; the enum class holds the strings.
            schema = _add_null({**schema, "enum": [v for v in enum if v is not None]})
        schema = _documented_presence_rules(schema)
        if (
            not variant
            and isinstance(schema.get("properties"), dict)
            and not ({"type", "$ref", "allOf", "oneOf", "anyOf", "not"} & set(schema))
        ):
            schema["type"] = "object"  # properties without a type: an object, as models read it
        return _unwrapped_ref(schema)

    def _clean_slot(self, key: str, value: Any) -> Any:
        """A keyword's value, cleaned: a schema, a list of them, or a mapping of names to
        schemas (whose keys are names, never keywords); values and extensions (`x-...`)
        are left as they are."""
        if key in VALUE_KEYWORDS or key.startswith("x-"):
            return value
        if key in SCHEMA_MAPS and isinstance(value, dict):
            return {name: self._clean(sub) for name, sub in value.items()}
        return self._clean(
            value, variant=key in ("oneOf", "anyOf", "allOf", "not", "if", "then", "else")
        )

    def _each_operation_schema(self, clean: Any) -> None:
        """Visit parameter, request and response schemas of every operation, then those of
        shared components: cleaned by `clean`, else hoisted (named after the operation)."""
        for path, method, operation in operations(self.doc):
            bases = self._operation_bases(method, path)
            for parameter in operation.get("parameters", []):
                if isinstance(parameter, dict) and isinstance(parameter.get("schema"), dict):
                    # Parameters become keyword arguments, never classes: clean only.
                    if clean:
                        parameter["schema"] = clean(parameter["schema"])
            for media, suffix in _operation_media(operation):
                if clean:
                    media["schema"] = clean(media["schema"])
                else:
                    self._hoist_slot(media, "schema", self._short(bases, suffix))
        self._each_component_schema(clean)

    def _each_component_schema(self, clean: Any) -> None:
        """Shared responses, request bodies, parameters and headers hold schemas too."""
        components = self.doc.get("components") or {}
        for kind, suffix in (
            ("responses", "Response"),
            ("requestBodies", "Body"),
            ("parameters", "Param"),
            ("headers", "Header"),
        ):
            for name, holder in (components.get(kind) or {}).items():
                if not isinstance(holder, dict):
                    continue
                slots = (
                    [holder]
                    if "schema" in holder
                    else [m for m in (holder.get("content") or {}).values() if isinstance(m, dict)]
                )
                for slot in slots:
                    if isinstance(slot.get("schema"), dict):
                        if clean:
                            slot["schema"] = clean(slot["schema"])
                        elif kind != "parameters":
                            self._hoist_slot(slot, "schema", pascal_case(name) + suffix)

    # -- query parameters as models ------------------------------------------------
    def _query_models(self) -> None:
        """One model per operation's query parameters, keyed by wire name, so that the
        SDK validates them (types, enums, bounds) before sending, like bodies."""
        for path, method, operation in operations(self.doc):
            shared = self.doc["paths"][path].get("parameters") or []
            properties, required = self._query_properties(
                [*shared, *(operation.get("parameters") or [])]
            )
            if not properties:
                continue
            try:
                model = self._unique(self._short(self._operation_bases(method, path), "Query"))
            except ValueError:
                self.problems.error(
                    f"no unique class name for the query parameters of {method.upper()} {path}",
                    self.file,
                    pointer("paths", path, method),
                )
                continue
            self.schemas[model] = {
                "type": "object",
                "properties": properties,
                **({"required": required} if required else {}),
            }
            operation["x-query-model"] = model

    def _query_properties(self, parameters: list[Any]) -> tuple[dict[str, Any], list[str]]:
        """The properties of a query model, by wire name, and the required ones. The page
        object's are its properties (`page[number]`, the keyword arguments it makes); any
        other deepObject is one property, an object (its class validates the nested keys)."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for parameter in parameters:
            parameter = self._deref_parameter(parameter)
            if not isinstance(parameter, dict) or parameter.get("in") != "query":
                continue
            name = str(parameter.get("name"))
            schema = copy.deepcopy(parameter.get("schema") or {})
            nested = self._properties(schema)
            if name == PAGE_OBJECT and parameter.get("style") == "deepObject" and nested:
                properties.update({f"{name}[{k}]": v for k, v in copy.deepcopy(nested).items()})
                continue
            properties[name] = schema
            if parameter.get("required"):
                required.append(name)
        return properties, required

    def _deep_object_styles(self) -> None:
        """An object query parameter that names no style is a deepObject: by OpenAPI's
        default (form, exploded) its properties would be top-level parameters that nothing
        tells from the operation's own, which no API that declares such an object means
        (Telnyx's say "deepObject style" in their descriptions and read `filter[iccid]`)."""
        holders = [
            *(
                item.get("parameters") or []
                for item in (self.doc.get("paths") or {}).values()
                if isinstance(item, dict)
            ),
            *((op.get("parameters") or []) for _, _, op in operations(self.doc)),
            (self.doc.get("components", {}).get("parameters") or {}).values(),
        ]
        for holder in holders:
            for parameter in holder:
                if (
                    isinstance(parameter, dict)
                    and parameter.get("in") == "query"
                    and "style" not in parameter
                    and self._properties(parameter.get("schema"))
                ):
                    parameter["style"] = "deepObject"

    def _properties(self, schema: Any) -> dict[str, Any]:
        """The properties of an object schema (a reference followed); none of anything else."""
        target = deref(self.doc, schema)
        properties = target.get("properties") if isinstance(target, dict) else None
        return properties if isinstance(properties, dict) else {}

    def _deref_parameter(self, parameter: Any) -> Any:
        ref = parameter.get("$ref") if isinstance(parameter, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
            return (self.doc.get("components", {}).get("parameters") or {}).get(
                ref.rsplit("/", 1)[-1]
            )
        return parameter

    # -- hoisting ------------------------------------------------------------------
    def _hoist_all(self) -> None:
        for name in list(self.schemas):
            self._hoist_within(name, self.schemas[name], self.origins.get(name, ""))
        self._each_operation_schema(None)

    def _operation_bases(self, method: str, path: str) -> list[str]:
        """Names for an operation's classes, shortest first, from its method in the resource
        tree (never its operationId): `ai.assistants.tests.list` -> `TestsList`,
        `AssistantsTestsList`, `AiAssistantsTestsList`."""
        parts = self.methods.get((method, path)) or default_method_path(
            method, path, server_prefix(self.doc), self.segment_names
        )
        names = [pascal_case(part) for part in parts if words(part)] or [
            pascal_case(f"{method} {path}")
        ]
        return ["".join(names[-count:]) for count in range(min(2, len(names)), len(names) + 1)]

    def _short(self, bases: list[str], suffix: str) -> str:
        """The first of `bases` whose name with `suffix` no class has yet (else the longest)."""
        for base in bases:
            if self._free(base + suffix):
                return base + suffix
        return bases[-1] + suffix

    def _free(self, name: str) -> bool:
        return (
            name not in self.schemas
            and name not in MODELS_MODULE_NAMES
            and not name.endswith(RESOURCE_CLASS_ENDINGS)
        )

    def _unique(self, wanted: str) -> str:
        if self._free(wanted):
            return wanted
        for suffix in ("Object", "Schema", "Type", "Model"):
            if wanted + suffix not in self.schemas:
                return wanted + suffix
        raise ValueError(wanted)

    def _hoist_slot(
        self,
        parent: dict[str, Any] | list[Any],
        key: Any,
        name: str,
        where: str = "",
        alias: bool = False,
    ) -> None:
        schema = parent[key]
        where = f"{where}/{escape_pointer_token(key)}" if where else ""
        if makes_class(schema) or (alias and makes_alias(schema)):
            try:
                new = self._unique(name)
            except ValueError:
                self.problems.error(f"no unique class name for inline schema {name!r}", self.file)
                return
            self.schemas[new] = schema
            if new != name and name in self._chains:
                self._chains[new] = self._chains[name]
            if where:
                self.origins[new] = where
            parent[key] = {"$ref": SCHEMA_REF + new}
            for k in ("description",):
                if k in schema:
                    parent[key][k] = schema[k]
            self._hoist_within(new, schema, where)
        elif isinstance(schema, dict):
            self._hoist_within(name, schema, where)

    def _hoist_within(self, name: str, schema: Any, where: str = "") -> None:
        """Hoist the class-making schemas inside `schema`; `where` is its source pointer."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        for prop in list(schema.get("properties") or {}):
            self._hoist_slot(
                schema["properties"],
                prop,
                self._nested(name, pascal_case(prop)),
                where and where + "/properties",
            )
        if isinstance(schema.get("items"), dict):
            self._hoist_slot(schema, "items", self._nested(name, "Item"), where, alias=True)
        if isinstance(schema.get("additionalProperties"), dict):
            self._hoist_slot(schema, "additionalProperties", self._nested(name, "Value"), where)
        for combiner in ("oneOf", "anyOf", "allOf"):
            variants = schema.get(combiner)
            if isinstance(variants, list):
                for index, variant in enumerate(variants):
                    self._hoist_slot(
                        variants,
                        index,
                        self._nested(name, _variant_suffix(variant, index, combiner)),
                        where and f"{where}/{combiner}",
                        alias=combiner != "allOf",
                    )

    def _nested(self, parent: str, part: str) -> str:
        """The name of a class inside the class `parent`: `parent` + `part` below a schema of
        the spec (`AssistantTools`); deeper, the spec's schema, the last part before and this
        one (`TransferToolVoicemailMessageType`, not every level's part), so no name grows
        with the depth."""
        root, last = self._chains.get(parent, (parent, ""))
        name = root + last + part
        self._chains[name] = (root, part)
        return name

    def _flatten_conflicting_all_of(self, name: str) -> None:
        """An allOf whose parts define one property differently (an error's free-form
        `meta` and a typed `meta`) is merged here, later parts winning, so the model
        generator does not invent a merged class of its own (`Meta1`)."""
        schema = self.schemas[name]
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        if not isinstance(parts, list) or len(parts) < 2:
            return
        resolved = []
        for part in parts:
            target = self.schemas.get(ref_name(part) or "") if _is_ref(part) else part
            if (
                not isinstance(target, dict)
                or "allOf" in target
                or not isinstance(target.get("properties", {}), dict)
            ):
                return
            resolved.append(target)
        seen: dict[str, Any] = {}
        conflict = False
        for target in resolved:
            for prop, sub in (target.get("properties") or {}).items():
                conflict |= prop in seen and seen[prop] != sub
                seen[prop] = sub
        if not conflict:
            return  # a plain extension: the model generator makes it a subclass
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        required: list[str] = []
        for target in resolved:
            merged["properties"].update(copy.deepcopy(target.get("properties") or {}))
            required += [r for r in target.get("required") or [] if r not in required]
        if required:
            merged["required"] = required
        for key in ("description", "title"):
            if key in schema:
                merged[key] = schema[key]
        self.schemas[name] = merged

    def _name_enum_members(self, name: str, schema: Any) -> None:
        """Enum member names are decided here (`x-enum-varnames`), never numbered."""
        values = schema.get("enum") if isinstance(schema, dict) else None
        if not isinstance(values, list) or len(values) < 2:
            return
        given = schema.get("x-enum-varnames")
        if isinstance(given, list) and len(given) == len([v for v in values if v is not None]):
            return  # named by the spec or the curation rules
        try:
            members = [enum_member_name(v) for v in values if v is not None]
        except ValueError as exc:
            self.problems.error(
                str(exc), self.file, self.origins.get(name, pointer("components", "schemas", name))
            )
            return
        if len(set(members)) < len(members):
            # Values that differ only in case (`telnyx`, `Telnyx`) keep their case.
            clashing = {m for m in members if members.count(m) > 1}
            members = [
                "_".join(words(str(v))) if m in clashing else m
                for m, v in zip(members, [v for v in values if v is not None], strict=True)
            ]
        names: dict[str, object] = {}
        for member, value in zip(members, [v for v in values if v is not None], strict=True):
            if member in names or not member.isidentifier() or member in RESERVED:
                self.problems.error(
                    f"enum values {names.get(member, value)!r} and {value!r} of {name} both "
                    f"become the member name {member}",
                    self.file,
                    self.origins.get(name, pointer("components", "schemas", name)),
                )
                return
            names[member] = value
        schema["x-enum-varnames"] = list(names)

    # -- discriminators ------------------------------------------------------------
    def _infer_discriminators(self, schema: Any) -> None:
        for node, _ in list(walk(schema)):
            for combiner in ("oneOf", "anyOf"):
                variants = node.get(combiner)
                if not isinstance(variants, list) or "discriminator" in node or len(variants) < 2:
                    continue
                mapping = self._tag_mapping(variants)
                if mapping is not None:
                    node["discriminator"] = {"propertyName": "type", "mapping": mapping}
                    if combiner == "anyOf":
                        node["oneOf"] = node.pop("anyOf")

    def _tag_mapping(self, variants: list[Any]) -> dict[str, str] | None:
        mapping: dict[str, str] = {}
        for variant in variants:
            name = ref_name(variant) if isinstance(variant, dict) else None
            target = self.schemas.get(name) if name else None
            if not isinstance(target, dict) or "type" not in (target.get("required") or []):
                return None
            tag = literal_value((target.get("properties") or {}).get("type"))
            if not isinstance(tag, str) or tag in mapping:
                return None
            mapping[tag] = SCHEMA_REF + str(name)
        return mapping


def _operation_media(operation: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """The media types of an operation's body and answers that hold a schema, each with
    the suffix of the class it would make (`Body`, `Response`, `Response404`)."""
    body = operation.get("requestBody")
    if isinstance(body, dict):
        for media in (body.get("content") or {}).values():
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                yield media, "Body"
    for status, response in (operation.get("responses") or {}).items():
        if not isinstance(response, dict):
            continue
        for media in (response.get("content") or {}).values():
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                yield media, "Response" + (str(status) if not str(status).startswith("2") else "")


def _documented_presence_rules(schema: dict[str, Any]) -> dict[str, Any]:
    """ "Url or Texml, not both": a oneOf / anyOf of rules on which properties are present,
    which Python types cannot say; the properties stay, the rule goes to the description."""
    for combiner in ("oneOf", "anyOf"):
        if schema.get("properties") and _presence_only(schema.get(combiner)):
            rule = " or ".join(
                str(v.get("title") or v.get("required") or "?") for v in schema.pop(combiner)
            )
            schema["description"] = (
                str(schema.get("description", "")) + f"\n\nOne of: {rule}."
            ).strip()
    return schema


# The siblings of a `$ref` that annotate it (3.1 allows any; the others are dropped).
_REF_ANNOTATIONS = (
    "$ref", "description", "title", "default", "deprecated", "readOnly", "writeOnly",
    "examples", "example",
)  # fmt: skip


def _unwrapped_ref(schema: dict[str, Any]) -> dict[str, Any]:
    """An allOf of one `$ref` (to add a description, say) is the `$ref` itself, and a
    `$ref` keeps only the siblings that annotate it."""
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and _is_ref(all_of[0]):
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        schema = {**all_of[0], **rest}
    if "$ref" in schema:
        schema = {k: v for k, v in schema.items() if k in _REF_ANNOTATIONS}
    return schema


def _presence_only(variants: Any) -> bool:
    """Variants that only require or forbid (`not: {}`) properties, without types."""
    if not isinstance(variants, list) or not variants:
        return False
    for variant in variants:
        if not isinstance(variant, dict) or set(variant) - {
            "properties",
            "required",
            "title",
            "description",
        }:
            return False
        if any(p != {"not": {}} for p in (variant.get("properties") or {}).values()):
            return False
    return True


def _variant_suffix(variant: Any, index: int, combiner: str) -> str:
    if isinstance(variant, dict):
        tag = literal_value((variant.get("properties") or {}).get("type"))
        if isinstance(tag, str) and words(tag):
            return pascal_case(tag)
        title = variant.get("title")
        if isinstance(title, str) and words(title):
            return pascal_case(title)
        required = variant.get("required")
        if isinstance(required, list) and required and all(isinstance(r, str) for r in required):
            return "With" + "".join(pascal_case(r) for r in required[:2])
        if variant.get("type") == "string" and variant.get("enum"):
            return "Values"
    return ("Part" if combiner == "allOf" else "Variant") + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index % 26]


def _add_null(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list):
        if "null" not in kind:
            schema["type"] = [*kind, "null"]
    else:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def normalise(
    document: dict[str, Any],
    file: str,
    problems: Problems,
    methods: Any = None,
    segment_names: Any = None,
) -> Normalised:
    """The normalised document; `methods` and `segment_names` (the SDK config's) name the
    operations whose schemas get classes (`TestsListQuery` for `ai.assistants.tests.list`)."""
    names = (
        {str(k): v for k, v in segment_names.items() if isinstance(v, str)}
        if isinstance(segment_names, dict)
        else None
    )
    return Normaliser(
        document, file, problems, methods if isinstance(methods, dict) else None, names
    ).run()
