"""All SQL for compatibility policies and the version a release is compared with."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Artifact, NamespacePolicy

# The policy of the artifact's namespace, beside the artifact's own (a correlated subquery).
_NAMESPACE_POLICY = (
    select(NamespacePolicy.compatibility)
    .where(NamespacePolicy.namespace == Artifact.namespace)
    .correlate(Artifact)
    .scalar_subquery()
)


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def namespace_policy(self, namespace: str) -> str | None:
        return await self.session.scalar(
            select(NamespacePolicy.compatibility).where(NamespacePolicy.namespace == namespace)
        )

    async def set_namespace_policy(self, namespace: str, compatibility: str, actor: str) -> str:
        """Upsert it; the policy as stored (RETURNING: nothing is read again)."""
        statement = insert(NamespacePolicy).values(
            namespace=namespace, compatibility=compatibility, updated_by=actor
        )
        stored = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[NamespacePolicy.namespace],
                set_={
                    "compatibility": statement.excluded.compatibility,
                    "updated_by": statement.excluded.updated_by,
                    "updated_at": statement.excluded.updated_at,
                },
            ).returning(NamespacePolicy.compatibility)
        )
        return stored.scalar_one()

    async def policies(
        self, kind: str, namespace: str, name: str
    ) -> tuple[str | None, str | None] | None:
        """(the artifact's own policy, its namespace's), in one statement; None when there is no
        such artifact."""
        row = (
            await self.session.execute(
                select(Artifact.compatibility, _NAMESPACE_POLICY).where(
                    Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name
                )
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def set_artifact_policy(
        self, kind: str, namespace: str, name: str, compatibility: str | None
    ) -> tuple[str | None, str | None] | None:
        """Set the artifact's own policy; then as `policies`, from the same statement (RETURNING)."""
        row = (
            await self.session.execute(
                update(Artifact)
                .where(
                    Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name
                )
                .values(compatibility=compatibility)
                .returning(Artifact.compatibility, _NAMESPACE_POLICY)
            )
        ).first()
        return None if row is None else (row[0], row[1])
