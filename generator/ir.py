"""Stage 3: the intermediate representation the templates render.

Plain frozen dataclasses, built once from the normalised spec and the SDK config by
`ir_builder.build_api`. Every Python name and type expression is final here: templates
only place them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

from .type_expressions import Events, Page, ParamDict, TypeExpr, union

Location = Literal["path", "query", "header", "body"]
ResponseKind = Literal["json", "text", "binary", "none", "stream"]
BodyEncoding = Literal["json", "form", "multipart", "binary"]
PageStyle = Literal["meta", "single", "array"]


@dataclass(frozen=True)
class Parameter:
    name: str  # the Python keyword argument
    wire_name: str  # the name on the wire (`page[size]`, `from`)
    location: Location
    type: TypeExpr  # what the argument accepts: rendered on the `in` side
    required: bool
    description: str = ""
    positional: bool = False

    @property
    def annotation(self) -> str:
        """The type in the signature."""
        return self.type.render("in")


@dataclass(frozen=True)
class Body:
    media_type: str
    required: bool
    model: str | None  # the model validating the whole body, if the body is one model
    fields: tuple[Parameter, ...] = ()  # flattened properties, when the body is an object
    encoding: BodyEncoding = "json"
    files: tuple[str, ...] = ()  # wire names of the fields that upload a file (multipart)


@dataclass(frozen=True)
class EventStream:
    """A `text/event-stream` answer whose events the spec declares (OpenAPI 3.2's `itemSchema`)."""

    item: TypeExpr  # the type of each event's data, validated event by event
    flag: str | None = (
        None  # the boolean body argument that asks for the stream; None: it always streams
    )

    @property
    def type(self) -> TypeExpr:
        """The return type of a streaming call: Stream or AsyncStream of the events."""
        return Events(self.item)


@dataclass(frozen=True)
class Response:
    kind: ResponseKind  # `stream`: the operation answers with events only
    type: TypeExpr  # the answer without a stream (`None` for no content)
    status: str
    events: EventStream | None = None  # the event stream the operation can answer with

    @property
    def parse_type(self) -> str:
        """What the runtime validates the body into (of a stream: each event)."""
        return self.parse_type_as("")

    def parse_type_as(self, qualify: str) -> str:
        """`parse_type` with `qualify` before each model's name (see TypeExpr.render)."""
        if self.kind == "stream" and self.events is not None:
            return self.events.item.render("out", qualify=qualify)
        return self.type.render("out", qualify=qualify)


@dataclass(frozen=True)
class Pagination:
    style: PageStyle
    item: TypeExpr
    number_param: str | None = None  # wire names of the paging query parameters
    size_param: str | None = None
    default_size: int | None = None  # the server's page size when none is sent


@dataclass(frozen=True)
class Operation:
    name: str  # method name on the resource
    http_method: str
    path: str
    operation_id: str
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]  # path, query and header parameters
    body: Body | None
    response: Response
    pagination: Pagination | None = None
    query_model: str | None = None  # the model validating the query parameters
    server_prefix: str = ""  # a leading `/v2` of the spec's path that the base URL already has

    @property
    def request_path(self) -> str:
        """The path requested below the base URL."""
        if self.server_prefix and self.path.startswith(self.server_prefix + "/"):
            return self.path[len(self.server_prefix) :]
        return self.path

    @property
    def renamed_arguments(self) -> dict[str, str]:
        """Wire name -> keyword argument, where they differ (for error messages)."""
        return {
            a.wire_name: a.name for a in self.arguments if a.wire_name and a.wire_name != a.name
        }

    @property
    def arguments(self) -> tuple[Parameter, ...]:
        """Every argument of the method: positional first, then required, then optional."""
        everything = self.parameters + (self.body.fields if self.body else ())
        positional = tuple(p for p in everything if p.positional)
        keyword = [p for p in everything if not p.positional]
        keyword.sort(key=lambda p: not p.required)
        return positional + tuple(keyword)

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    @property
    def header_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "header")

    @property
    def return_type(self) -> TypeExpr:
        """The return type of the method (rendered per client: a page or stream differs)."""
        if self.pagination is not None:
            return Page(self.pagination.item)
        events = self.response.events
        if events is not None and self.response.kind == "stream":
            return events.type
        if events is not None:
            return union([self.response.type, events.type])
        return self.response.type

    @property
    def return_annotation(self) -> str:
        """The return type of the sync client's method."""
        return self.return_type.render("out")


@dataclass(frozen=True)
class Resource:
    path: tuple[str, ...]  # ("ai", "assistants")
    class_name: str  # AssistantsResource
    module: str  # dotted module below the package: resources.ai.assistants
    is_package: bool
    operations: tuple[Operation, ...]
    children: tuple[Resource, ...] = ()

    @property
    def attribute(self) -> str:
        return self.path[-1]

    @property
    def async_class_name(self) -> str:
        return "Async" + self.class_name


@dataclass(frozen=True)
class WebhookSigning:
    """How the API signs the webhooks it sends (the `webhooks` section of the SDK config)."""

    signature_header: str  # the base64 Ed25519 signature
    timestamp_header: str  # the Unix time of sending, part of the signed message
    signed_message: str  # `{timestamp}` and `{payload}` (the raw body) placed: what was signed
    tolerance: int  # seconds a timestamp may be from now
    public_key_env: str  # the environment variable with the base64 public key
    event_type_at: tuple[str, ...]  # where in the payload the event type is (`data.event_type`)


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook of the spec: its payload model and the event type that tells it apart."""

    name: str  # the webhook's name in the spec
    model: str  # the payload model
    event_types: tuple[str, ...]  # none: the spec gives it none; it parses as the generic event
    summary: str = ""

    @property
    def tag(self) -> str:
        """The union's tag of the model: its class name."""
        return self.model


@dataclass(frozen=True)
class SdkConfig:
    package: str
    distribution: str
    version: str
    description: str
    user_agent: str
    sync_client: str
    async_client: str
    base_url: str
    api_key_env: str
    base_url_env: str
    log_env: str
    urls: tuple[tuple[str, str], ...] = ()
    examples: tuple[tuple[str, str], ...] = ()  # (title, code) for the README
    # paths of the output the maintainer writes by hand (a folder ends in `/`): never
    # written, removed or compared; `{package}/lib/` always among them
    hand_written: tuple[str, ...] = ()
    webhooks: WebhookSigning | None = None  # None: the SDK has no `client.webhooks`
    # (regular expression, words): patterns of the spec said in words in argument errors
    pattern_hints: tuple[tuple[str, str], ...] = ()
    # (path segment, Python name): segments whose snake_case names no resource (`10dlc`)
    segment_names: tuple[tuple[str, str], ...] = ()
    # (`METHOD /path` or `/path`, wire name, Python name): path parameters renamed
    path_parameter_names: tuple[tuple[str, str, str], ...] = ()
    # (`METHOD /path`, Python name): operations that take their whole body as one argument
    body_arguments: tuple[tuple[str, str], ...] = ()


# -- agent skills (the `skills:` section of the SDK config) --


@dataclass(frozen=True)
class Task:
    """An operation the skill explains in full: a core task or a supporting operation."""

    method: str  # the dotted method below the client: ai.assistants.create
    title: str
    why: str  # one line: why an agent needs it
    example: tuple[tuple[str, object], ...] = ()  # argument -> value, where the spec has none


@dataclass(frozen=True)
class Skill:
    name: str  # also its directory
    title: str
    description: str
    methods: tuple[str, ...]  # the dotted resources (or methods) whose operations it covers
    notes: tuple[str, ...] = ()
    core: tuple[Task, ...] = ()
    supporting: tuple[Task, ...] = ()

    def covers(self, method: str) -> bool:
        return below(method, self.methods)


def below(method: str, prefixes: tuple[str, ...]) -> bool:
    """Whether the dotted `method` is one of `prefixes` or below one of them."""
    return any(method == prefix or method.startswith(prefix + ".") for prefix in prefixes)


@dataclass(frozen=True)
class Api:
    config: SdkConfig
    title: str
    spec_version: str
    root: Resource  # the client itself; its children are the top-level resources
    model_names: tuple[str, ...] = field(default=())
    params: tuple[ParamDict, ...] = ()  # the TypedDicts that arguments may give for models
    model_homes: tuple[
        tuple[str, str], ...
    ] = ()  # model -> its module below `types` (`ai.assistants`)
    webhook_events: tuple[WebhookEvent, ...] = ()  # the events `client.webhooks.unwrap` parses

    @functools.cached_property
    def homes(self) -> dict[str, str]:
        return dict(self.model_homes)

    def walk(self) -> list[Resource]:
        out: list[Resource] = []
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    @property
    def operations(self) -> list[tuple[Resource, Operation]]:
        return [(r, op) for r in self.walk() for op in r.operations]

    @property
    def methods(self) -> dict[str, Operation]:
        """Every method of the SDK by its dotted path below the client (`ai.assistants.create`)."""
        return {".".join((*r.path, op.name)): op for r, op in self.operations}

    @property
    def streams(self) -> list[tuple[Resource, Operation]]:
        """The operations that can answer with a stream of events."""
        return [(r, op) for r, op in self.operations if op.response.events is not None]
