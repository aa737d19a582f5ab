"""Validation with pydantic, shared by requests, responses, streams and webhooks.

pydantic is imported on first use, not with the package: a client that is only made (or
a call answered with no body) never loads it.
"""

from __future__ import annotations

import gc
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pydantic

__all__ = ["adapter", "first_error", "validate_json"]


@lru_cache(maxsize=None)
def adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """The TypeAdapter of `tp`, made once (building one is costly)."""
    import pydantic

    return pydantic.TypeAdapter(tp)


def validate_json(tp: Any, content: bytes | str) -> Any:
    """Validate a JSON body into ``tp``; models use their own (fastest) path.

    The cyclic collector waits meanwhile: validation makes an object or three per model, all
    alive until it ends, none of them garbage, which the collector would walk again at every
    few hundred made (a share of validating a list that `make bench-runtime` shows). It runs
    after, as it would have. A collector that is off, by the caller or by another
    validation, stays off.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        model_validate_json = getattr(tp, "model_validate_json", None)
        if model_validate_json is not None:
            return model_validate_json(content)
        return adapter(tp).validate_json(content)
    finally:
        if paused:
            gc.enable()


def first_error(exc: Any) -> str:
    """The first problem of a pydantic ValidationError in words, with where it is and how
    many more there are: `data.0.id: Field required (and 2 more)`."""
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg')}{more}" if where else f"{first.get('msg')}{more}"
