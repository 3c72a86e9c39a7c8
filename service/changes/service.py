"""Reading the feed: only settled positions, so a cursor never passes an event still committing."""

from __future__ import annotations

from service.changes.repository import ChangeRepository
from service.changes.schemas import ChangeEvent, ChangePage
from service.cursors import decode_cursor, encode_cursor, position


class ChangeService:
    def __init__(self, repository: ChangeRepository) -> None:
        self.repository = repository

    async def page(
        self, since: str | None, limit: int, namespaces: frozenset[str] | None = None
    ) -> ChangePage:
        """`namespaces`: only their events (what the caller may read); the cursor still moves
        past everything settled, so a scoped reader is never stuck on events it cannot see."""
        start = position(decode_cursor(since, "seq")["seq"]) if since else 0
        settled = await self.repository.settled_position()
        rows = await self.repository.after(start, settled, limit, namespaces)
        # A full page may stop short of `settled`; otherwise every event up to it was returned.
        reached = rows[-1].seq if len(rows) == limit else max(settled, start)
        return ChangePage(
            changes=[ChangeEvent.model_validate(row, from_attributes=True) for row in rows],
            next=encode_cursor({"seq": reached}),
        )
