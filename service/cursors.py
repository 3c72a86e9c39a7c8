"""Opaque pagination cursors: URL-safe base64 of a small JSON object, checked on the way back."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from service.errors import InvalidCursor


def encode_cursor(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *required: str) -> dict[str, Any]:
    """The object inside `cursor`; InvalidCursor (400) unless it has every `required` key."""
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not one this registry issued") from exc
    if not isinstance(state, dict) or any(key not in state for key in required):
        raise InvalidCursor("cursor is not one this registry issued")
    return state
