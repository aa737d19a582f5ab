"""The names the generated package's runtime already uses, in one place.

The runtime (`generator/runtime/`) defines clients, resources, errors and models
that generated code sits beside; a name made of the spec's text must not take one of theirs.
The naming of methods and arguments, the normaliser's class names, the SDK config's checks,
the resource modules' imports and the templates (as Jinja globals) all read them here.
`tests/units/test_house.py` checks the error names against the runtime's source.
"""

from __future__ import annotations

import sys

# The errors the generated package defines and exports (its `_exceptions` module).
EXCEPTION_NAMES = (
    "TelnyxError", "ArgumentError", "ClientClosedError", "PaginationError", "APIError",
    "APIStatusError", "BadRequestError", "AuthenticationError", "PermissionDeniedError",
    "NotFoundError", "ConflictError", "UnprocessableEntityError", "RateLimitError",
    "InternalServerError", "APIConnectionError", "APITimeoutError", "APIResponseValidationError",
    "APIStreamError", "WebhookVerificationError", "ErrorDetail",
)  # fmt: skip

# Attributes the runtime's clients and resources already have: a resource or method must not
# take their names.
# tests/units/test_runtime_modules.py holds the clients to exactly these (and their resources).
CLIENT_ATTRIBUTES = frozenset(
    {
        "api_key", "base_url", "timeout", "max_retries", "default_headers", "retry_statuses",
        "max_retry_after", "max_response_bytes", "attempt_timeout", "auto_idempotency_keys",
        "public_key", "close", "request", "with_options", "webhooks",
    }
)  # fmt: skip
RESOURCE_ATTRIBUTES = frozenset({"with_raw_response", "with_streaming_response"})

# What a resource module calls the package's types index (`types_.Assistant`).
LAZY_TYPES = "types_"

# Names every generated method binds or uses in its body (its options, the request spec,
# typing.cast, the pager); a parameter must not shadow them. Generated names in method
# bodies are otherwise CamelCase, upper case or start with `_`, which snake_case never makes.
METHOD_LOCALS = frozenset(
    {
        "self",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "idempotency_key",
        "cast",
        "spec",
        "fetch_page",
        LAZY_TYPES,
        "date",
        "datetime",
    }
)

# The methods the generated models' base class (TelnyxModel, in `_models`) adds to pydantic's;
# a property of that name gets a `_` (`to_dict_`, the wire name its alias), as pydantic's own
# (`model_dump`) do.
MODEL_METHODS = ("to_dict", "to_json")

# What every resource module with operations imports from the runtime, beside its types.
RESOURCE_RUNTIME_IMPORTS = (
    ("functools", ("cached_property",)),
    ("._request", ("RequestSpec",)),
    ("._resource", (
        "AsyncAPIResource", "SyncAPIResource", "async_to_raw_response_wrapper",
        "async_to_streamed_response_wrapper", "to_raw_response_wrapper",
        "to_streamed_response_wrapper",
    )),
    ("._types", ("NOT_GIVEN", "Body", "Headers", "NotGiven", "Query", "TimeoutTypes")),
)  # fmt: skip

# Names the models module imports; a schema must not take them.
MODELS_MODULE_NAMES = frozenset(
    {
        "Annotated", "Any", "AnyUrl", "AwareDatetime", "BaseModel", "ConfigDict", "Enum",
        "Field", "Literal", "OpenEnum", "RootModel", "UUID", "date", "datetime", "time",
        "timedelta", "Model", "TelnyxModel", "Union", "UnknownVariant", "OpenIntEnum",
        "TypeAliasType", "Optional",
    }
) | frozenset(
    {  # and what the resource modules, which import the models by name, import beside them
        "RequestSpec", "AsyncAPIResource", "SyncAPIResource", "Body", "Headers", "NotGiven",
        "Query", "TimeoutTypes", "FileTypes", "FileContent", "AsyncPager", "Paging", "SyncPage",
        "Stream", "AsyncStream", "Dict", "List", "Mapping", "Sequence", "TypedDict", "Required",
        # and types/_webhook_events.py, which imports the payloads
        "WebhookEvent", "UnknownWebhookEvent",
    }
)  # fmt: skip
# A resource module's own classes end so (`AssistantsResource`): no model may.
RESOURCE_CLASS_ENDINGS = ("Resource", "ResourceWithRawResponse", "ResourceWithStreamingResponse")

# Names the package's modules define or import beside the clients: a client named so would
# shadow them.
CLIENT_MODULE_NAMES = frozenset(EXCEPTION_NAMES) | {
    "NotGiven", "NOT_GIVEN", "Omit", "Stream", "AsyncStream", "StreamedResponse",
    "AsyncStreamedResponse", "RawResponse", "RequestSpec", "SyncAPIClient", "AsyncAPIClient",
    "Webhooks", "Any", "Mapping", "TYPE_CHECKING", "TimeoutTypes", "TelnyxModel",
}  # fmt: skip

# Modules the generated package imports: a package named so could not import itself.
IMPORTED_MODULES = frozenset(sys.stdlib_module_names) | {
    "httpx",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "httpx_sse",
    "cryptography",
    "anyio",
}
