"""Opaque pagination cursors: URL-safe base64 of a small JSON value, checked on the way back.

A cursor comes back from the client, so it may be garbled or forged: what it holds is checked
before any of it reaches SQL (a string PostgreSQL cannot store, an integer past bigint, a value
of the wrong type would fail there as a 500), and refused as InvalidCursor (400).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from service.errors import InvalidCursor

ISSUED = "cursor is not one this registry issued"
BIGINT = 2**63 - 1


def encode_cursor(state: Any) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_value(cursor: str, message: str = ISSUED) -> Any:
    """The JSON value inside `cursor`, every string and integer in it one PostgreSQL can take;
    InvalidCursor (400, `message`) otherwise."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor(message) from exc
    if not _storable(value):
        raise InvalidCursor(message)
    return value


def decode_cursor(cursor: str, *required: str) -> dict[str, Any]:
    """The object inside `cursor`; InvalidCursor (400) unless it has every `required` key."""
    state = decode_value(cursor)
    if not isinstance(state, dict) or any(key not in state for key in required):
        raise InvalidCursor(ISSUED)
    return state


def position(value: Any) -> int:
    """A feed position from a cursor: a non-negative integer (not a bool, string or float)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidCursor(ISSUED)
    return value


def texts(value: Any, count: int, message: str = ISSUED) -> Sequence[str]:
    """A cursor's key of `count` strings."""
    if not isinstance(value, list) or len(value) != count:
        raise InvalidCursor(message)
    if not all(isinstance(part, str) for part in value):
        raise InvalidCursor(message)
    return value


def _storable(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value and _utf8(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return True
    if isinstance(value, int):
        return -BIGINT - 1 <= value <= BIGINT
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    return False


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate (`\ud800` in the JSON)
        return False
    return True
