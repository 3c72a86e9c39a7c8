"""Who did something, as the audit log records it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ActorKind = Literal["anonymous", "token", "oidc", "bootstrap", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    kind: ActorKind
    id: str | None = None
    claims: dict[str, Any] | None = None
    request_id: str | None = None
    client_address: str | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        """The registry itself, e.g. `registry serve --seed`."""
        return cls(name=name, kind="system")

    @classmethod
    def anonymous(cls, request_id: str | None, client_address: str | None) -> Actor:
        return cls("anonymous", "anonymous", request_id=request_id, client_address=client_address)
