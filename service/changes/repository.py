"""All SQL of the changes feed."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Change


class ChangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settled_position(self) -> int:
        """The last feed position whose transaction has ended: nothing at or below it is in flight."""
        return int(await self.session.scalar(text("SELECT registry_settled_seq()")) or 0)

    async def after(
        self, since: int, upto: int, limit: int, namespaces: Collection[str] | None = None
    ) -> list[Change]:
        statement = (
            select(Change)
            .where(Change.seq > since, Change.seq <= upto)
            .order_by(Change.seq)
            .limit(limit)
        )
        if namespaces is not None:
            statement = statement.where(Change.namespace.in_(sorted(namespaces)))
        return list(await self.session.scalars(statement))
