"""All SQL for the audit log: append a record, read a filtered page (newest first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.actor import Actor
from service.db.models import AuditRecord


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(
        self,
        actor: Actor,
        action: str,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        version: str | None = None,
        digest: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add to the session: the record commits (or rolls back) with the write it describes."""
        self.session.add(
            AuditRecord(
                actor=actor.name,
                actor_kind=actor.kind,
                actor_id=actor.id,
                actor_claims=actor.claims,
                action=action,
                kind=kind,
                namespace=namespace,
                name=name,
                version=version,
                digest=digest,
                request_id=actor.request_id,
                client_address=actor.client_address,
                details=details or {},
            )
        )

    async def page(
        self,
        *,
        namespace: str | None,
        artifact: str | None,
        actor: str | None,
        before_id: int | None,
        limit: int,
    ) -> list[AuditRecord]:
        statement = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
        if namespace is not None:
            statement = statement.where(AuditRecord.namespace == namespace)
        if artifact is not None:
            statement = statement.where(AuditRecord.name == artifact)
        if actor is not None:
            statement = statement.where(
                or_(AuditRecord.actor == actor, AuditRecord.actor_id == actor)
            )
        if before_id is not None:
            statement = statement.where(AuditRecord.id < before_id)
        return list(await self.session.scalars(statement))
