"""Detached JWS verification (RFC 7515 appendix F, EdDSA/Ed25519), as the registry signs."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agent_registry.errors import SignatureError


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(jws: str) -> str | None:
    """The `kid` a signature names, or None when the header cannot be read."""
    try:
        header = json.loads(_b64url_decode(jws.split(".", 1)[0]))
    except ValueError:
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def verify(jws: str, payload: bytes, jwks: Mapping[str, Any]) -> str:
    """Check `jws` over exactly `payload`; return the kid. Raise SignatureError otherwise."""
    parts = jws.strip().split(".")
    if len(parts) != 3 or parts[1]:
        raise SignatureError("the signature is not a detached compact JWS")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        signature = _b64url_decode(parts[2])
    except ValueError as exc:
        raise SignatureError("the signature is not base64url JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise SignatureError("the signature's algorithm is not EdDSA")
    kid = header.get("kid")
    matching = [k for k in jwks.get("keys", []) if isinstance(k, Mapping) and k.get("kid") == kid]
    if not matching or matching[0].get("crv") != "Ed25519":
        raise SignatureError(f"no Ed25519 key {kid!r} in the registry's key set")
    key = Ed25519PublicKey.from_public_bytes(_b64url_decode(str(matching[0]["x"])))
    try:
        key.verify(signature, f"{parts[0]}.{_b64url(payload)}".encode("ascii"))
    except InvalidSignature as exc:
        raise SignatureError("the profile's bytes do not match its signature") from exc
    return str(kid)
