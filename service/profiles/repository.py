"""All SQL for resolution and profiles: candidate versions, tags, stored profiles, dependents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from service.db.models import Artifact, ArtifactVersion, Tag, VersionDependency

# Columns resolution never needs: keep them out of the universe queries.
_HEAVY = (
    defer(ArtifactVersion.content, raiseload=True),
    defer(ArtifactVersion.profile_json, raiseload=True),
    defer(ArtifactVersion.profile_markdown, raiseload=True),
)

Pair = tuple[str, str]


class ProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def versions_of(
        self, kind: str, pairs: Iterable[Pair]
    ) -> list[tuple[str, str, ArtifactVersion]]:
        """Every version of each (namespace, name), bodies included, heavy columns deferred."""
        wanted = list(pairs)
        if not wanted:
            return []
        statement = (
            select(Artifact.namespace, Artifact.name, ArtifactVersion)
            .join(Artifact)
            .where(Artifact.kind == kind, tuple_(Artifact.namespace, Artifact.name).in_(wanted))
            .options(*_HEAVY)
        )
        rows = await self.session.execute(statement)
        return [(namespace, name, version) for namespace, name, version in rows]

    async def tags_of(self, kind: str, pairs: Iterable[Pair]) -> list[tuple[str, str, str, str]]:
        """(namespace, name, tag, version) for each tag of those artifacts."""
        wanted = list(pairs)
        if not wanted:
            return []
        statement = (
            select(Artifact.namespace, Artifact.name, Tag.tag, ArtifactVersion.version)
            .select_from(Tag)
            .join(Artifact, Artifact.id == Tag.artifact_id)
            .join(ArtifactVersion, ArtifactVersion.id == Tag.version_id)
            .where(Artifact.kind == kind, tuple_(Artifact.namespace, Artifact.name).in_(wanted))
        )
        rows = await self.session.execute(statement)
        return [(ns, name, tag, version) for ns, name, tag, version in rows]

    async def stored_profile(
        self, namespace: str, name: str, *, version: str | None = None, digest: str | None = None
    ) -> ArtifactVersion | None:
        """An agent version with its stored profile bytes, by exact version or digest."""
        statement = (
            select(ArtifactVersion)
            .join(Artifact)
            .where(Artifact.kind == "agent", Artifact.namespace == namespace, Artifact.name == name)
            .options(defer(ArtifactVersion.content, raiseload=True))
        )
        if version is not None:
            statement = statement.where(ArtifactVersion.version == version)
        if digest is not None:
            statement = statement.where(ArtifactVersion.digest == digest)
        return (await self.session.scalars(statement.limit(1))).first()

    async def add_dependencies(self, version_id: int, targets: Sequence[tuple[int, bool]]) -> None:
        if targets:
            await self.session.execute(
                insert(VersionDependency).values(
                    [
                        {"version_id": version_id, "target_version_id": target, "direct": direct}
                        for target, direct in targets
                    ]
                )
            )

    async def dependents(self, kind: str, namespace: str, name: str) -> list[tuple[Any, ...]]:
        """(kind, namespace, name, version, target version, direct) for every version using it."""
        target = aliased(ArtifactVersion)
        target_artifact = aliased(Artifact)
        statement = (
            select(
                Artifact.kind,
                Artifact.namespace,
                Artifact.name,
                ArtifactVersion.version,
                target.version,
                VersionDependency.direct,
            )
            .select_from(VersionDependency)
            .join(target, target.id == VersionDependency.target_version_id)
            .join(target_artifact, target_artifact.id == target.artifact_id)
            .join(ArtifactVersion, ArtifactVersion.id == VersionDependency.version_id)
            .join(Artifact, Artifact.id == ArtifactVersion.artifact_id)
            .where(
                target_artifact.kind == kind,
                target_artifact.namespace == namespace,
                target_artifact.name == name,
            )
            .order_by(
                Artifact.kind,
                Artifact.namespace,
                Artifact.name,
                ArtifactVersion.major.desc(),
                ArtifactVersion.minor.desc(),
                ArtifactVersion.patch.desc(),
                ArtifactVersion.is_release.desc(),
                ArtifactVersion.prerelease.desc(),
            )
        )
        return [tuple(row) for row in await self.session.execute(statement)]
