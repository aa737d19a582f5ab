"""The SDK config (`spec/sdk.yaml`): package and client names, environment variables, URLs,
examples, hand-written paths and how the API signs its webhooks, checked and made an
SdkConfig. Which operation is which method (`methods`) is the IR builder's to read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import naming
from .ir import Operation, SdkConfig, Skill, Task, WebhookSigning, below
from .loading import SourceMap, load_yaml
from .problems import Problems, pointer
from .runtime_names import CLIENT_MODULE_NAMES, IMPORTED_MODULES

_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_CLASS = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_TOKEN = re.compile(r"^[A-Za-z0-9._-]+$")
_URL = re.compile(r"^https?://[^\s\"'\\<>]+$")
_HEADER = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # an HTTP token
_VERSION = re.compile(r"^\d+\.\d+\.\d+([ab]|rc)?\d*$")
_AN_ENV_NAME = "an environment variable name"


INCLUDE_METHODS = "include_methods"


def included_methods_file(config_file: str, data: dict[str, Any]) -> Path | None:
    """The SDK config whose `methods` this one includes (`include_methods: sdk.yaml`, a path
    beside this config), if it names one."""
    name = data.get(INCLUDE_METHODS) if isinstance(data, dict) else None
    return Path(config_file).parent / str(name) if name else None


def with_included_methods(
    data: dict[str, Any], file: str, problems: Problems, source_map: SourceMap | None = None
) -> dict[str, Any]:
    """The config with the `methods` of the one it includes merged in, so that two builds
    (the AI package and the whole spec) name the operations they share from one list: the
    included entries first, then this config's own, which win where both name a method or
    both map an operation."""
    included = included_methods_file(file, data)
    if included is None:
        return data
    if included.resolve() == Path(file).resolve():
        problems.error(f"`{INCLUDE_METHODS}` names this file itself", file, "/" + INCLUDE_METHODS)
        return data
    document = load_yaml(included, problems, source_map)
    theirs = document.data.get("methods") if document is not None else None
    ours = data.get("methods") or {}
    if not isinstance(theirs, dict) or not isinstance(ours, dict):
        if document is not None:
            problems.error(
                f"{included} has no `methods` mapping to include", file, "/" + INCLUDE_METHODS
            )
        return data
    mapped_here = {str(target) for target in ours.values()}
    merged = {k: v for k, v in theirs.items() if str(v) not in mapped_here and k not in ours}
    return {**data, "methods": {**merged, **ours}}


def load_config(data: dict[str, Any], file: str, problems: Problems) -> SdkConfig | None:
    package, distribution, version = _names(data, file, problems)
    clients = _mapping(data, "clients", file, problems)
    environment = _mapping(data, "environment", file, problems)
    urls = _mapping(data, "urls", file, problems)
    examples = data.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
        problems.error("`examples` must be a list of {title, code}", file, "/examples")
        examples = []
    _check_clients(clients, file, problems)
    _check_shapes(data, package, clients, environment, file, problems)
    hand_written = _hand_written(data, package, file, problems)
    if "methods" in data and not isinstance(data["methods"], dict):
        problems.error(
            "`methods` must map dotted method names to operations (`GET /path`)", file, "/methods"
        )
    config = SdkConfig(
        package=package,
        distribution=distribution,
        version=version,
        description=str(data.get("description", "")),
        user_agent=_text(data, "user_agent", file, problems, package),
        sync_client=str(clients.get("sync", "Client")),
        async_client=str(clients.get("async", "AsyncClient")),
        base_url=_text(data, "base_url", file, problems),
        api_key_env=str(environment.get("api_key", "API_KEY")),
        base_url_env=str(environment.get("base_url", "BASE_URL")),
        log_env=str(environment.get("log", "LOG")),
        urls=tuple((str(k), str(v)) for k, v in urls.items()),
        examples=tuple((str(e.get("title", "")), str(e.get("code", ""))) for e in examples),
        hand_written=tuple(hand_written),
        webhooks=_webhook_signing(data.get("webhooks"), file, problems),
        pattern_hints=_pattern_hints(
            _mapping(data, "pattern_hints", file, problems), file, problems
        ),
        segment_names=_segment_names(
            _mapping(data, "segment_names", file, problems), file, problems
        ),
        path_parameter_names=_path_parameter_names(
            _mapping(data, "path_parameter_names", file, problems), file, problems
        ),
        body_arguments=_body_arguments(
            _mapping(data, "body_arguments", file, problems), file, problems
        ),
    )
    return None if problems.errors else config


def _pattern_hints(
    hints: dict[str, Any], file: str, problems: Problems
) -> tuple[tuple[str, str], ...]:
    """`pattern_hints`: regular expression -> the words an argument error says instead."""
    for pattern, words in hints.items():
        if not isinstance(words, str) or not words:
            problems.error(
                "`pattern_hints` values must be non-empty strings (what a matching value is)",
                file,
                pointer("pattern_hints", str(pattern)),
            )
    return tuple((str(k), v) for k, v in hints.items() if isinstance(v, str) and v)


def _segment_names(
    names: dict[str, Any], file: str, problems: Problems
) -> tuple[tuple[str, str], ...]:
    """`segment_names`: a path segment -> the Python name of the resource it makes."""
    for segment, name in names.items():
        if not _is_snake_case(name):
            problems.error(
                f"`segment_names` values must be snake_case Python names, not {name!r}",
                file,
                pointer("segment_names", str(segment)),
            )
    return tuple((str(k), v) for k, v in names.items() if isinstance(v, str))


_OPERATION_OR_PATH = re.compile(r"^(?:[A-Za-z]+ )?/\S*$")


def _path_parameter_names(
    entries: dict[str, Any], file: str, problems: Problems
) -> tuple[tuple[str, str, str], ...]:
    """`path_parameter_names`: `METHOD /path` (one operation) or `/path` (each of its
    operations) -> {wire name: Python name}; whether the spec has them is the IR's check."""
    found = []
    for target, names in entries.items():
        where = pointer("path_parameter_names", str(target))
        if not _OPERATION_OR_PATH.fullmatch(str(target)) or not isinstance(names, dict):
            problems.error(
                "`path_parameter_names` maps `METHOD /path` or `/path` to {wire name: Python "
                f"name}}, not {target!r}: {names!r}",
                file,
                where,
            )
            continue
        for wire, name in names.items():
            if not _is_snake_case(name, argument=True):
                problems.error(
                    f"the Python name of path parameter {wire!r} must be snake_case, neither a "
                    f"keyword nor an argument every method has, not {name!r}",
                    file,
                    where + pointer(str(wire)),
                )
                continue
            found.append((str(target), str(wire), name))
    return tuple(found)


_OPERATION = re.compile(r"^[A-Za-z]+ /\S*$")


def _body_arguments(
    entries: dict[str, Any], file: str, problems: Problems
) -> tuple[tuple[str, str], ...]:
    """`body_arguments`: `METHOD /path` -> the Python name of the one argument that takes
    the operation's whole request body; whether the spec has a body there is the IR's check."""
    found = []
    for target, name in entries.items():
        where = pointer("body_arguments", str(target))
        if not _OPERATION.fullmatch(str(target)) or not isinstance(name, str):
            problems.error(
                f"`body_arguments` maps `METHOD /path` to a Python name, not {target!r}: {name!r}",
                file,
                where,
            )
        elif not _is_snake_case(name, argument=True):
            problems.error(
                "the Python name of a whole body must be snake_case, neither a keyword nor an "
                f"argument every method has, not {name!r}",
                file,
                where,
            )
        else:
            found.append((str(target), name))
    return tuple(found)


def _is_snake_case(name: object, argument: bool = False) -> bool:
    """A name the generator could make of a path's text itself: snake_case, no keyword (an
    `argument`: none of the names every method takes either)."""
    if not isinstance(name, str):
        return False
    try:
        made = naming.parameter_name(name) if argument else naming.snake_case(name)
    except ValueError:
        return False
    return naming.safe_identifier(made) == name


def _text(
    data: dict[str, Any], key: str, file: str, problems: Problems, default: str | None = None
) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        problems.error(f"`{key}` must be a non-empty string", file, pointer(key))
        return ""
    return value


def _mapping(data: dict[str, Any], key: str, file: str, problems: Problems) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        problems.error(f"`{key}` must be a mapping, not {type(value).__name__}", file, pointer(key))
        return {}
    return value


def _names(data: dict[str, Any], file: str, problems: Problems) -> tuple[str, str, str]:
    """The package, distribution and version, each checked."""
    package = _text(data, "package", file, problems)
    if package and (not _PACKAGE.fullmatch(package) or package in naming.RESERVED):
        problems.error(
            f"package name {package!r} is not a valid Python package name", file, "/package"
        )
    distribution = _text(data, "distribution", file, problems)
    if distribution and not _DISTRIBUTION.fullmatch(distribution):
        problems.error(
            f"distribution name {distribution!r} is not a valid package name", file, "/distribution"
        )
    version = _text(data, "version", file, problems)
    if version and not _VERSION.fullmatch(version):
        problems.error(
            f"version {version!r} is not of the form MAJOR.MINOR.PATCH", file, "/version"
        )
    if package in IMPORTED_MODULES:
        problems.error(
            f"package name {package!r} is a module the package imports; it could not import itself",
            file,
            "/package",
        )
    return package, distribution, version


def _check_clients(clients: dict[str, Any], file: str, problems: Problems) -> None:
    for role in ("sync", "async"):
        name = clients.get(role)
        if isinstance(name, str) and (name in CLIENT_MODULE_NAMES or name in naming.BUILTINS):
            problems.error(
                f"client name {name!r} is a name the package already uses",
                file,
                pointer("clients", role),
            )
    if clients.get("sync", "Client") == clients.get("async", "AsyncClient"):
        problems.error("the sync and async clients need two names", file, "/clients/async")


def _check_shapes(
    data: dict[str, Any],
    package: str,
    clients: dict[str, Any],
    environment: dict[str, Any],
    file: str,
    problems: Problems,
) -> None:
    """Class names, environment variable names, the user agent and the base URL."""
    for key, value, pattern, what in (
        ("clients/sync", clients.get("sync", "Client"), _CLASS, "a class name"),
        ("clients/async", clients.get("async", "AsyncClient"), _CLASS, "a class name"),
        ("environment/api_key", environment.get("api_key", "API_KEY"), _ENV, _AN_ENV_NAME),
        ("environment/base_url", environment.get("base_url", "BASE_URL"), _ENV, _AN_ENV_NAME),
        ("environment/log", environment.get("log", "LOG"), _ENV, _AN_ENV_NAME),
        (
            "user_agent",
            data.get("user_agent", package),
            _TOKEN,
            "a product token (letters, digits, . _ -)",
        ),
        ("base_url", data.get("base_url"), _URL, "an http(s) URL"),
    ):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.error(
                f"`{key.replace('/', '.')}` must be {what}, not {value!r}", file, "/" + key
            )


def _hand_written(data: dict[str, Any], package: str, file: str, problems: Problems) -> list[str]:
    """The paths of the output that the maintainer owns: `lib/` and those listed."""
    hand_written = [f"{package}/lib/"]
    listed = data.get("hand_written") or []
    if not isinstance(listed, list):
        problems.error(
            "`hand_written` must be a list of paths inside the output (a folder ends in `/`)",
            file,
            "/hand_written",
        )
        listed = []
    for index, entry in enumerate(listed):
        # a path inside the output: relative, no empty, `.` or `..` part (a folder ends in /)
        if not isinstance(entry, str) or any(
            p in ("", ".", "..") for p in entry.removesuffix("/").split("/")
        ):
            problems.error(
                f"`hand_written` entries must be relative paths inside the output, not {entry!r}",
                file,
                pointer("hand_written", index),
            )
        else:
            hand_written.append(entry)
    return hand_written


def _webhook_signing(section: Any, file: str, problems: Problems) -> WebhookSigning | None:
    """The `webhooks` section: how the API signs what it sends; None when there is none."""
    if section is None:
        return None
    if not isinstance(section, dict):
        problems.error(
            "`webhooks` must be a mapping (signature_header, timestamp_header, signed_message, "
            "...)",
            file,
            "/webhooks",
        )
        return None
    headers = _signed_message(section, file, problems)
    tolerance = section.get("tolerance", 300)
    if not isinstance(tolerance, int) or isinstance(tolerance, bool) or tolerance <= 0:
        problems.error(
            f"`webhooks.tolerance` must be a positive number of seconds, not {tolerance!r}",
            file,
            "/webhooks/tolerance",
        )
    key_env = section.get("public_key_env")
    if not isinstance(key_env, str) or not _ENV.fullmatch(key_env):
        problems.error(
            f"`webhooks.public_key_env` must be an environment variable name, not {key_env!r}",
            file,
            "/webhooks/public_key_env",
        )
    at = section.get("event_type_at")
    if not isinstance(at, list) or not at or not all(isinstance(part, str) and part for part in at):
        problems.error(
            "`webhooks.event_type_at` must be the path of property names to the event type, "
            f"not {at!r}",
            file,
            "/webhooks/event_type_at",
        )
        at = []
    if problems.errors:
        return None
    signature, timestamp, message = headers
    return WebhookSigning(signature, timestamp, message, tolerance, str(key_env), tuple(at))


def _signed_message(section: dict[str, Any], file: str, problems: Problems) -> tuple[str, str, str]:
    """The signature and timestamp headers and the text that is signed, each checked."""
    values: dict[str, Any] = {}
    for key, pattern, what in (
        ("signature_header", _HEADER, "an HTTP header name"),
        ("timestamp_header", _HEADER, "an HTTP header name"),
        ("signed_message", None, "a text with `{timestamp}` and `{payload}` once each"),
    ):
        value = section.get(key)
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            problems.error(
                f"`webhooks.{key}` must be {what}, not {value!r}", file, pointer("webhooks", key)
            )
        values[key] = value
    message = values["signed_message"]
    if isinstance(message, str) and (
        message.count("{timestamp}") != 1
        or message.count("{payload}") != 1
        or message.count("{") != 2
        or message.count("}") != 2
    ):
        problems.error(
            "`webhooks.signed_message` must hold `{timestamp}` and `{payload}` once each and no "
            f"other braces, not {message!r}",
            file,
            "/webhooks/signed_message",
        )
    return str(values["signature_header"]), str(values["timestamp_header"]), str(message)


# -- agent skills ---------------------------------------------------------------------

_SKILL_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # the Agent Skills rule for a name
MAX_DESCRIPTION = 1024  # characters of a skill's description (the specification)


def load_skills(
    data: object, file: str, problems: Problems, methods: Mapping[str, Operation]
) -> tuple[Skill, ...]:
    """The `skills:` section of the SDK config (absent: no skills). `methods`: every method
    of the SDK by dotted path, so that a task naming a method that does not exist is an
    error at the line that names it."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        problems.error("`skills` must be a mapping of skill names to skills", file, "/skills")
        return ()
    skills = []
    for name, entry in data.items():
        skill = _load_skill(str(name), entry, file, problems, methods)
        if skill is not None:
            skills.append(skill)
    return tuple(skills)


def _load_skill(
    name: str, entry: object, file: str, problems: Problems, methods: Mapping[str, Operation]
) -> Skill | None:
    where = pointer("skills", name)
    if not _SKILL_NAME.fullmatch(name) or len(name) > 64:
        problems.error(
            f"skill name {name!r} must be lowercase letters, digits and single hyphens "
            "(at most 64 characters)",
            file,
            where,
        )
        return None
    if not isinstance(entry, dict):
        problems.error(f"skill {name!r} must be a mapping", file, where)
        return None
    known = {"title", "description", "methods", "notes", "core", "supporting"}
    for key in sorted(set(entry) - known):
        problems.error(f"unknown key {key!r} of skill {name!r}", file, where + pointer(key))
    text = {key: _skill_text(entry, key, file, where, problems) for key in ("title", "description")}
    if len(text["description"]) > MAX_DESCRIPTION:
        problems.error(
            f"the description of skill {name!r} has {len(text['description'])} characters; "
            f"agents read at most {MAX_DESCRIPTION}",
            file,
            where + "/description",
        )
    covered = _skill_strings(entry.get("methods"), file, where + "/methods", problems)
    for prefix in covered:
        if not any(m == prefix or m.startswith(prefix + ".") for m in methods):
            problems.error(f"no method of the SDK is {prefix!r} or below it", file, where)
    tasks = {
        kind: _tasks(entry.get(kind), file, where + "/" + kind, problems, methods, covered)
        for kind in ("core", "supporting")
    }
    notes = _skill_strings(entry.get("notes"), file, where + "/notes", problems)
    return Skill(
        name, text["title"], text["description"], covered, notes, tasks["core"], tasks["supporting"]
    )


def _skill_text(entry: dict[str, Any], key: str, file: str, where: str, problems: Problems) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.error(f"`{key}` must be a non-empty string", file, where + pointer(key))
        return ""
    return " ".join(value.split())


def _skill_strings(value: object, file: str, where: str, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.error("must be a list of non-empty strings", file, where)
        return ()
    return tuple(" ".join(v.split()) for v in value)


def _tasks(
    value: object,
    file: str,
    where: str,
    problems: Problems,
    methods: Mapping[str, Operation],
    covered: tuple[str, ...],
) -> tuple[Task, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.error("must be a mapping of methods to their title and why", file, where)
        return ()
    tasks = []
    for method, entry in value.items():
        at = where + pointer(str(method))
        if method not in methods:
            problems.error(f"{method!r} is not a method of the SDK", file, at)
            continue
        if not below(method, covered):
            problems.error(f"{method!r} is not below the skill's `methods`", file, at)
            continue
        if not isinstance(entry, dict) or set(entry) - {"title", "why", "example"}:
            problems.error("must be a mapping with `title`, `why` and `example`", file, at)
            continue
        example = entry.get("example") or {}
        if not isinstance(example, dict):
            problems.error("`example` must map arguments to values", file, at + "/example")
            example = {}
        arguments = {p.name for p in methods[method].arguments}
        for argument in example:
            if argument not in arguments:
                problems.error(
                    f"{method} has no argument {argument!r}",
                    file,
                    at + pointer("example", argument),
                )
        title, why = (_skill_text(entry, key, file, at, problems) for key in ("title", "why"))
        tasks.append(Task(method, title, why, tuple(example.items())))
    return tuple(tasks)
