"""Reading artifacts and changing what may change: tags, yanked and deprecated state."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.artifacts.repository import ArtifactRepository
from service.artifacts.schemas import (
    ArtifactDetail,
    ArtifactPage,
    Dependent,
    DependentList,
    Tagged,
    VersionDetail,
)
from service.artifacts.views import artifact_summary, digest_of, version_detail, version_summary
from service.audit.actor import Actor
from service.cursors import decode_value, encode_cursor, texts
from service.db.models import Artifact, ArtifactVersion
from service.db.unit_of_work import after_commit
from service.errors import InvalidTag, NotFound, VersionYanked
from service.formats import names
from service.formats.kinds import Kind
from service.formats.names import Identity
from service.profiles.cache import ProfileCache
from service.profiles.invalidation import ProfileChange
from service.profiles.repository import ProfileRepository
from service.resolution.document import Profile
from service.resolution.profile import json_bytes, markdown
from service.resolution.refs import InvalidRef, TagRef, parse_ref
from service.semver import InvalidVersion, Version

_TAG = re.compile(r"[a-z][a-z0-9._-]{0,63}")


class ArtifactService:
    def __init__(
        self,
        repository: ArtifactRepository,
        profiles: ProfileRepository,
        default_namespace: str,
        cache: ProfileCache,
    ) -> None:
        self.repository = repository
        self.cache = cache
        self.profiles = profiles
        self.default_namespace = default_namespace

    # Reading ----------------------------------------------------------------------------

    async def get_version(self, kind: Kind, qualified_name: str, version: str) -> VersionDetail:
        identity, row = await self._version(kind, qualified_name, version)
        return version_detail(kind, identity, row)

    async def find_version(
        self, kind: Kind, qualified_name: str, version: str
    ) -> tuple[Identity, ArtifactVersion]:
        """The stored row of an exact version, or NotFound naming what is missing."""
        return await self._version(kind, qualified_name, version)

    async def get_raw(self, kind: Kind, qualified_name: str, version: str) -> tuple[bytes, str]:
        identity = self.identity(qualified_name)
        content = await self.repository.get_content(
            kind, identity.namespace, identity.name, version
        )
        if content is None:
            raise await self._missing(kind, identity, version)
        return content, digest_of(content)

    async def get_artifact(self, kind: Kind, qualified_name: str) -> ArtifactDetail:
        identity, artifact = await self._artifact(kind, qualified_name)
        versions = await self.repository.list_versions(artifact.id)
        tags = await self.repository.tags_by_artifact(artifact.id)
        stable = (v.version for v in versions if v.is_release and v.yanked_at is None)
        return ArtifactDetail(
            kind=kind,
            namespace=identity.namespace,
            name=identity.name,
            latest=tags.get("latest") or next(stable, None),
            tags=tags,
            versions=[version_summary(v) for v in versions],
        )

    async def search(
        self,
        kind: Kind,
        query: str | None,
        limit: int,
        cursor: str | None,
        namespaces: frozenset[str] | None = None,
    ) -> ArtifactPage:
        """`namespaces`: only these (what the caller may read); None: every namespace."""
        after = _decode_cursor(cursor) if cursor else None
        rows = await self.repository.search(kind, query, limit + 1, after, namespaces)
        page, more = rows[:limit], len(rows) > limit
        items = [artifact_summary(kind, r.artifact, r.latest, r.version_count) for r in page]
        last = page[-1].artifact if page else None
        next_cursor = _encode_cursor(last) if more and last is not None else None
        return ArtifactPage(items=items, nextCursor=next_cursor)

    async def dependents(
        self, kind: Kind, qualified_name: str, namespaces: frozenset[str] | None = None
    ) -> DependentList:
        """Who uses it; only dependents in `namespaces` when given (what the caller may read)."""
        identity, _ = await self._artifact(kind, qualified_name)
        rows = await self.profiles.dependents(kind, identity.namespace, identity.name)
        return DependentList(
            items=[
                Dependent(kind=k, namespace=ns, name=n, version=v, uses=uses, direct=direct)
                for k, ns, n, v, uses, direct in rows
                if namespaces is None or ns in namespaces
            ]
        )

    # Tags -------------------------------------------------------------------------------

    async def set_tag(
        self, kind: Kind, qualified_name: str, tag: str, version: str, *, actor: Actor
    ) -> Tagged:
        _check_tag(tag)
        identity, row = await self._version(kind, qualified_name, version, lock=True)
        if row.yanked_at is not None:
            raise VersionYanked(f"{kind} {identity}@{version} is yanked; a tag cannot point at it")
        await self.repository.set_tag(row.artifact_id, tag, row.id)
        self._audit(actor, "tag", kind, identity, row, {"tag": tag})
        await self._announce(kind, ProfileChange(identity.namespace, identity.name))
        return Tagged(
            kind=kind, namespace=identity.namespace, name=identity.name, tag=tag, version=version
        )

    async def delete_tag(self, kind: Kind, qualified_name: str, tag: str, *, actor: Actor) -> None:
        identity, artifact = await self._artifact(kind, qualified_name)
        if not await self.repository.delete_tag(artifact.id, tag):
            raise NotFound(f"{kind} {identity} has no tag {tag!r}", tag=tag)
        self.repository.add_audit(actor, "untag", kind, identity, details={"tag": tag})
        await self._announce(kind, ProfileChange(identity.namespace, identity.name))

    # Lifecycle --------------------------------------------------------------------------

    async def set_yanked(
        self,
        kind: Kind,
        qualified_name: str,
        version: str,
        reason: str | None,
        *,
        yanked: bool,
        actor: Actor,
    ) -> VersionDetail:
        identity, row = await self._version(kind, qualified_name, version, lock=True)
        values: dict[str, Any] = {
            "yanked_at": dt.datetime.now(dt.UTC) if yanked else None,
            "yank_reason": reason if yanked else None,
        }
        return await self._change(
            kind, identity, row, values, "yank" if yanked else "unyank", actor
        )

    async def set_deprecated(
        self, kind: Kind, qualified_name: str, version: str, message: str | None, *, actor: Actor
    ) -> VersionDetail:
        identity, row = await self._version(kind, qualified_name, version, lock=True)
        values: dict[str, Any] = {
            "deprecated_at": dt.datetime.now(dt.UTC) if message else None,
            "deprecation_message": message,
        }
        action = "deprecate" if message else "undeprecate"
        return await self._change(kind, identity, row, values, action, actor)

    async def _change(
        self,
        kind: Kind,
        identity: Identity,
        row: ArtifactVersion,
        values: dict[str, Any],
        action: str,
        actor: Actor,
    ) -> VersionDetail:
        """Apply a lifecycle change; an agent's stored profile is re-rendered in the same transaction."""
        if row.profile_json is not None:
            profile = Profile.model_validate_json(row.profile_json)
            if "yanked_at" in values:
                profile.yanked = values["yanked_at"] is not None
            if "deprecation_message" in values:
                profile.deprecated = values["deprecation_message"]
            data = profile.as_data()  # dumped once for both renderings
            values["profile_json"] = json_bytes(data)
            values["profile_markdown"] = markdown(data).encode()
        updated = await self.repository.update_version(row.id, **values)
        self._audit(
            actor,
            action,
            kind,
            identity,
            row,
            {k: v for k, v in values.items() if k in {"yank_reason", "deprecation_message"}},
        )
        await self._announce(kind, ProfileChange(identity.namespace, identity.name, row.version))
        return version_detail(kind, identity, updated)

    # Helpers ----------------------------------------------------------------------------

    async def _announce(self, kind: Kind, change: ProfileChange) -> None:
        await announce_change(self.profiles, self.cache, kind, change)

    def identity(self, qualified_name: str) -> Identity:
        try:
            return Identity(*names.split_qualified(qualified_name, self.default_namespace))
        except names.InvalidName as exc:
            raise NotFound(str(exc)) from exc

    async def _artifact(self, kind: Kind, qualified_name: str) -> tuple[Identity, Artifact]:
        identity = self.identity(qualified_name)
        artifact = await self.repository.get_artifact(kind, identity.namespace, identity.name)
        if artifact is None:
            raise NotFound(f"no {kind} named {identity}", kind=kind, name=str(identity))
        return identity, artifact

    async def _version(
        self, kind: Kind, qualified_name: str, version: str, *, lock: bool = False
    ) -> tuple[Identity, ArtifactVersion]:
        identity = self.identity(qualified_name)
        row = await self.repository.get_version(
            kind, identity.namespace, identity.name, version, lock=lock
        )
        if row is None:
            raise await self._missing(kind, identity, version)
        return identity, row

    async def _missing(self, kind: Kind, identity: Identity, version: str) -> NotFound:
        artifact = await self.repository.get_artifact(kind, identity.namespace, identity.name)
        if artifact is None:
            return NotFound(f"no {kind} named {identity}", kind=kind, name=str(identity))
        try:
            Version.parse(version)
        except InvalidVersion as exc:
            return NotFound(str(exc), kind=kind, name=str(identity), version=version)
        return NotFound(
            f"{kind} {identity} has no version {version}",
            kind=kind,
            name=str(identity),
            version=version,
        )

    def _audit(
        self,
        actor: Actor,
        action: str,
        kind: Kind,
        identity: Identity,
        row: ArtifactVersion,
        details: dict[str, Any],
    ) -> None:
        self.repository.add_audit(actor, action, kind, identity, row.version, row.digest, details)


async def announce_change(
    profiles: ProfileRepository, cache: ProfileCache | None, kind: str, change: ProfileChange
) -> None:
    """An agent's change reaches every replica's profile cache through a notice this
    transaction sends as it commits, and this process's once it has committed (without
    waiting for its own notice); a rollback announces nothing."""
    if kind != "agent":
        return
    await profiles.notify_change(change)
    if cache is not None:
        after_commit(profiles.session, lambda: change.apply(cache))


def _check_tag(tag: str) -> None:
    try:
        is_tag = _TAG.fullmatch(tag) is not None and isinstance(parse_ref(tag), TagRef)
    except InvalidRef:
        is_tag = False
    if not is_tag:
        raise InvalidTag(
            f"{tag!r} is not a tag: lowercase letters, digits, '.', '_' and '-', starting with a"
            " letter, and not readable as a version or range (like `x` or `v1`)",
            tag=tag,
        )


def _encode_cursor(artifact: Artifact) -> str:
    return encode_cursor([artifact.namespace, artifact.name])


def _decode_cursor(cursor: str) -> tuple[str, str]:
    namespace, name = texts(decode_value(cursor), 2)
    return namespace, name
