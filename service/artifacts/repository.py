"""All SQL for artifacts and their versions (audit records go through service.audit)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
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
from service.bundles.manifest import BundleFile
from service.changes.events import change_for, feed_event
from service.compat.snapshot import Baseline
from service.db.models import Artifact, ArtifactVersion, Tag
from service.db.unit_of_work import driver_sql
from service.formats.names import Identity
from service.profiles.invalidation import CHANNEL, ProfileChange
from service.semver import InvalidVersion, Version


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
    return {"artifact_id": artifact_id, **_version_columns(new)}


def _version_columns(new: NewVersion) -> dict[str, Any]:
    major, minor, patch, is_release, prerelease = new.version.order_columns()
    return {
        "version": new.text,
        "major": major,
        "minor": minor,
        "patch": patch,
        "is_release": is_release,
        "prerelease": prerelease,
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


# Each `artifact_versions` column a publish writes (as `version_values` builds the row) and the
# type its value is sent as; jsonb goes as JSON text (the driver's codec, set up by SQLAlchemy,
# takes text and gives back parsed values).
VERSION_TYPES: dict[str, str] = {
    "version": "varchar",
    "major": "bigint",
    "minor": "bigint",
    "patch": "bigint",
    "is_release": "boolean",
    "prerelease": "text[]",
    "digest": "varchar",
    "content": "bytea",
    "size": "integer",
    "frontmatter": "jsonb",
    "body": "text",
    "description": "text",
    "lock": "jsonb",
    "warnings": "jsonb",
    "publisher": "text",
    "provenance": "jsonb",
    "published_at": "timestamptz",
    "requires": "jsonb",
    "tool_rules": "jsonb",
    "disallowed_rules": "jsonb",
    "profile_json": "bytea",
    "profile_markdown": "bytea",
}
# What a publish answers with (`version_detail`), as stored: `StoredVersion`'s fields.
STORED_COLUMNS = (
    "version",
    "digest",
    "size",
    "description",
    "published_at",
    "yanked_at",
    "yank_reason",
    "deprecation_message",
    "publisher",
    "provenance",
    "frontmatter",
    "body",
    "lock",
    "warnings",
)


def _store_version_sql() -> str:
    columns = list(VERSION_TYPES)
    # $1-$4: kind, namespace, name, who creates the namespace; then the version's columns.
    values = [f"${i}::{VERSION_TYPES[c]}" for i, c in enumerate(columns, start=5)]
    n = 4 + len(columns)

    def p(offset: int, type_: str) -> str:
        return f"${n + offset}::{type_}"

    return f"""
WITH new_namespace AS (
    INSERT INTO namespaces (name, created_by) VALUES ($2::varchar, $4::text)
    ON CONFLICT (name) DO NOTHING
), new_artifact AS (
    INSERT INTO artifacts (kind, namespace, name) VALUES ($1::varchar, $2::varchar, $3::varchar)
    ON CONFLICT ON CONSTRAINT uq_artifacts_kind_namespace_name DO NOTHING
    RETURNING id
), artifact AS (
    SELECT id FROM new_artifact
    UNION ALL
    SELECT id FROM artifacts WHERE kind = $1::varchar AND namespace = $2::varchar AND name = $3::varchar
), version AS (
    INSERT INTO artifact_versions (artifact_id, {", ".join(columns)})
    SELECT id, {", ".join(values)} FROM artifact LIMIT 1
    ON CONFLICT DO NOTHING  -- the same version, or one of the same precedence (+build)
    RETURNING id, {", ".join(STORED_COLUMNS)}
), dependencies AS (
    INSERT INTO version_dependencies (version_id, target_version_id, direct)
    SELECT version.id, t.target, t.direct
    FROM version, unnest({p(1, "bigint[]")}, {p(2, "boolean[]")}) AS t (target, direct)
), blobs AS (
    INSERT INTO file_blobs (sha256, size, content)
    SELECT b.sha256, b.size, b.content
    FROM version, unnest({p(3, "varchar[]")}, {p(4, "bigint[]")}, {p(5, "bytea[]")})
        AS b (sha256, size, content)
    ON CONFLICT (sha256) DO NOTHING
), files AS (
    INSERT INTO version_files (version_id, path, sha256, executable)
    SELECT version.id, f.path, f.sha256, f.executable
    FROM version, unnest({p(6, "text[]")}, {p(7, "varchar[]")}, {p(8, "boolean[]")})
        AS f (path, sha256, executable)
), audit AS (
    INSERT INTO audit_log (
        actor, actor_kind, actor_id, actor_claims, action, kind, namespace, name, version,
        digest, request_id, client_address, details
    )
    SELECT $4::text, {p(9, "varchar")}, {p(10, "varchar")}, {p(11, "jsonb")}, {p(12, "varchar")},
        $1::varchar, $2::varchar, $3::varchar, version.version, version.digest,
        {p(13, "varchar")}, {p(14, "varchar")}, {p(15, "jsonb")}
    FROM version
), change AS (
    INSERT INTO changes (event, kind, namespace, name, version, digest, details)
    SELECT {p(16, "varchar")}, $1::varchar, $2::varchar, $3::varchar, version.version,
        version.digest, {p(17, "jsonb")}
    FROM version
), notice AS (
    SELECT pg_notify({p(18, "text")}, {p(19, "text")}) FROM version WHERE {p(18, "text")} IS NOT NULL
)
SELECT {", ".join(f"version.{c}" for c in STORED_COLUMNS)}, (SELECT count(*) FROM notice)
FROM version"""  # noqa: S608 (names and types are constants)


STORE_VERSION = _store_version_sql()


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """A version as a publish stored it: what its answer shows."""

    version: str
    digest: str
    size: int
    description: str
    published_at: datetime
    yanked_at: datetime | None
    yank_reason: str | None
    deprecation_message: str | None
    publisher: str | None
    provenance: dict[str, Any] | None
    frontmatter: dict[str, Any]
    body: str
    lock: dict[str, Any]
    warnings: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class PublishState:
    """What a publish reads about its artifact before it writes: the version if it already
    exists (or one that differs from it only in build metadata, which has its precedence), the
    compatibility policy (the artifact's own, else its namespace's, else None) and the baseline
    release's version and digest."""

    existing: StoredVersion | None
    policy: str | None
    baseline: tuple[str, str] | None


BASELINE_COLUMNS = tuple(f.name for f in fields(Baseline))
BASELINE_SQL = f"""
SELECT {", ".join(f"v.{c}" for c in BASELINE_COLUMNS)}
FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
WHERE a.kind = $1::varchar AND a.namespace = $2::varchar AND a.name = $3::varchar
    AND v.version = $4::varchar"""  # noqa: S608 (constants)
# The existing version is the one of the same text or, SemVer ignoring build metadata, of the
# same precedence ($7-$9 and the prerelease key $10; null when the text is no version).
# The baseline is the highest non-yanked release below the new version on its compatibility
# line ($5, and $6 for a 0.x line; null $5: no line) whose (major, minor, patch) is below the
# new one's ($7-$9), prerelease or not.
PUBLISH_STATE_SQL = f"""
SELECT a.compatibility, p.compatibility,
    {", ".join(f"e.{c}" for c in STORED_COLUMNS)},
    b.version, b.digest
FROM (SELECT) AS one
LEFT JOIN artifacts a ON a.kind = $1::varchar AND a.namespace = $2::varchar AND a.name = $3::varchar
LEFT JOIN namespace_policies p ON p.namespace = $2::varchar
LEFT JOIN artifact_versions e ON e.artifact_id = a.id AND (
    e.version = $4::varchar
    OR (e.major, e.minor, e.patch, e.prerelease) = ($7::bigint, $8::bigint, $9::bigint, $10::text[])
)
LEFT JOIN LATERAL (
    SELECT v.version, v.digest FROM artifact_versions v
    WHERE v.artifact_id = a.id AND v.is_release AND v.yanked_at IS NULL
        AND v.major = $5::bigint AND ($6::bigint IS NULL OR v.minor = $6::bigint)
        AND (v.major, v.minor, v.patch) < ($7::bigint, $8::bigint, $9::bigint)
    ORDER BY v.major DESC, v.minor DESC, v.patch DESC
    LIMIT 1
) b ON true"""  # noqa: S608 (constants)


@dataclass(frozen=True, slots=True)
class VersionExtras:
    """What a publish stores beside the version row: who (the audit record), what the version
    was resolved against, its files (a skill's folder), and the cache notice (an agent)."""

    actor: Actor
    details: dict[str, Any]
    dependencies: Sequence[tuple[int, bool]] = ()
    files: Sequence[BundleFile] = ()
    notice: ProfileChange | None = None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _driver_values(row: dict[str, Any]) -> list[Any]:
    """A version's columns in `VERSION_TYPES` order, as the driver takes them (jsonb as text)."""
    return [_json(row[c]) if t == "jsonb" else row[c] for c, t in VERSION_TYPES.items()]


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    artifact: Artifact
    latest: ArtifactVersion | None
    version_count: int


class ArtifactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def publish_state(
        self, kind: str, identity: Identity, version: str, line: tuple[int, ...] | None
    ) -> PublishState:
        """`PublishState` in one statement; `line`: the new version's compatibility line (None:
        it has none, so there is no baseline)."""
        try:
            parsed: Version | None = Version.parse(version)
        except InvalidVersion:
            parsed = None
        result = await driver_sql(
            self.session,
            PUBLISH_STATE_SQL,
            (
                kind,
                identity.namespace,
                identity.name,
                version,
                line[0] if line else None,
                line[1] if line and len(line) > 1 else None,
                parsed.major if parsed else None,
                parsed.minor if parsed else None,
                parsed.patch if parsed else None,
                parsed.prerelease_key() if parsed else None,
            ),
        )
        row = tuple(result.one())
        own, inherited = row[:2]
        existing = row[2 : 2 + len(STORED_COLUMNS)]
        baseline, baseline_digest = row[2 + len(STORED_COLUMNS) :]
        return PublishState(
            existing=None
            if existing[0] is None
            else StoredVersion(**dict(zip(STORED_COLUMNS, existing, strict=True))),
            policy=own or inherited,
            baseline=None if baseline is None else (baseline, baseline_digest),
        )

    async def baseline(self, kind: str, identity: Identity, version: str) -> Baseline:
        """What the compatibility snapshot of a stored version reads (`PublishState.baseline`)."""
        result = await driver_sql(
            self.session, BASELINE_SQL, (kind, identity.namespace, identity.name, version)
        )
        return Baseline(**dict(zip(BASELINE_COLUMNS, result.one(), strict=True)))

    async def store_version(
        self, kind: str, identity: Identity, new: NewVersion, extras: VersionExtras
    ) -> StoredVersion | None:
        """Store a new version and all that goes with it in one statement: the namespace and
        artifact when new, the version row, its dependencies and files, the audit record, the
        feed event and the replicas' cache notice. The row comes back as stored (RETURNING, not
        a read after the write). None: nothing was written, because the version exists (another
        publish got there first) or because the artifact was created by a publish that committed
        after this statement began (run it again: the next statement sees it)."""
        actor = extras.actor
        blobs = {f.sha256: f for f in extras.files}
        event = feed_event("publish", extras.details)
        assert event is not None  # a publish is always in the feed
        result = await driver_sql(
            self.session,
            STORE_VERSION,
            (
                kind,
                identity.namespace,
                identity.name,
                actor.name,
                *_driver_values(_version_columns(new)),
                [target for target, _ in extras.dependencies],
                [direct for _, direct in extras.dependencies],
                list(blobs),
                [f.size for f in blobs.values()],
                [f.content for f in blobs.values()],
                [f.path for f in extras.files],
                [f.sha256 for f in extras.files],
                [f.executable for f in extras.files],
                actor.kind,
                actor.id,
                _json(actor.claims),
                "publish",
                actor.request_id,
                actor.client_address,
                _json(extras.details),
                event[0],
                _json(event[1]),
                None if extras.notice is None else CHANNEL,
                None if extras.notice is None else extras.notice.payload(),
            ),
        )
        row = result.first()
        if row is None:
            return None
        return StoredVersion(**dict(zip(STORED_COLUMNS, row[:-1], strict=True)))  # last: notices

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
