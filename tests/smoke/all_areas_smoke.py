"""Smoke test of the whole-spec package (run by `make test-all-areas` after
`make generate-all`): every schema of the spec, paths' and webhooks' alike, has a model,
and one operation of every top-level area is called through the sync client against
respx; the request must reach the operation's method and path.

Not part of `make test`: it needs the whole spec curated and generated (`make generate-all`).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import respx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build" / "all" / "sdk"))

import telnyx_all  # noqa: E402
from telnyx_all import _resource  # noqa: E402


def operations(resource: Any, path: str) -> list[tuple[str, Any]]:
    """(dotted name, bound method) of a resource and its sub-resources, depth first."""
    found = []
    for name, member in inspect.getmembers(type(resource)):
        if name.startswith("_") or name == "with_raw_response":
            continue
        if isinstance(member, property) or hasattr(member, "func"):  # a sub-resource
            child = getattr(resource, name)
            if isinstance(child, _resource.SyncAPIResource):
                found += operations(child, f"{path}.{name}")
        elif inspect.isfunction(member):
            found.append((f"{path}.{name}", getattr(resource, name)))
    return found


STRINGS = (
    "x1",
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "+13125550001",
    "123e4567-e89b-42d3-a456-426614174000",
    "https://example.com",
)


def arguments(method: Any, text: str) -> tuple[list[Any], dict[str, Any]]:
    """Values for the required arguments: `text` for strings, the simplest value otherwise."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(method).parameters.values():
        if parameter.default is not inspect.Parameter.empty:
            continue
        annotation = str(parameter.annotation)
        value: Any = text
        literal = re.match(r"^Literal\[(['\"])(.*?)\1", annotation)
        if literal:
            value = literal.group(2)
        elif annotation.startswith(("int", "float")):
            value = 1
        elif annotation.startswith("bool"):
            value = True
        elif annotation.startswith(("Sequence", "List")):
            value = []
        elif "Dict" in annotation or "models." in annotation:
            value = {}
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            args.append(value)
        else:
            kwargs[parameter.name] = value
    return args, kwargs


def every_schema_has_a_model() -> bool:
    """Every component schema of the upstream spec is in the curated spec (under its own
    name, or the one a curation rule gave it), with those curation adds, and has a model
    (under its Python name)."""
    import yaml
    from telnyx_all import types as _models

    from generator.config import with_included_methods
    from generator.normalising import normalise
    from generator.problems import Problems

    upstream = yaml.load(
        (ROOT.parent / "shared" / "telnyx-openapi" / "spec3.yml").read_text(),
        Loader=yaml.CSafeLoader,
    )
    curated = yaml.load(
        (ROOT / "build" / "all" / "telnyx.openapi.yaml").read_text(), Loader=yaml.CSafeLoader
    )
    names = curated["components"]["schemas"]
    added = yaml.safe_load((ROOT / "spec" / "curated-schemas.yaml").read_text())["schemas"]
    # named as the build names them: sdk-all.yaml's methods, the AI areas' from sdk.yaml
    config_file = ROOT / "spec" / "sdk-all.yaml"
    config = with_included_methods(
        yaml.safe_load(config_file.read_text()), str(config_file), Problems()
    )
    normalised = normalise(
        curated, "curated", Problems(), config.get("methods"), config.get("segment_names")
    )
    models = list(normalised.document["components"]["schemas"])
    missing = [name for name in models if not hasattr(_models, name)]
    print(
        f"{len(upstream['components']['schemas'])} upstream schemas and {len(added)} added, "
        f"{len(names)} curated, {len(models)} models; missing: {missing or 'none'}"
    )
    return (
        len(names) == len(upstream["components"]["schemas"]) + len(added)
        and set(added) <= set(names)
        and not missing
    )


def streams() -> bool:
    """The whole-spec package streams as the AI package does: typed chunks, then [DONE]."""
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "Hi"}}],
    }
    body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    client = telnyx_all.Telnyx(api_key="smoke", max_retries=0)
    with respx.mock() as mock:
        mock.post("https://api.telnyx.com/v2/ai/chat/completions").respond(
            200, content=body, headers={"content-type": "text/event-stream"}
        )
        with client.ai.chat.completions.create(
            messages=[{"role": "user", "content": "Hi"}], model="m", stream=True
        ) as stream:
            chunks = list(stream)
    ok = [type(c).__name__ for c in chunks] == ["ChatCompletionChunk"] and chunks[0].choices[
        0
    ].delta.content == "Hi"
    print(f"streamed a chat completion: {[type(c).__name__ for c in chunks]}")
    return ok


def webhooks() -> bool:
    """Every webhook of the whole spec, from its example, parses as its own model; those
    the spec gives no event type as the generic event."""
    import yaml
    from telnyx_all import types as _models
    from telnyx_all.types import UnknownWebhookEvent
    from telnyx_all.types._webhook_events import EVENT_TYPES

    from generator.normalising import normalise
    from generator.problems import Problems

    curated = yaml.load(
        (ROOT / "build" / "all" / "telnyx.openapi.yaml").read_text(), Loader=yaml.CSafeLoader
    )
    document = normalise(curated, "curated", Problems()).document
    schemas = document["components"]["schemas"]
    client = telnyx_all.Telnyx(api_key="smoke")
    wrong: list[str] = []
    generic: list[str] = []
    whole: list[str] = []
    for name, item in sorted(document.get("webhooks", {}).items()):
        model = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit(
            "/", 1
        )[1]
        data = schemas[model].get("properties", {}).get("data", {})
        data = schemas[data["$ref"].rsplit("/", 1)[1]] if "$ref" in data else data
        example = data.get("example") or {
            k: v.get("example") for k, v in (data.get("properties") or {}).items() if "example" in v
        }
        event = client.webhooks.unsafe_unwrap(json.dumps({"data": example}))
        if isinstance(event, UnknownWebhookEvent) and event.event_type in EVENT_TYPES:
            whole.append(
                name
            )  # its model rejects the example (a required field missing): kept whole
        elif isinstance(event, UnknownWebhookEvent):
            generic.append(name)
        elif type(event) is not getattr(_models, model):
            wrong.append(f"{name}: {type(event).__name__}")
    print(
        f"{len(document.get('webhooks', {}))} webhooks parsed from their examples; "
        f"as the generic event: {generic or 'none'}; "
        f"kept whole (an incomplete example): {whole or 'none'}; wrong: {wrong or 'none'}"
    )
    # upstream gives these no `data.event_type`: campaignStatusUpdate has no `data`,
    # replacedLinkClick's lacks it, conferenceFloorChanged's payload has no `data` envelope
    return not wrong and set(generic) <= {
        "campaignStatusUpdate",
        "replacedLinkClick",
        "conferenceFloorChanged",
    }


def main() -> int:
    if not every_schema_has_a_model() or not streams() or not webhooks():
        return 1
    client = telnyx_all.Telnyx(api_key="smoke", max_retries=0)
    # every resource of the client; `webhooks` is no API area (it sends nothing)
    areas = [
        name
        for name, member in inspect.getmembers(type(client))
        if hasattr(member, "func") and not name.startswith("_") and name != "webhooks"
    ]
    called, skipped = 0, []
    for area in areas:
        candidates = operations(getattr(client, area), f"client.{area}")
        done = False
        for dotted, method in candidates:
            source = inspect.getsource(method)
            http_method = re.search(r'method="(\w+)"', source)
            path = re.search(r'path="([^"]+)"', source)
            if not http_method or not path:
                continue
            pattern = (
                "^https://api.telnyx.com/v2"
                + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path.group(1)))
                + r"(\?.*)?$"
            )
            with respx.mock(assert_all_called=False) as mock:
                route = mock.route(method=http_method.group(1).upper(), url__regex=pattern).respond(
                    200, json={}
                )
                for text in STRINGS:  # until the synthetic values pass the SDK's own checks
                    args, kwargs = arguments(method, text)
                    try:
                        getattr(_raw(client, dotted), dotted.rsplit(".", 1)[1])(*args, **kwargs)
                        break
                    except telnyx_all.ArgumentError:
                        continue
                    except httpx.HTTPError as exc:
                        print(f"{dotted}: {exc}")
                        return 1
            if route.called:
                called += 1
                done = True
                break
        if not done:
            skipped.append(area)
    print(
        f"{called} of {len(areas)} areas called through one operation each; "
        f"not reached: {skipped or 'none'}"
    )
    return 0 if called == len(areas) else 1


def _raw(client: Any, dotted: str) -> Any:
    resource = client
    for part in dotted.split(".")[1:-1]:
        resource = getattr(resource, part)
    return resource.with_raw_response


if __name__ == "__main__":
    sys.exit(main())
