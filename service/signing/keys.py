"""The registry's signing keys: loaded from REGISTRY_SIGNING_KEYS or a key file, created on first
start, rotated by adding a key. Private halves never leave this module's key ring: not served,
not logged.

The key file is a JSON Web Key Set with the private `d` of each key, written 0600; the last key
signs, every key verifies.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from service.signing.jws import b64url, b64url_decode, public_jwk, sign_detached

KEYS_FILE_NAME = "signing-keys.json"


class KeysUnusable(RuntimeError):
    """The configured keys cannot be read; names the source, never the key material."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    created: str

    @classmethod
    def generate(cls) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        kid = public_jwk(private.public_key())["kid"]
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return cls(kid, private, created)

    @property
    def public(self) -> dict[str, str]:
        return public_jwk(self.private.public_key())

    def private_jwk(self) -> dict[str, str]:
        d = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return {**self.public, "d": b64url(d), "created": self.created}

    def __repr__(self) -> str:  # never print the private key
        return f"SigningKey(kid={self.kid!r}, created={self.created!r})"


class KeyRing:
    """Every key that verifies; the newest signs."""

    def __init__(self, keys: list[SigningKey], source: str) -> None:
        if not keys:
            raise KeysUnusable(f"no keys in {source}")
        self.keys = keys
        self.source = source

    @property
    def active(self) -> SigningKey:
        return self.keys[-1]

    def sign(self, payload: bytes) -> str:
        """A detached JWS over exactly these bytes, with the active key."""
        return sign_detached(payload, self.active.private, self.active.kid)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public key set: what `/.well-known/jwks.json` serves."""
        return {"keys": [key.public for key in self.keys]}

    def private_jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.private_jwk() for key in self.keys]}

    def rotated(self) -> KeyRing:
        return KeyRing([*self.keys, SigningKey.generate()], self.source)


def parse_key_set(text: str, source: str) -> KeyRing:
    try:
        document = json.loads(text)
        keys = [_key(entry) for entry in document["keys"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise KeysUnusable(
            f"{source} is not a JSON Web Key Set of Ed25519 private keys ({type(exc).__name__})"
        ) from None
    return KeyRing(keys, source)


def _key(entry: dict[str, Any]) -> SigningKey:
    if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519" or "d" not in entry:
        raise ValueError("not an Ed25519 private JWK")
    private = Ed25519PrivateKey.from_private_bytes(b64url_decode(str(entry["d"])))
    kid = public_jwk(private.public_key())["kid"]
    return SigningKey(kid, private, str(entry.get("created", "")))


def load_or_create(path: Path, environment: str | None = None) -> tuple[KeyRing, bool]:
    """The key ring from `environment` (REGISTRY_SIGNING_KEYS), else the file, created if absent.

    Creation is exclusive (a hard link of a finished temporary file), so several workers
    starting together end up with one key. Returns (ring, created).
    """
    if environment:
        return parse_key_set(environment, "REGISTRY_SIGNING_KEYS"), False
    if not path.exists():
        ring = KeyRing([SigningKey.generate()], str(path))
        if _write(path, ring, exclusive=True):
            return ring, True
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeysUnusable(f"cannot read the signing keys at {path}: {exc.strerror}") from None
    return parse_key_set(text, str(path)), False


def rotate(path: Path) -> KeyRing:
    """Add a new signing key to the file; the old ones stay to verify what they signed."""
    ring, _ = load_or_create(path)
    ring = ring.rotated()
    _write(path, ring, exclusive=False)
    return ring


def _write(path: Path, ring: KeyRing, *, exclusive: bool) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(ring.private_jwks(), indent=2) + "\n"
    descriptor, temporary = tempfile.mkstemp(prefix=".signing-keys-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        if not exclusive:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
