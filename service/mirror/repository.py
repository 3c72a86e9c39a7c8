"""All SQL of the mirror: where it is in the source's feed, and applying writes as the mirror."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import MirrorState


class MirrorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def position(self, source: str) -> str | None:
        return await self.session.scalar(
            select(MirrorState.position).where(MirrorState.source == source)
        )

    async def begin_apply(self) -> None:
        """Writes in this transaction come from the mirror: the read-only guard lets them through."""
        await self.session.execute(text("SELECT set_config('registry.mirror_apply', 'on', true)"))

    async def save_position(self, source: str, position: str, *, read_only: bool) -> None:
        """In the same transaction as the applied event: a crash resumes exactly after it."""
        statement = insert(MirrorState).values(
            source=source, position=position, read_only=read_only
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[MirrorState.source],
                set_={
                    "position": statement.excluded.position,
                    "read_only": statement.excluded.read_only,
                    "updated_at": text("now()"),
                },
            )
        )
