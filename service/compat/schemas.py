"""Bodies of the diff and policy endpoints (JSON names are the public contract)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.formats.kinds import DocumentKind


class FieldChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="Top-level frontmatter key.")
    change: Literal["added", "removed", "changed"]
    from_: Any = Field(alias="from", description="The value in `from` (null when added).")
    to: Any = Field(description="The value in `to` (null when removed).")


class DiffGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    tool: str
    specifier: str | None
    sources: list[str] = Field(description="Where the grant came from in that version.")


class ModeChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_: Literal["allowlist", "inherit"] = Field(alias="from")
    to: Literal["allowlist", "inherit"]


class GrantChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: ModeChange = Field(description="`inherit` when the agent omits `tools`.")
    added: list[DiffGrant]
    removed: list[DiffGrant]


class DiffSkill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    digest: str


class MovedSkill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    from_: str = Field(alias="from")
    to: str
    fromDigest: str
    toDigest: str


class SkillChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    added: list[DiffSkill]
    removed: list[DiffSkill]
    changed: list[MovedSkill] = Field(description="Resolved to another version.")


class VersionDiff(BaseModel):
    """Two versions side by side; every list is in a stable order (key, rule, name)."""

    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    name: str = Field(description="`namespace/name`.")
    from_: str = Field(alias="from")
    to: str
    fromDigest: str
    toDigest: str
    fields: list[FieldChange] = Field(description="Frontmatter keys added, removed or changed.")
    grants: GrantChanges = Field(description="Effective tool grants, from the stored profiles.")
    skills: SkillChanges = Field(description="The resolved skills of each version's lock.")
    instructions: str = Field(description="Unified diff of the Markdown body; empty if unchanged.")


Compatibility = Literal["none", "warn", "enforce"]


class PolicyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compatibility: Compatibility = Field(
        description="`none`: no check; `warn` (default): findings are warnings; `enforce`:"
        " a minor or patch release with findings is refused (422).",
        examples=["enforce"],
    )


class NamespacePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    namespace: str
    compatibility: Compatibility
    source: Literal["namespace", "default"] = Field(
        description="`default` when no admin has set one (then it is `warn`)."
    )


class ArtifactPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    namespace: str
    name: str
    compatibility: Compatibility = Field(description="The policy publishing applies.")
    source: Literal["artifact", "namespace", "default"]
    override: Compatibility | None = Field(description="The artifact's own policy, if set.")
