"""All SQL for artifacts and their versions (audit records go through service.audit)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    UnaryExpression,
    and_,
    delete,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from service.audit.actor import Actor
from service.audit.repository import AuditRepository
from service.changes.events import change_for
from service.db.models import Artifact, ArtifactVersion, Namespace, Tag
from service.formats.names import Identity
from service.semver import Version


def _semver_desc(table: type[ArtifactVersion]) -> tuple[UnaryExpression[Any], ...]:
    """ORDER BY terms for SemVer precedence, highest first."""
    return (
        table.major.desc(),
        table.minor.desc(),
        table.patch.desc(),
        table.is_release.desc(),
        table.prerelease.desc(),
    )


SEMVER_DESC = _semver_desc(ArtifactVersion)


@dataclass(frozen=True, slots=True)
class NewVersion:
    version: Version
    text: str
    digest: str
    content: bytes
    frontmatter: dict[str, Any]
    body: str
    description: str
    lock: dict[str, Any]
    warnings: list[dict[str, str]]
    publisher: str | None
    provenance: dict[str, Any] | None  # how it was published: the token, or the OIDC CI run
    published_at: datetime
    requires: list[dict[str, Any]]
    tool_rules: list[str] | None
    disallowed_rules: list[str]
    profile_json: bytes | None
    profile_markdown: bytes | None
    size: int  # of every file: a skill folder is more than its SKILL.md


def version_values(artifact_id: int, new: NewVersion) -> dict[str, Any]:
    """The `artifact_versions` row of a new version, by column: what publish inserts, and what
    bulk loaders (bench/population.py) copy."""
    return {
        "artifact_id": artifact_id,
        "version": new.text,
        "major": new.version.major,
        "minor": new.version.minor,
        "patch": new.version.patch,
        "is_release": not new.version.is_prerelease,
        "prerelease": new.version.prerelease_key(),
        "digest": new.digest,
        "content": new.content,
        "size": new.size,
        "frontmatter": new.frontmatter,
        "body": new.body,
        "description": new.description,
        "lock": new.lock,
        "warnings": new.warnings,
        "publisher": new.publisher,
        "provenance": new.provenance,
        "published_at": new.published_at,
        "requires": new.requires,
        "tool_rules": new.tool_rules,
        "disallowed_rules": new.disallowed_rules,
        "profile_json": new.profile_json,
        "profile_markdown": new.profile_markdown,
    }


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    artifact: Artifact
    latest: ArtifactVersion | None
    version_count: int


class ArtifactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure_artifact(self, kind: str, namespace: str, name: str, created_by: str) -> int:
        """The artifact's id, creating it (and its namespace) when new: one statement."""
        new_namespace = (
            insert(Namespace)
            .values(name=namespace, created_by=created_by)
            .on_conflict_do_nothing(index_elements=[Namespace.name])
            .cte("new_namespace")
        )
        new_artifact = (
            insert(Artifact)
            .values(kind=kind, namespace=namespace, name=name)
            .on_conflict_do_nothing(constraint="uq_artifacts_kind_namespace_name")
            .returning(Artifact.id)
            .cte("new_artifact")
        )
        existing = self._artifact_id(kind, namespace, name)
        statement = select(new_artifact.c.id).union_all(existing).add_cte(new_namespace)
        found = await self.session.scalar(statement)
        if found is None:
            # Created by a publish that committed after this statement's snapshot was taken.
            found = await self.session.scalar(existing)
        assert found is not None  # the conflict above proves the row exists
        return int(found)

    async def insert_version(self, artifact_id: int, new: NewVersion) -> ArtifactVersion | None:
        """Insert unless (artifact, version) exists, and return the row as stored (RETURNING,
        not a read after the write); None means another publish got there first."""
        statement = (
            insert(ArtifactVersion)
            .values(**version_values(artifact_id, new))
            .on_conflict_do_nothing(constraint="uq_artifact_versions_artifact_version")
            .returning(ArtifactVersion)
        )
        return await self.session.scalar(statement)

    async def get_version(
        self, kind: str, namespace: str, name: str, version: str, *, lock: bool = False
    ) -> ArtifactVersion | None:
        """`lock`: hold the row until commit, so a read-change-write cannot lose a concurrent one."""
        statement = self._versions(kind, namespace, name).where(ArtifactVersion.version == version)
        if lock:
            statement = statement.with_for_update(of=ArtifactVersion).execution_options(
                populate_existing=True
            )
        return await self.session.scalar(statement)

    async def get_content(self, kind: str, namespace: str, name: str, version: str) -> bytes | None:
        statement = (
            select(ArtifactVersion.content)
            .join(Artifact)
            .where(
                Artifact.kind == kind,
                Artifact.namespace == namespace,
                Artifact.name == name,
                ArtifactVersion.version == version,
            )
        )
        return await self.session.scalar(statement)

    async def get_artifact(self, kind: str, namespace: str, name: str) -> Artifact | None:
        return await self.session.scalar(
            select(Artifact).where(
                Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name
            )
        )

    async def list_versions(self, artifact_id: int) -> list[ArtifactVersion]:
        statement = (
            select(ArtifactVersion)
            .where(ArtifactVersion.artifact_id == artifact_id)
            .order_by(*SEMVER_DESC)
        )
        return list(await self.session.scalars(statement))

    async def search(
        self,
        kind: str,
        query: str | None,
        limit: int,
        after: tuple[str, str] | None,
        namespaces: Collection[str] | None = None,
    ) -> list[ArtifactRow]:
        """Artifacts of a kind by (namespace, name), with their latest stable version; only in
        `namespaces` when given (what the caller may read)."""
        candidate = aliased(ArtifactVersion)
        latest = (
            select(candidate.id)
            .where(candidate.artifact_id == Artifact.id, candidate.yanked_at.is_(None))
            .order_by(candidate.is_release.desc(), *_semver_desc(candidate))
            .limit(1)
            .lateral("latest")
        )
        count = (
            select(func.count(candidate.id))
            .where(candidate.artifact_id == Artifact.id)
            .scalar_subquery()
        )
        statement = (
            select(Artifact, ArtifactVersion, count)
            .select_from(Artifact)
            .outerjoin(latest, true())
            .outerjoin(ArtifactVersion, ArtifactVersion.id == latest.c.id)
            .where(Artifact.kind == kind)
            .order_by(Artifact.namespace, Artifact.name)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(tuple_(Artifact.namespace, Artifact.name) > tuple_(*after))
        if namespaces is not None:
            statement = statement.where(Artifact.namespace.in_(sorted(namespaces)))
        if query:
            pattern = "%" + _escape_like(query) + "%"
            statement = statement.where(
                or_(
                    (Artifact.namespace + "/" + Artifact.name).ilike(pattern, escape="\\"),
                    ArtifactVersion.description.ilike(pattern, escape="\\"),
                )
            )
        rows = await self.session.execute(statement)
        return [ArtifactRow(a, v, n) for a, v, n in rows]

    async def set_tag(self, artifact_id: int, tag: str, version_id: int) -> None:
        statement = insert(Tag).values(artifact_id=artifact_id, tag=tag, version_id=version_id)
        await self.session.execute(
            statement.on_conflict_do_update(
                constraint="uq_tags_artifact_id_tag",
                set_={"version_id": statement.excluded.version_id, "updated_at": func.now()},
            )
        )

    async def delete_tag(self, artifact_id: int, tag: str) -> bool:
        result = await self.session.execute(
            delete(Tag).where(Tag.artifact_id == artifact_id, Tag.tag == tag).returning(Tag.id)
        )
        return result.first() is not None

    async def tags_by_artifact(self, artifact_id: int) -> dict[str, str]:
        statement = (
            select(Tag.tag, ArtifactVersion.version)
            .join(ArtifactVersion, ArtifactVersion.id == Tag.version_id)
            .where(Tag.artifact_id == artifact_id)
            .order_by(Tag.tag)
        )
        return {tag: version for tag, version in await self.session.execute(statement)}

    async def update_version(self, version_id: int, **values: Any) -> ArtifactVersion:
        """The version as updated (RETURNING: nothing is read again)."""
        statement = (
            update(ArtifactVersion)
            .where(ArtifactVersion.id == version_id)
            .values(**values)
            .returning(ArtifactVersion)
        )
        return (await self.session.execute(statement)).scalar_one()

    def add_audit(
        self,
        actor: Actor,
        action: str,
        kind: str,
        identity: Identity,
        version: str | None = None,
        digest: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        what: dict[str, Any] = {"kind": kind, "namespace": identity.namespace}
        what |= {"name": identity.name}
        what |= {"version": version, "digest": digest, "details": details}
        AuditRepository(self.session).add(actor, action, **what)
        # The feed event is a sibling of the audit row: same point, same transaction.
        change = change_for(action, **what)
        if change is not None:
            self.session.add(change)

    @staticmethod
    def _artifact_id(kind: str, namespace: str, name: str) -> Select[int]:
        return select(Artifact.id).where(
            and_(Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name)
        )

    @staticmethod
    def _versions(kind: str, namespace: str, name: str) -> Select[ArtifactVersion]:
        return (
            select(ArtifactVersion)
            .join(Artifact)
            .where(Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name)
        )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
