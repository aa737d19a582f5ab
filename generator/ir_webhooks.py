"""The IR builder's webhook step: the events the API sends, each with its payload model and
the event type that tells it apart."""

from __future__ import annotations

from typing import Any

from .ir import WebhookEvent, WebhookSigning
from .ir_types import Context, TypeMapper
from .openapi import deref
from .problems import pointer


def webhook_events(
    ctx: Context, signing: WebhookSigning | None, config_file: str
) -> tuple[WebhookEvent, ...]:
    """The spec's webhooks, each with its payload model and the event type (the one value
    of the property at `event_type_at`) that tells it apart. A webhook without one parses
    as the generic event, with a warning; two with one event type are an error."""
    webhooks = ctx.document.get("webhooks") or {}
    if signing is None:
        if webhooks:
            ctx.problems.warning(
                "the spec has webhooks but the SDK config no `webhooks` section: no "
                "client.webhooks",
                config_file,
                "/",
            )
        return ()
    events: list[WebhookEvent] = []
    seen: dict[str, str] = {}
    for name, item in sorted(webhooks.items()):
        event = _webhook_event(ctx, str(name), item, signing.event_type_at, seen)
        if event is not None:
            seen.update((t, str(name)) for t in event.event_types)
            events.append(event)
    return tuple(events)


def _webhook_event(
    ctx: Context, name: str, item: Any, event_type_at: tuple[str, ...], seen: dict[str, str]
) -> WebhookEvent | None:
    """One webhook's event, its event types those no webhook before it (`seen`) sends."""
    at = pointer("webhooks", name)
    operation = (item or {}).get("post") if isinstance(item, dict) else None
    body = deref(ctx.document, (operation or {}).get("requestBody")) or {}
    content = body.get("content") or {}
    found = ctx.mapper.component((content.get("application/json") or {}).get("schema"))
    if found is None:
        ctx.problems.warning(
            f"webhook {name!r} has no JSON payload schema of components/schemas: it is left out",
            ctx.file,
            at,
        )
        return None
    event_types = _event_types(ctx.mapper, found[1], event_type_at)
    if not event_types:
        ctx.problems.warning(
            f"webhook {name!r} has no `{'.'.join(event_type_at)}` of known values: it parses "
            "as the generic event",
            ctx.file,
            at,
        )
    for event_type in event_types:
        if event_type in seen:
            ctx.problems.warning(
                f"webhooks {seen[event_type]!r} and {name!r} both send {event_type!r}: it "
                "parses as the first one's model",
                ctx.file,
                at,
            )
    event_types = tuple(t for t in event_types if t not in seen)
    summary = str((operation or {}).get("summary") or "").strip()
    return WebhookEvent(name, found[0], event_types, summary)


def _event_types(mapper: TypeMapper, schema: Any, path: tuple[str, ...]) -> tuple[str, ...]:
    """The values the property at `path` may have: its `const` or `enum`, else the one
    value of its `example` (a free string that the spec shows one value of)."""
    for part in path:
        shape = mapper.object_shape(schema)
        if shape is None or part not in shape[0]:
            return ()
        schema = shape[0][part]
    found = mapper.component(schema)
    if found is not None:
        schema = found[1]
    if not isinstance(schema, dict):
        return ()
    if isinstance(schema.get("const"), str):
        return (str(schema["const"]),)
    values = [v for v in schema.get("enum") or [] if isinstance(v, str)]
    if values:
        return tuple(dict.fromkeys(values))
    example = schema.get("example")
    return (example,) if isinstance(example, str) and example else ()
