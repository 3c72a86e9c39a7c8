"""Bearer tokens and the principals they stand for (pure: no I/O).

A token is `areg_` + 41 base62 characters of randomness (~244 bits) + a 6-character CRC32
checksum, the shape GitHub uses: a secret scanner can find leaked tokens by the prefix and tell
real ones from look-alikes by the checksum, without asking the registry. Only the SHA-256 of a
token is stored; with this much entropy a fast hash cannot be brute-forced, and an indexed
lookup by hash never compares secrets byte by byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from service.audit.actor import Actor, ActorKind

TOKEN_PREFIX = "areg_"  # noqa: S105 -- a public prefix, not a secret
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RANDOM_CHARS = 41
_CHECKSUM_CHARS = 6
TOKEN_LENGTH = len(TOKEN_PREFIX) + _RANDOM_CHARS + _CHECKSUM_CHARS
HINT_LENGTH = len(TOKEN_PREFIX) + 4
# Bearer values we even look at: printable ASCII without spaces, bounded.
MIN_SECRET_LENGTH = 20
MAX_SECRET_LENGTH = 256

Permission = Literal["read", "publish", "tag", "yank", "admin"]
PERMISSIONS: tuple[Permission, ...] = get_args(Permission)
ALL_NAMESPACES = "*"


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), _CHECKSUM_CHARS)


def generate_token() -> str:
    body = _base62(secrets.randbits(_RANDOM_CHARS * 6), _RANDOM_CHARS)
    return TOKEN_PREFIX + body + _checksum(body)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hint(token: str) -> str:
    return token[:HINT_LENGTH]


def well_formed(value: str) -> bool:
    """Worth a lookup: a registry token with a valid checksum, or an operator's bootstrap secret."""
    if not MIN_SECRET_LENGTH <= len(value) <= MAX_SECRET_LENGTH:
        return False
    if not (value.isascii() and value.isprintable()) or " " in value:
        return False
    if value.startswith(TOKEN_PREFIX):
        body = value[len(TOKEN_PREFIX) : -_CHECKSUM_CHARS]
        return (
            len(value) == TOKEN_LENGTH
            and all(c in _ALPHABET for c in value[len(TOKEN_PREFIX) :])
            and hmac.compare_digest(_checksum(body), value[-_CHECKSUM_CHARS:])
        )
    return True


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a stored token, an OIDC-issued token, or the bootstrap token."""

    kind: ActorKind
    name: str
    token_id: str | None
    namespaces: frozenset[str]
    permissions: frozenset[str]
    claims: dict[str, Any] | None = field(default=None, compare=False)
    # When the token stops working (None: never): a memory of it must not outlive it.
    expires_at: dt.datetime | None = field(default=None, compare=False)

    def in_scope(self, namespace: str) -> bool:
        return ALL_NAMESPACES in self.namespaces or namespace in self.namespaces

    def can(self, permission: Permission, namespace: str) -> bool:
        """`admin` covers every permission; any permission on a namespace lets one read it."""
        if not self.in_scope(namespace):
            return False
        if "admin" in self.permissions:
            return True
        if permission == "read":
            return bool(self.permissions)
        return permission in self.permissions

    @property
    def is_admin(self) -> bool:
        """Admin over every namespace: manages tokens, namespaces, trust policies, the audit log."""
        return "admin" in self.permissions and ALL_NAMESPACES in self.namespaces

    def may_create(self, namespace: str) -> bool:
        """A namespace comes into being when a token scoped to it by name (or an admin) publishes."""
        return namespace in self.namespaces or self.is_admin

    def actor(self, request_id: str | None, client_address: str | None) -> Actor:
        return Actor(
            name=self.name,
            kind=self.kind,
            id=self.token_id,
            claims=self.claims,
            request_id=request_id,
            client_address=client_address,
        )
