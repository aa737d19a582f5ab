"""Webhooks signed as the API signs them: a key pair made for the test run, an event, and
the headers of its signature (spec/sdk.yaml says which)."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "ai-assistants.openapi.yaml"
CONFIG = yaml.safe_load((ROOT / "spec" / "sdk.yaml").read_text())["webhooks"]
SIGNATURE, TIMESTAMP = CONFIG["signature_header"], CONFIG["timestamp_header"]

PRIVATE = Ed25519PrivateKey.generate()
PUBLIC = base64.b64encode(
    PRIVATE.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()
OTHER = base64.b64encode(
    Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()

EVENT = {
    "data": {
        "event_type": "call.conversation.ended",
        "id": "eb8775a6-634f-48b0-b177-d5465a8a8e9f",
        "occurred_at": "2025-05-29T13:35:38.817785Z",
        "record_type": "event",
        "payload": {
            "assistant_id": "assistant-1",
            "conversation_id": "c-1",
            "duration_sec": 3,
            "reason": "customer_disconnect",
        },
    }
}
BODY = json.dumps(EVENT).encode()


def sign(body: bytes, at: int | None = None, key: Ed25519PrivateKey = PRIVATE) -> dict[str, str]:
    """The headers the API sends with `body`: the signature of `{timestamp}|{body}`."""
    timestamp = str(int(time.time()) if at is None else at)
    message = (
        CONFIG["signed_message"]
        .replace("{timestamp}", timestamp)
        .encode()
        .replace(b"{payload}", body)
    )
    return {SIGNATURE: base64.b64encode(key.sign(message)).decode(), TIMESTAMP: timestamp}
