"""Shared fixtures: the generated package is imported from generated/ as users would."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
CONFIG = ROOT / "spec" / "sdk.yaml"

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

BASE_URL = "https://api.telnyx.com/v2"

# Example budgets of the property tests: `make test` draws a few examples of each (fixed, so
# its time is known); `make test-deep` sets TELNYX_CODEGEN_TIER=deep for many more. No example
# database: every run starts from the same seed-free state, nothing is written to the tree.
settings.register_profile(
    "test", max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "deep", max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("TELNYX_CODEGEN_TIER", "test"))


def _prism(dynamic: bool) -> Iterator[str]:
    from support import prism

    try:
        with prism.running(dynamic=dynamic) as url:
            yield url
    except prism.PrismUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def prism_static() -> Iterator[str]:
    """Prism answering with the spec's examples, one per test session (xdist worker)."""
    yield from _prism(dynamic=False)


@pytest.fixture(scope="session")
def prism_dynamic() -> Iterator[str]:
    """Prism answering with data it generates from the response schemas."""
    yield from _prism(dynamic=True)


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    from support import target

    with target.module().Telnyx(api_key="test-key-0123456789", max_retries=2) as c:
        yield c


@pytest.fixture
async def async_client():  # type: ignore[no-untyped-def]
    from support import target

    async with target.module().AsyncTelnyx(api_key="test-key-0123456789", max_retries=2) as c:
        yield c


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait for real in production; tests record the delays instead."""
    from support import target

    base = target.module("_base_client")

    delays: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(base, "_sleep", delays.append)
    monkeypatch.setattr(base, "_async_sleep", fake_async_sleep)
    return delays
