"""Bodies of the changes feed (JSON names are the public contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.formats.kinds import Kind

Event = Literal[
    "published", "tag.moved", "tag.deleted", "yanked", "unyanked", "deprecated", "undeprecated"
]


class ChangeEvent(BaseModel):
    seq: int = Field(description="Position in the feed; increases in commit order.")
    event: Event
    kind: Kind
    namespace: str
    name: str
    version: str | None = Field(description="The version concerned (tag events: its target).")
    digest: str | None
    at: datetime
    details: dict[str, Any] = Field(
        description="`tag` for tag events, `reason` for a yank, `message` for a deprecation."
    )


class ChangePage(BaseModel):
    changes: list[ChangeEvent]
    next: str = Field(
        description="Pass as `since` to continue; never null, so a follower can always resume."
    )
