"""Shaping stored rows into response bodies, shared by publishing and reading."""

from __future__ import annotations

import hashlib

from service.artifacts.repository import StoredVersion
from service.artifacts.schemas import ArtifactSummary, VersionDetail, VersionSummary
from service.db.models import Artifact, ArtifactVersion
from service.formats.kinds import Kind
from service.formats.names import Identity
from service.resolution.document import Provenance
from service.schemas import ProblemItem


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def version_summary(row: ArtifactVersion | StoredVersion) -> VersionSummary:
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


def version_detail(
    kind: Kind, identity: Identity, row: ArtifactVersion | StoredVersion
) -> VersionDetail:
    return VersionDetail(
        kind=kind,
        namespace=identity.namespace,
        name=identity.name,
        publisher=row.publisher,
        provenance=None if row.provenance is None else Provenance.model_validate(row.provenance),
        frontmatter=row.frontmatter,
        body=row.body,
        lock=row.lock,
        warnings=[ProblemItem.model_validate(w) for w in row.warnings],
        **version_summary(row).model_dump(),
    )


def artifact_summary(
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
