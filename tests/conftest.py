"""Shared fixtures: the generated package is imported from generated/ as users would."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
CONFIG = ROOT / "spec" / "sdk.yaml"

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

BASE_URL = "https://api.telnyx.com/v2"


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    from telnyx_ai import Telnyx

    with Telnyx(api_key="test-key-0123456789", max_retries=2) as c:
        yield c


@pytest.fixture
async def async_client():  # type: ignore[no-untyped-def]
    from telnyx_ai import AsyncTelnyx

    async with AsyncTelnyx(api_key="test-key-0123456789", max_retries=2) as c:
        yield c


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait for real in production; tests record the delays instead."""
    import telnyx_ai._base_client as base

    delays: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(base, "_sleep", delays.append)
    monkeypatch.setattr(base, "_async_sleep", fake_async_sleep)
    return delays
