"""All SQL for resolution and profiles: candidate versions, tags, stored profiles, dependents."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from service.bundles.manifest import ManifestEntry, by_path
from service.db.models import Artifact, ArtifactVersion, Tag, VersionDependency
from service.db.unit_of_work import driver_sql
from service.http_caching import strong_etag
from service.profiles.invalidation import CHANNEL, ProfileChange
from service.resolution.refs import RangeRef
from service.semver import Version

# Columns resolution never needs: keep them out of the universe queries.
_HEAVY = (
    defer(ArtifactVersion.content, raiseload=True),
    defer(ArtifactVersion.profile_json, raiseload=True),
    defer(ArtifactVersion.profile_markdown, raiseload=True),
)

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class StoredProfile:
    id: int
    version: str
    digest: str
    yanked: bool
    yank_reason: str | None
    deprecated: str | None
    deprecated_at: dt.datetime | None
    body: bytes | None  # None for versions stored before profiles existed
    # SHA-256 of the stored body, kept by PostgreSQL (a generated column): the ETag is derived
    # from it. None when `body` is not the stored one (rendered for this request).
    body_sha256: bytes | None = None


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A version as resolution and the profile it builds read it: no bytes, no stored profile."""

    version: str
    id: int
    digest: str
    requires: list[dict[str, Any]]
    yanked: bool
    deprecation_message: str | None
    description: str
    body: str
    tool_rules: list[str] | None
    files: list[ManifestEntry]


# Versions first (`tag` null), then tags (only `version` set besides); each version's files as
# [path, size, sha256, executable].
_WANTED = (
    "a.kind = $1::varchar AND (a.namespace, a.name) IN"
    " (SELECT * FROM unnest($2::varchar[], $3::varchar[]))"
)
UNIVERSE_SQL = f"""
SELECT a.namespace, a.name, NULL::varchar AS tag, v.version, v.id, v.digest, v.requires,
    v.yanked_at IS NOT NULL, v.deprecation_message, v.description, v.body, v.tool_rules,
    (SELECT coalesce(json_agg(json_build_array(f.path, b.size, f.sha256, f.executable)), '[]')
     FROM version_files f JOIN file_blobs b ON b.sha256 = f.sha256 WHERE f.version_id = v.id)
FROM artifacts a JOIN artifact_versions v ON v.artifact_id = a.id
WHERE {_WANTED}
UNION ALL
SELECT a.namespace, a.name, t.tag, v.version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM tags t JOIN artifacts a ON a.id = t.artifact_id JOIN artifact_versions v ON v.id = t.version_id
WHERE {_WANTED}"""  # noqa: S608 (constants)


# The first fetch of an exact version (service.profiles.fastpath): one statement per format,
# on the fast path's own asyncpg connections, so a miss is one round trip and no ORM work.
_EXACT = (
    "SELECT v.id, v.version, v.digest, v.yanked_at IS NOT NULL, v.yank_reason,"
    " v.deprecation_message, v.deprecated_at, v.{column}, v.{column}_sha256"
    " FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
    " WHERE a.kind = 'agent' AND a.namespace = $1 AND a.name = $2 AND v.version = $3"
)
EXACT_SQL = {
    "json": _EXACT.format(column="profile_json"),
    "markdown": _EXACT.format(column="profile_markdown"),
}


# Choosing the version a range, tag or digest names reads only what it needs, highest first,
# through `ix_artifact_versions_order` (artifact, major, minor, patch, is_release, prerelease):
# the same at 5 versions as at 5,000, where reading every version and resolving among them
# cost ~45 ms of one worker's time per choice at 1,500 (bench/README.md).
_ARTIFACT = "(SELECT id FROM artifacts WHERE kind = $1 AND namespace = $2 AND name = $3)"
_ORDER = "(v.major, v.minor, v.patch, v.is_release, v.prerelease)"
_KEY = '($%d::bigint, $%d::bigint, $%d::bigint, $%d::boolean, $%d::text[] COLLATE "C")'
_DESCENDING = "v.major DESC, v.minor DESC, v.patch DESC, v.is_release DESC, v.prerelease DESC"
# How many versions one read of a range's candidates takes; the next read starts below.
CHOICE_PAGE = 32
_TAGGED_SQL = (
    "SELECT v.version, v.yanked_at IS NOT NULL FROM tags t"  # noqa: S608 (constants)
    " JOIN artifact_versions v ON v.id = t.version_id"
    f" WHERE t.artifact_id = {_ARTIFACT} AND t.tag = $4"
)
HIGHEST_STABLE_SQL = (
    "SELECT v.version FROM artifact_versions v"  # noqa: S608 (constants)
    f" WHERE v.artifact_id = {_ARTIFACT} AND v.yanked_at IS NULL AND v.is_release"
    " ORDER BY v.major DESC, v.minor DESC, v.patch DESC LIMIT 1"
)
_BY_DIGEST_SQL = (
    "SELECT v.version FROM artifact_versions v"  # noqa: S608 (constants)
    f" WHERE v.artifact_id = {_ARTIFACT} AND v.digest = $4"
    f" ORDER BY v.yanked_at IS NULL DESC, {_DESCENDING} LIMIT 1"
)


def range_sql(*, low: bool, high: str | None) -> str:
    """Versions between the bounds, highest first; `high`: `<=` for the range's own bound,
    `<` below the last version a previous page read."""
    where = [f"v.artifact_id = {_ARTIFACT}"]
    number = 4
    if high is not None:
        where.append(f"{_ORDER} {high} {_KEY % tuple(range(number, number + 5))}")
        number += 5
    if low:
        where.append(f"{_ORDER} >= {_KEY % tuple(range(number, number + 5))}")
    return (
        "SELECT v.version, v.yanked_at IS NOT NULL FROM artifact_versions v"  # noqa: S608
        f" WHERE {' AND '.join(where)} ORDER BY {_DESCENDING} LIMIT {CHOICE_PAGE}"
    )


async def stored_exact(
    driver: Any, namespace: str, name: str, version: str, output: str
) -> StoredProfile | None:
    """`stored_profile` of an exact version on an asyncpg connection; None when there is no such
    version or it has no stored profile (older rows: the route resolves those)."""
    row = await driver.fetchrow(EXACT_SQL[output], namespace, name, version)
    if row is None or row[7] is None:
        return None
    return StoredProfile(*row)


def profile_etag(row: StoredProfile, output: str, *, resolve_latest: bool) -> str:
    """The ETag of a profile answer: body, format, version, `?resolve` and lifecycle state.
    The body counts through its SHA-256: the stored one (no hashing of ~26 KB per first fetch),
    else computed here for a body rendered for this request."""
    assert row.body is not None
    body = row.body_sha256 if row.body_sha256 is not None else hashlib.sha256(row.body).digest()
    state = (row.yanked, row.yank_reason, row.deprecated)
    return strong_etag(body, output, row.version, str(resolve_latest), *map(str, state))


class ProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def universe(
        self, kind: str, pairs: Iterable[Pair]
    ) -> tuple[list[tuple[str, str, CandidateRow]], list[tuple[str, str, str, str]]]:
        """Every version of each (namespace, name) as resolution reads it (with each one's
        files), and (namespace, name, tag, version) for each of their tags: one statement."""
        wanted = list(pairs)
        if not wanted:
            return [], []
        result = await driver_sql(
            self.session, UNIVERSE_SQL, (kind, [n for n, _ in wanted], [n for _, n in wanted])
        )
        versions: list[tuple[str, str, CandidateRow]] = []
        tags: list[tuple[str, str, str, str]] = []
        records: list[Sequence[Any]] = [tuple(record) for record in result]
        for record in records:
            namespace, name, tag, version = record[:4]
            if tag is not None:
                tags.append((namespace, name, tag, version))
                continue
            row = CandidateRow(
                version=version,
                id=record[4],
                digest=record[5],
                requires=record[6],
                yanked=record[7],
                deprecation_message=record[8],
                description=record[9],
                body=record[10],
                tool_rules=record[11],
                files=by_path(ManifestEntry(*entry) for entry in record[12]),
            )
            versions.append((namespace, name, row))
        return versions, tags

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
        self,
        namespace: str,
        name: str,
        output: str,
        *,
        version: str | None = None,
        digest: str | None = None,
    ) -> StoredProfile | None:
        """The hot path: only the columns a profile response needs, one format's bytes."""
        json = output == "json"
        body = ArtifactVersion.profile_json if json else ArtifactVersion.profile_markdown
        body_sha256 = (
            ArtifactVersion.profile_json_sha256 if json else ArtifactVersion.profile_markdown_sha256
        )
        statement = (
            select(
                ArtifactVersion.id,
                ArtifactVersion.version,
                ArtifactVersion.digest,
                ArtifactVersion.yanked_at.is_not(None),
                ArtifactVersion.yank_reason,
                ArtifactVersion.deprecation_message,
                ArtifactVersion.deprecated_at,
                body,
                body_sha256,
            )
            .join(Artifact)
            .where(Artifact.kind == "agent", Artifact.namespace == namespace, Artifact.name == name)
            .limit(1)
        )
        if version is not None:
            statement = statement.where(ArtifactVersion.version == version)
        if digest is not None:
            statement = statement.where(ArtifactVersion.digest == digest)
        row = (await self.session.execute(statement)).first()
        return None if row is None else StoredProfile(*row)

    async def version_row(self, version_id: int) -> ArtifactVersion:
        row = await self.session.get(ArtifactVersion, version_id, options=[_HEAVY[0]])
        assert row is not None
        return row

    async def version_states(self, kind: str, pair: Pair) -> list[tuple[str, str, bool]]:
        """(version, digest, yanked) of each version: what choosing by range or tag needs."""
        statement = (
            select(
                ArtifactVersion.version,
                ArtifactVersion.digest,
                ArtifactVersion.yanked_at.is_not(None),
            )
            .join(Artifact)
            .where(Artifact.kind == kind, Artifact.namespace == pair[0], Artifact.name == pair[1])
        )
        return [(v, d, y) for v, d, y in await self.session.execute(statement)]

    async def highest_in_range(self, kind: str, pair: Pair, ref: RangeRef) -> str | None:
        """The highest version the range allows (never a yanked one), reading only versions
        between its bounds, a page at a time from the top; None when none does."""
        low, high = ref.range.bounds()
        bound = high.order_columns() if high is not None else None
        operator = "<="
        while True:
            parameters: tuple[Any, ...] = (kind, *pair)
            if bound is not None:
                parameters += bound
            if low is not None:
                parameters += low.order_columns()
            sql = range_sql(low=low is not None, high=operator if bound is not None else None)
            found: Sequence[Any] = (await driver_sql(self.session, sql, parameters)).all()
            rows = [(str(row[0]), bool(row[1])) for row in found]
            for version, yanked in rows:
                if ref.allows(Version.parse(version), yanked=yanked):
                    return version
            if len(rows) < CHOICE_PAGE:
                return None
            bound, operator = Version.parse(rows[-1][0]).order_columns(), "<"

    async def tagged(self, kind: str, pair: Pair, tag: str) -> tuple[str, bool] | None:
        """(version, yanked) of the version `tag` points at, or None."""
        row: Any = (await driver_sql(self.session, _TAGGED_SQL, (kind, *pair, tag))).first()
        return None if row is None else (str(row[0]), bool(row[1]))

    async def highest_stable(self, kind: str, pair: Pair) -> str | None:
        """The highest release (no prerelease) that is not yanked."""
        row = (await driver_sql(self.session, HIGHEST_STABLE_SQL, (kind, *pair))).first()
        return None if row is None else str(row[0])

    async def highest_with_digest(self, kind: str, pair: Pair, digest: str) -> str | None:
        """Of the versions published from these bytes, the highest not yanked, else the
        highest."""
        row = (await driver_sql(self.session, _BY_DIGEST_SQL, (kind, *pair, digest))).first()
        return None if row is None else str(row[0])

    async def notify_change(self, change: ProfileChange) -> None:
        """Tell every replica's profile cache, when (and only if) this transaction commits."""
        await self.session.execute(select(func.pg_notify(CHANNEL, change.payload())))

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
