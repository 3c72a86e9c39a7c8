"""All SQL for skill folders: content-addressed blobs and each version's file list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.bundles.manifest import Bundle, BundleFile, ManifestEntry, by_path
from service.db.models import Artifact, ArtifactVersion, FileBlob, VersionFile


@dataclass(frozen=True, slots=True)
class SkillVersionRef:
    id: int
    version: str
    digest: str


class BundleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def skill_version(
        self, namespace: str, name: str, version: str
    ) -> SkillVersionRef | None:
        statement = (
            select(ArtifactVersion.id, ArtifactVersion.version, ArtifactVersion.digest)
            .join(Artifact)
            .where(
                Artifact.kind == "skill",
                Artifact.namespace == namespace,
                Artifact.name == name,
                ArtifactVersion.version == version,
            )
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else SkillVersionRef(*row)

    async def manifests(self, version_ids: Iterable[int]) -> dict[int, list[ManifestEntry]]:
        """Each version's files in path order (bytewise), without their contents."""
        wanted = list(version_ids)
        if not wanted:
            return {}
        statement = (
            select(
                VersionFile.version_id,
                VersionFile.path,
                FileBlob.size,
                VersionFile.sha256,
                VersionFile.executable,
            )
            .join(FileBlob, FileBlob.sha256 == VersionFile.sha256)
            .where(VersionFile.version_id.in_(wanted))
        )
        found: dict[int, list[ManifestEntry]] = {version_id: [] for version_id in wanted}
        for version_id, path, size, sha256, executable in await self.session.execute(statement):
            found[version_id].append(ManifestEntry(path, size, sha256, executable))
        return {version_id: by_path(entries) for version_id, entries in found.items()}

    async def file(self, version_id: int, path: str) -> tuple[bytes, str] | None:
        """One file's bytes and sha256."""
        statement = (
            select(FileBlob.content, FileBlob.sha256)
            .join(VersionFile, VersionFile.sha256 == FileBlob.sha256)
            .where(VersionFile.version_id == version_id, VersionFile.path == path)
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else (row[0], row[1])

    async def files(self, version_id: int) -> list[BundleFile]:
        statement = (
            select(VersionFile.path, FileBlob.content, VersionFile.executable)
            .join(FileBlob, FileBlob.sha256 == VersionFile.sha256)
            .where(VersionFile.version_id == version_id)
        )
        rows = await self.session.execute(statement)
        return list(Bundle.of(BundleFile(p, c, x) for p, c, x in rows).files)
