"""Publishing and dry-run validation: parse, check, resolve, then store in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from service.artifacts.repository import (
    ArtifactRepository,
    NewVersion,
    PublishState,
    StoredVersion,
    VersionExtras,
)
from service.artifacts.schemas import ValidationReport, VersionDetail
from service.artifacts.views import digest_of, version_detail
from service.audit.actor import Actor
from service.bundles.manifest import Bundle
from service.compat.classify import line
from service.compat.policy import release_problems
from service.compat.snapshot import Snapshot, SnapshotCache, snapshot, snapshot_of
from service.db.unit_of_work import after_commit
from service.errors import ValidationFailed, VersionConflict
from service.formats import names
from service.formats.kinds import DOCUMENT_KINDS, Kind
from service.formats.names import Identity
from service.formats.problems import Findings, Problem, error
from service.formats.toolset import validate_toolset
from service.formats.validate import validate_file
from service.profiles.cache import ProfileCache
from service.profiles.invalidation import ProfileChange
from service.profiles.repository import ProfileRepository
from service.profiles.resolver import AgentSource, Declared, Resolved, Resolver
from service.resolution.profile import json_bytes, jsonable, markdown
from service.schemas import ProblemItem
from service.semver import InvalidVersion, Version


@dataclass
class Checked(Findings):
    """A file after every check: what would be stored, and every problem found."""

    name: str | None
    declared_version: str | None
    document: dict[str, Any] | None
    body: str
    description: str
    requires: list[Declared]
    tool_rules: list[str] | None
    disallowed_rules: list[str]
    problems: list[Problem]
    resolved: Resolved = field(default_factory=Resolved)
    profile: dict[str, Any] | None = None  # the resolved profile's data (`Profile.as_data`)
    snapshot: Snapshot | None = None  # as the compatibility check sees it


@dataclass(frozen=True, slots=True)
class Origin:
    """What a copy (`registry mirror`, `registry import`) keeps from its source, so its
    profiles are the source's byte for byte: when and how the version was first published,
    and what it resolved to there (`lock`): a copy replays the feed in commit order, but the
    source resolved before its commit, so a skill released meanwhile precedes it in the feed."""

    published_at: dt.datetime
    provenance: dict[str, Any] | None
    lock: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Published:
    detail: VersionDetail
    created: bool


class PublishService:
    def __init__(
        self,
        repository: ArtifactRepository,
        profiles: ProfileRepository,
        default_namespace: str,
        cache: ProfileCache | None = None,
        snapshots: SnapshotCache | None = None,
    ) -> None:
        """`snapshots`: the compatibility snapshots of stored versions this process knows."""
        self.repository = repository
        self.cache = cache
        self.snapshots = snapshots
        self.profiles = profiles
        self.resolver = Resolver(profiles, default_namespace)
        self.default_namespace = default_namespace

    async def publish(
        self,
        kind: Kind,
        qualified_name: str,
        version: str,
        data: bytes,
        *,
        actor: Actor,
        bundle: Bundle | None = None,
        origin: Origin | None = None,
    ) -> Published:
        """Publish a file; a skill is a folder (`bundle`, `SKILL.md` alone when not given), whose
        digest is over its canonical manifest and whose files are stored with the version.
        The version records how it was published (`provenance`, from the actor), unless it is
        a copy: a mirror or an import keeps the source's `origin`, so profiles match."""
        identity, path_problems = self._identity(qualified_name)
        if kind == "skill" and bundle is None:
            bundle = Bundle.single(data)
        digest = bundle.digest if bundle else digest_of(data)
        state = None
        if identity is not None and not path_problems:
            state = await self._state(kind, identity, version)
            if state.existing is not None:
                return _republished(kind, identity, state.existing, version, digest)

        origin = origin or Origin(dt.datetime.now(dt.UTC), actor.provenance())
        checked = await self._check(
            kind, identity, version, data, path_problems, origin, digest, state=state
        )
        if checked.errors or identity is None or checked.document is None:
            raise ValidationFailed(
                f"{len(checked.errors)} problem(s) in the {kind} file; nothing was published.",
                errors=[p.as_dict() for p in checked.errors],
                warnings=[p.as_dict() for p in checked.warnings],
            )
        profile = checked.profile
        new = NewVersion(
            version=Version.parse(version),
            text=version,
            digest=digest,
            content=data,
            frontmatter=checked.document,
            body=checked.body,
            description=checked.description,
            lock=checked.resolved.lock,
            warnings=[p.as_dict() for p in checked.problems],
            publisher=actor.name,
            provenance=origin.provenance,
            published_at=origin.published_at,
            requires=[d.as_json() for d in checked.requires],
            tool_rules=checked.tool_rules,
            disallowed_rules=checked.disallowed_rules,
            profile_json=json_bytes(profile) if profile else None,
            profile_markdown=markdown(profile).encode() if profile else None,
            size=bundle.total_size if bundle else len(data),
        )
        # The route's guard decided the caller may publish here (and so create the namespace).
        files = bundle.files if bundle else ()
        details = {"size": new.size, "files": len(files) or 1, "warnings": len(checked.warnings)}
        # A new agent version can change what a range or `latest` chooses, on every replica.
        notice = ProfileChange(identity.namespace, identity.name) if kind == "agent" else None
        extras = VersionExtras(actor, details, checked.resolved.dependencies, files, notice)
        stored = await self.repository.store_version(kind, identity, new, extras)
        if stored is None:
            # Nothing written: the version (or one of its precedence) exists, or its artifact
            # appeared after the statement began (a concurrent first publish); the next
            # statement sees either.
            stored = await self.repository.store_version(kind, identity, new, extras)
        if stored is None:
            existing = (await self._state(kind, identity, version)).existing
            assert existing is not None
            return _republished(kind, identity, existing, version, digest)
        if notice is not None and self.cache is not None:
            cache = self.cache  # this process's, at once; the others' through the notice
            after_commit(self.repository.session, lambda: notice.apply(cache))
        if self.snapshots is not None and checked.snapshot is not None:
            # The next release is compared with this one: remember it as stored.
            remember = self.snapshots.put
            stored_snapshot = replace(checked.snapshot, digest=digest)
            key = (kind, str(identity), version, digest)
            after_commit(self.repository.session, lambda: remember(key, stored_snapshot))
        return Published(version_detail(kind, identity, stored), created=True)

    async def validate(
        self,
        kind: Kind,
        data: bytes,
        qualified_name: str | None,
        version: str | None,
        *,
        readable: frozenset[str] | None = None,
    ) -> ValidationReport:
        """Every publish check, storing nothing. `readable`: the namespaces the caller may read
        (None: every one); what is stored in the others is treated as missing, so the report
        cannot tell an unreadable skill, toolset or earlier version from one that is not there."""
        identity, path_problems = (
            (None, []) if qualified_name is None else self._identity(qualified_name)
        )
        now = Origin(dt.datetime.now(dt.UTC), None)
        checked = await self._check(
            kind, identity, version, data, path_problems, now, digest_of(data), readable
        )
        name = str(identity) if identity else checked.name
        return ValidationReport(
            valid=not checked.errors,
            kind=kind,
            name=name,
            version=version or checked.declared_version,
            digest=digest_of(data),
            frontmatter=checked.document,
            errors=[_item(p) for p in checked.errors],
            warnings=[_item(p) for p in checked.warnings],
        )

    async def _check(
        self,
        kind: Kind,
        identity: Identity | None,
        version: str | None,
        data: bytes,
        path_problems: list[Problem],
        origin: Origin,
        digest: str,
        readable: frozenset[str] | None = None,
        *,
        state: PublishState | None = None,
    ) -> Checked:
        """`state`: what is stored about this version's artifact, when already read."""
        checked = self._parse(kind, identity, version, data, path_problems)
        resolver = self.resolver
        if readable is not None:
            resolver = Resolver(self.profiles, self.default_namespace, readable=readable)
        if checked.document is None:
            return checked
        namespace = identity.namespace if identity else self.default_namespace
        name = identity.name if identity else checked.name
        try:
            parsed_version: Version | None = Version.parse(
                version or checked.declared_version or "0.0.0"
            )
        except InvalidVersion:
            parsed_version = None  # reported by the parse; the references are still checked
        if name is None:
            return checked
        resolving = parsed_version or Version(0, 0, 0)
        if kind == "skill":
            checked.resolved = await resolver.resolve_skill(
                namespace, name, resolving, digest, checked.requires, origin.lock
            )
        elif kind == "agent":
            source = AgentSource(
                namespace=namespace,
                name=name,
                version=str(resolving),
                digest=digest,
                published_at=origin.published_at,
                frontmatter=checked.document,
                body=checked.body,
                requires=checked.requires,
                tool_rules=checked.tool_rules,
                disallowed_rules=checked.disallowed_rules,
                provenance=origin.provenance,
            )
            build = parsed_version is not None and not checked.errors
            checked.resolved = await resolver.resolve_agent(source, origin.lock, build=build)
        checked.problems += checked.resolved.problems
        if parsed_version is None:
            return checked  # no version to compare with the one below it
        if checked.resolved.profile is not None:
            checked.profile = checked.resolved.profile.as_data()
        new = snapshot(
            kind,
            f"{namespace}/{name}",
            str(parsed_version),
            digest_of(data),
            jsonable(checked.document),
            checked.body,
            data,
            profile=checked.profile,
            tool_rules=checked.tool_rules,
            disallowed_rules=checked.disallowed_rules,
            lock=checked.resolved.lock,
            preloaded=[d.key for d in checked.requires],
        )
        if kind in DOCUMENT_KINDS and (readable is None or namespace in readable):
            # (in a namespace the caller may not read: as if never published)
            key = Identity(namespace, name)
            state = state or await self._state(kind, key, str(parsed_version))
            old = (
                None if state.baseline is None else await self._snapshot(kind, key, *state.baseline)
            )
            checked.problems += release_problems(state.policy, old, new)
        checked.snapshot = new
        return checked

    async def _snapshot(
        self, kind: Kind, identity: Identity, version: str, digest: str
    ) -> Snapshot:
        """The snapshot of a stored version: remembered, else read."""
        key = (kind, str(identity), version, digest)
        found = self.snapshots.get(key) if self.snapshots is not None else None
        if found is None:
            found = snapshot_of(
                kind, identity, await self.repository.baseline(kind, identity, version)
            )
            if self.snapshots is not None:
                self.snapshots.put(key, found)
        return found

    async def _state(self, kind: Kind, identity: Identity, version: str) -> PublishState:
        try:
            wanted = line(Version.parse(version))
        except InvalidVersion:
            wanted = None
        return await self.repository.publish_state(kind, identity, version, wanted)

    def _parse(
        self,
        kind: Kind,
        identity: Identity | None,
        version: str | None,
        data: bytes,
        path_problems: list[Problem],
    ) -> Checked:
        path_name = identity.name if identity else None
        if kind == "toolset":
            toolset = validate_toolset(data, path_name=path_name, path_version=version)
            declared = (toolset.document or {}).get("version")
            return Checked(
                name=toolset.name,
                declared_version=declared if isinstance(declared, str) else None,
                document=toolset.document,
                body="",
                description=toolset.description,
                requires=[],
                tool_rules=[r.rule for r in toolset.rules],
                disallowed_rules=[],
                problems=[*path_problems, *toolset.problems],
            )
        parsed = validate_file(kind, data, path_name=path_name, path_version=version)
        requires, reference_problems = self.resolver.declared(parsed.skill_refs)
        frontmatter = parsed.frontmatter or {}
        inherit = kind == "agent" and frontmatter.get("tools") is None
        return Checked(
            name=parsed.name,
            declared_version=parsed.version,
            document=parsed.frontmatter,
            body=parsed.body or "",
            description=str(frontmatter.get("description") or ""),
            requires=requires,
            tool_rules=None if inherit else [r.rule for r in parsed.tool_rules],
            disallowed_rules=[r.rule for r in parsed.disallowed_rules],
            problems=[*path_problems, *parsed.problems, *reference_problems],
        )

    def _identity(self, qualified_name: str) -> tuple[Identity | None, list[Problem]]:
        try:
            namespace, name = names.split_qualified(qualified_name, self.default_namespace)
        except names.InvalidName as exc:
            return None, [error("path.name", "invalid_name", str(exc))]
        return Identity(namespace, name), []


def _republished(
    kind: Kind, identity: Identity, existing: StoredVersion, version: str, digest: str
) -> Published:
    if existing.version != version:
        raise VersionConflict(
            f"{kind} {identity}@{existing.version} is already published, and {version} differs"
            " from it only in build metadata, which SemVer ignores: both would be one version to"
            " every range and tag. Publish a new version.",
            existingVersion=existing.version,
            existingDigest=existing.digest,
            publishedDigest=digest,
        )
    if existing.digest != digest:
        raise VersionConflict(
            f"{kind} {identity}@{existing.version} is already published as {existing.digest}; "
            f"these bytes are {digest}. Published versions are immutable: publish a new version.",
            existingDigest=existing.digest,
            publishedDigest=digest,
        )
    return Published(version_detail(kind, identity, existing), created=False)


def _item(problem: Problem) -> ProblemItem:
    return ProblemItem.model_validate(problem.as_dict())
