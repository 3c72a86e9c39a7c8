"""Detached JWS (RFC 7515 appendix F) with EdDSA/Ed25519 (RFC 8037): `header..signature`.

The payload part is left empty in the compact form; the verifier puts the exact bytes it
received back in (base64url-encoded, as in an ordinary JWS), so any change to them fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM = "EdDSA"


class SignatureInvalid(ValueError):
    """The signature does not verify against these bytes and keys; says why."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as an OKP JWK, with its RFC 7638 thumbprint as `kid`."""
    x = b64url(key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": thumbprint(x),
        "alg": ALGORITHM,
        "use": "sig",
    }


def thumbprint(x: str) -> str:
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


def sign_detached(payload: bytes, key: Ed25519PrivateKey, kid: str) -> str:
    header = b64url(json.dumps({"alg": ALGORITHM, "kid": kid}, separators=(",", ":")).encode())
    signing_input = f"{header}.{b64url(payload)}".encode("ascii")
    return f"{header}..{b64url(key.sign(signing_input))}"


def verify_detached(jws: str, payload: bytes, jwks: Mapping[str, Any]) -> str:
    """Verify `jws` over `payload` with the key its `kid` names in `jwks`; return that kid."""
    parts = jws.strip().split(".")
    if len(parts) != 3 or parts[1] != "":
        raise SignatureInvalid("not a detached compact JWS (`header..signature`)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        signature = b64url_decode(parts[2])
    except ValueError as exc:
        raise SignatureInvalid("the JWS header or signature is not base64url JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise SignatureInvalid("the JWS algorithm is not EdDSA")
    kid = header.get("kid")
    keys = [k for k in jwks.get("keys", []) if isinstance(k, Mapping) and k.get("kid") == kid]
    if not keys or keys[0].get("kty") != "OKP" or keys[0].get("crv") != "Ed25519":
        raise SignatureInvalid(f"no Ed25519 key {kid!r} in the key set")
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(str(keys[0]["x"])))
    signing_input = f"{parts[0]}.{b64url(payload)}".encode("ascii")
    try:
        public.verify(signature, signing_input)
    except InvalidSignature as exc:
        raise SignatureInvalid("the signature does not match these bytes") from exc
    return str(kid)
