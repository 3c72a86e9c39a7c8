"""A fetched profile: the exact verified bytes, the typed model, and how it was obtained."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from agent_registry_client.models import Profile

if TYPE_CHECKING:
    from claude_agent_sdk import AgentDefinition

# network: fetched now; revalidated: a 304 confirmed the cached bytes; cache: fresh within the
# TTL; stale: past the TTL, served while a refresh runs; fallback: the registry is unreachable,
# this is the last good copy.
Source = Literal["network", "revalidated", "cache", "stale", "fallback"]


@dataclass(frozen=True)
class AgentProfile:
    ref: str
    body: bytes
    etag: str | None
    signature: str | None
    key_id: str | None  # the key that verified it; None when verification is off
    source: Source
    fetched_at: float

    @cached_property
    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data

    @cached_property
    def data(self) -> Profile:
        """The typed profile (the generated client's model)."""
        return Profile.from_dict(self.document)

    @property
    def name(self) -> str:
        return str(self.document["name"])

    @property
    def version(self) -> str:
        return str(self.document["version"])

    @property
    def digest(self) -> str:
        return str(self.document["digest"])

    @property
    def provenance(self) -> dict[str, Any] | None:
        """How the version was published (the token, or the OIDC CI run), as the registry
        recorded it; covered by the signature like the rest of the body."""
        value = self.document.get("provenance")
        return dict(value) if isinstance(value, dict) else None

    @property
    def fallback(self) -> bool:
        """True when the registry was unreachable and this is the last good copy."""
        return self.source == "fallback"

    @property
    def stale(self) -> bool:
        return self.source in ("stale", "fallback")

    def agent_definition(self) -> AgentDefinition:
        """The Claude Agent SDK's `AgentDefinition` (install the `sdk` extra)."""
        from claude_agent_sdk import AgentDefinition

        return AgentDefinition(**self.document["agentDefinition"])
