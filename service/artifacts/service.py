"""Publishing and reading agents and skills: the rules, between the router and the repository."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from service.artifacts.repository import ArtifactRepository, NewVersion
from service.artifacts.schemas import (
    ArtifactDetail,
    ArtifactPage,
    ArtifactSummary,
    Kind,
    ProblemItem,
    ValidationReport,
    VersionDetail,
    VersionSummary,
)
from service.db.models import Artifact, ArtifactVersion
from service.errors import InvalidCursor, NotFound, ValidationFailed, VersionConflict
from service.formats import names
from service.formats.problems import Problem, Severity, error
from service.formats.validate import SkillRef, ValidatedFile, validate_file
from service.resolution.semver import InvalidVersion, Version


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Identity:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Published:
    detail: VersionDetail
    created: bool


class ArtifactService:
    def __init__(self, repository: ArtifactRepository, default_namespace: str) -> None:
        self.repository = repository
        self.default_namespace = default_namespace

    # Publishing -------------------------------------------------------------------------

    async def publish(
        self, kind: Kind, qualified_name: str, version: str, data: bytes, *, actor: str
    ) -> Published:
        identity, path_problems = self._identity(qualified_name)
        digest = digest_of(data)
        if identity is not None and not path_problems:
            existing = await self.repository.get_version(
                kind, identity.namespace, identity.name, version
            )
            if existing is not None:
                return self._republished(kind, identity, existing, digest)

        checked, lock, problems = await self._check(kind, identity, version, data, path_problems)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors or identity is None:
            raise ValidationFailed(
                f"{len(errors)} problem(s) in the {kind} file; nothing was published.",
                errors=[p.as_dict() for p in errors],
                warnings=[p.as_dict() for p in problems if p.severity is Severity.WARNING],
            )
        assert checked.frontmatter is not None and checked.body is not None
        warnings = [p.as_dict() for p in problems]
        new = NewVersion(
            version=Version.parse(version),
            text=version,
            digest=digest,
            content=data,
            frontmatter=checked.frontmatter,
            body=checked.body,
            description=str(checked.frontmatter.get("description", "")),
            lock=lock,
            warnings=warnings,
            publisher=actor,
        )
        repo = self.repository
        artifact_id = await repo.ensure_artifact(kind, identity.namespace, identity.name)
        if await repo.insert_version(artifact_id, new) is None:
            # Another publish of this version committed between our read and our insert.
            existing = await repo.get_version(kind, identity.namespace, identity.name, version)
            assert existing is not None
            return self._republished(kind, identity, existing, digest)
        repo.add_audit(
            actor=actor,
            action="publish",
            kind=kind,
            namespace=identity.namespace,
            name=identity.name,
            version=version,
            digest=digest,
            details={"size": len(data), "warnings": len(warnings)},
        )
        await repo.session.commit()
        stored = await repo.get_version(kind, identity.namespace, identity.name, version)
        assert stored is not None
        return Published(self._detail(kind, identity, stored), created=True)

    async def validate(
        self, kind: Kind, data: bytes, qualified_name: str | None, version: str | None
    ) -> ValidationReport:
        identity, path_problems = (
            (None, []) if qualified_name is None else self._identity(qualified_name)
        )
        checked, _lock, problems = await self._check(kind, identity, version, data, path_problems)
        return ValidationReport(
            valid=not any(p.severity is Severity.ERROR for p in problems),
            kind=kind,
            name=checked.name if identity is None else str(identity),
            version=version or checked.version,
            digest=digest_of(data),
            frontmatter=checked.frontmatter,
            errors=[_item(p) for p in problems if p.severity is Severity.ERROR],
            warnings=[_item(p) for p in problems if p.severity is Severity.WARNING],
        )

    async def _check(
        self,
        kind: Kind,
        identity: Identity | None,
        version: str | None,
        data: bytes,
        path_problems: list[Problem],
    ) -> tuple[ValidatedFile, dict[str, Any], list[Problem]]:
        checked = validate_file(
            kind,
            data,
            path_name=identity.name if identity else None,
            path_version=version,
        )
        problems = [*path_problems, *checked.problems]
        lock: dict[str, Any] = {"skills": {}, "toolsets": {}}
        if checked.frontmatter is not None:
            namespace = identity.namespace if identity else self.default_namespace
            for ref in checked.skill_refs:
                found, problem = await self._find_skill(namespace, ref)
                if problem is not None:
                    problems.append(problem)
                elif found is not None:
                    key, row = found
                    lock["skills"][key] = {"version": row.version, "digest": row.digest}
        return checked, lock, problems

    async def _find_skill(
        self, namespace: str, ref: SkillRef
    ) -> tuple[tuple[str, ArtifactVersion] | None, Problem | None]:
        """A bare name means the latest stable version; `name@1.2.3` that exact version.

        A bare name is looked up in the referring artifact's namespace, then the default one.
        """
        try:
            ref_namespace, ref_name = names.split_qualified(ref.name, namespace)
        except names.InvalidName as exc:
            return None, error(ref.loc, "invalid_reference", str(exc))
        candidates = [ref_namespace]
        if "/" not in ref.name and ref_namespace != self.default_namespace:
            candidates.append(self.default_namespace)
        for candidate in candidates:
            if ref.constraint is None:
                row = await self.repository.latest_stable("skill", candidate, ref_name)
            else:
                row = await self.repository.get_version(
                    "skill", candidate, ref_name, ref.constraint
                )
            if row is not None:
                key = ref_name if candidate == self.default_namespace else f"{candidate}/{ref_name}"
                return (key, row), None
        wanted = "no stable version" if ref.constraint is None else f"no version {ref.constraint}"
        return None, error(
            ref.loc,
            "skill_not_found",
            f"skill {ref.name!r} has {wanted} in this registry; publish it first",
        )

    def _identity(self, qualified_name: str) -> tuple[Identity | None, list[Problem]]:
        try:
            namespace, name = names.split_qualified(qualified_name, self.default_namespace)
        except names.InvalidName as exc:
            return None, [error("path.name", "invalid_name", str(exc))]
        return Identity(namespace, name), []

    def _republished(
        self, kind: Kind, identity: Identity, existing: ArtifactVersion, digest: str
    ) -> Published:
        if existing.digest != digest:
            raise VersionConflict(
                f"{kind} {identity}@{existing.version} is already published as {existing.digest}; "
                f"these bytes are {digest}. Published versions are immutable: publish a new version.",
                existingDigest=existing.digest,
                publishedDigest=digest,
            )
        return Published(self._detail(kind, identity, existing), created=False)

    # Reading ----------------------------------------------------------------------------

    async def get_version(self, kind: Kind, qualified_name: str, version: str) -> VersionDetail:
        identity = self._require_identity(qualified_name)
        row = await self.repository.get_version(kind, identity.namespace, identity.name, version)
        if row is None:
            raise await self._missing(kind, identity, version)
        return self._detail(kind, identity, row)

    async def get_raw(self, kind: Kind, qualified_name: str, version: str) -> tuple[bytes, str]:
        identity = self._require_identity(qualified_name)
        content = await self.repository.get_content(
            kind, identity.namespace, identity.name, version
        )
        if content is None:
            raise await self._missing(kind, identity, version)
        return content, digest_of(content)

    async def get_artifact(self, kind: Kind, qualified_name: str) -> ArtifactDetail:
        identity = self._require_identity(qualified_name)
        artifact = await self.repository.get_artifact(kind, identity.namespace, identity.name)
        if artifact is None:
            raise NotFound(f"no {kind} named {identity}", kind=kind, name=str(identity))
        versions = await self.repository.list_versions(artifact.id)
        latest = next((v.version for v in versions if v.is_release and v.yanked_at is None), None)
        return ArtifactDetail(
            kind=kind,
            namespace=artifact.namespace,
            name=artifact.name,
            latest=latest,
            versions=[_summary(v) for v in versions],
        )

    async def search(
        self, kind: Kind, query: str | None, limit: int, cursor: str | None
    ) -> ArtifactPage:
        after = _decode_cursor(cursor) if cursor else None
        rows = await self.repository.search(kind, query, limit + 1, after)
        page, more = rows[:limit], len(rows) > limit
        items = [_artifact_summary(kind, r.artifact, r.latest, r.version_count) for r in page]
        last = page[-1].artifact if page else None
        next_cursor = _encode_cursor(last) if more and last is not None else None
        return ArtifactPage(items=items, nextCursor=next_cursor)

    def _require_identity(self, qualified_name: str) -> Identity:
        try:
            return Identity(*names.split_qualified(qualified_name, self.default_namespace))
        except names.InvalidName as exc:
            raise NotFound(str(exc)) from exc

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

    def _detail(self, kind: Kind, identity: Identity, row: ArtifactVersion) -> VersionDetail:
        return VersionDetail(
            kind=kind,
            namespace=identity.namespace,
            name=identity.name,
            publisher=row.publisher,
            frontmatter=row.frontmatter,
            body=row.body,
            lock=row.lock,
            warnings=[ProblemItem.model_validate(w) for w in row.warnings],
            **_summary(row).model_dump(),
        )


def _item(problem: Problem) -> ProblemItem:
    return ProblemItem.model_validate(problem.as_dict())


def _summary(row: ArtifactVersion) -> VersionSummary:
    return VersionSummary(
        version=row.version,
        digest=row.digest,
        size=row.size,
        description=row.description,
        publishedAt=row.published_at,
        yanked=row.yanked_at is not None,
        yankReason=row.yank_reason,
        deprecated=row.deprecation_message,
    )


def _artifact_summary(
    kind: Kind, artifact: Artifact, latest: ArtifactVersion | None, count: int
) -> ArtifactSummary:
    return ArtifactSummary(
        kind=kind,
        namespace=artifact.namespace,
        name=artifact.name,
        latest=latest.version if latest else None,
        description=latest.description if latest else None,
        versionCount=count,
    )


def _encode_cursor(artifact: Artifact) -> str:
    raw = json.dumps([artifact.namespace, artifact.name], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        namespace, name = json.loads(raw)
        if not isinstance(namespace, str) or not isinstance(name, str):
            raise ValueError
    except (ValueError, binascii.Error, TypeError) as exc:
        raise InvalidCursor("cursor is not one this registry issued") from exc
    return namespace, name
