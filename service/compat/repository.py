"""All SQL for compatibility policies and the version a release is compared with."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Artifact, NamespacePolicy


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def namespace_policy(self, namespace: str) -> str | None:
        return await self.session.scalar(
            select(NamespacePolicy.compatibility).where(NamespacePolicy.namespace == namespace)
        )

    async def set_namespace_policy(self, namespace: str, compatibility: str, actor: str) -> None:
        statement = insert(NamespacePolicy).values(
            namespace=namespace, compatibility=compatibility, updated_by=actor
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[NamespacePolicy.namespace],
                set_={
                    "compatibility": statement.excluded.compatibility,
                    "updated_by": statement.excluded.updated_by,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )

    async def artifact_policy(
        self, kind: str, namespace: str, name: str
    ) -> tuple[bool, str | None]:
        """(the artifact exists, its own policy)."""
        row = (
            await self.session.execute(
                select(Artifact.compatibility).where(
                    Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name
                )
            )
        ).first()
        return (False, None) if row is None else (True, row[0])

    async def set_artifact_policy(
        self, kind: str, namespace: str, name: str, compatibility: str | None
    ) -> bool:
        result = await self.session.execute(
            update(Artifact)
            .where(Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name)
            .values(compatibility=compatibility)
            .returning(Artifact.id)
        )
        return result.first() is not None
