"""Response and request bodies of the artifact endpoints (JSON names are the public contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from service.formats.kinds import Kind
from service.resolution.document import Provenance
from service.schemas import ApiModel, ProblemItem, StorableText


class VersionSummary(ApiModel):
    version: str
    digest: str
    size: int
    description: str
    publishedAt: datetime
    yanked: bool
    yankReason: str | None = None
    deprecated: str | None = Field(None, description="Deprecation message, when deprecated.")


class VersionDetail(VersionSummary):
    kind: Kind
    namespace: str
    name: str
    publisher: str | None = None
    provenance: Provenance | None = Field(
        None,
        description="How it was published: the token, or the OIDC trusted-publishing CI run"
        " (issuer, repository, workflow, ref, commit). Null for versions published before"
        " provenance was recorded.",
    )
    frontmatter: dict[str, Any]
    body: str
    lock: dict[str, Any]
    warnings: list[ProblemItem]


class ArtifactDetail(ApiModel):
    kind: Kind
    namespace: str
    name: str
    latest: str | None = Field(
        description="The `latest` tag when a publisher set one, else the highest stable, non-yanked version."
    )
    tags: dict[str, str] = Field(description="Tag → version.")
    versions: list[VersionSummary] = Field(description="Newest first by SemVer precedence.")


class ArtifactSummary(ApiModel):
    kind: Kind
    namespace: str
    name: str
    latest: str | None
    description: str | None
    versionCount: int


class ArtifactPage(ApiModel):
    items: list[ArtifactSummary]
    nextCursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ValidationReport(ApiModel):
    valid: bool
    kind: Kind
    name: str | None
    version: str | None
    digest: str
    frontmatter: dict[str, Any] | None
    errors: list[ProblemItem]
    warnings: list[ProblemItem]


class TagRequest(ApiModel):
    version: StorableText = Field(max_length=128, examples=["1.0.0"])


class Tagged(ApiModel):
    kind: Kind
    namespace: str
    name: str
    tag: str
    version: str


class YankRequest(ApiModel):
    reason: StorableText | None = Field(
        None, max_length=1000, examples=["leaks a token in its prompt"]
    )


class DeprecateRequest(ApiModel):
    message: StorableText = Field(
        min_length=1, max_length=1000, examples=["use 2.x: it drops MultiEdit"]
    )


class Dependent(ApiModel):
    kind: Kind
    namespace: str
    name: str
    version: str
    uses: str = Field(description="The version of the dependency this version was resolved to.")
    direct: bool = Field(description="Named in the file itself, not only reached through a skill.")


class DependentList(ApiModel):
    items: list[Dependent]
