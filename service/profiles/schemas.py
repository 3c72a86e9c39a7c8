"""Profile documents as the OpenAPI document describes them (DESIGN §4; fields may be added)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.bundles.schemas import SkillFile
from service.schemas import Problem, Provenance, StorableText


class ProfileSkill(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    version: str
    digest: str
    description: str
    instructions: str
    allowedTools: list[str]
    requiredBy: list[str]
    files: list[SkillFile] | None = Field(
        None, description="The skill's folder, `SKILL.md` included (absent on older profiles)."
    )
    archive: str | None = Field(None, description="URL path of the folder as a tar.gz.")


class ToolGrant(BaseModel):
    model_config = ConfigDict(extra="allow")

    rule: str
    tool: str
    specifier: str | None
    sources: list[str]


class ProfileTools(BaseModel):
    model_config = ConfigDict(extra="allow")

    mode: Literal["allowlist", "inherit"]
    grants: list[ToolGrant]
    denied: list[dict[str, Any]]
    ungranted: list[dict[str, Any]]
    ignored: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Entries that name no known tool: Claude Code skips them, so they grant nothing.",
    )


class AgentDefinition(BaseModel):
    """Exactly the Claude Agent SDK's `AgentDefinition` fields; absent ones are omitted."""

    model_config = ConfigDict(extra="forbid")

    description: str
    prompt: str
    tools: list[str] | None = None
    disallowedTools: list[str] | None = None
    model: str | None = None
    maxTurns: int | None = None
    mcpServers: list[Any] | None = None
    permissionMode: str | None = None
    memory: str | None = None
    effort: str | int | None = None
    background: bool | None = None
    initialPrompt: str | None = None


class Profile(BaseModel):
    """A resolved agent: identity, normalised fields, skills, effective tools, lock."""

    model_config = ConfigDict(extra="allow")

    namespace: str
    name: str
    version: str
    digest: str
    description: str
    model: str | None
    maxTurns: int | None
    instructions: str
    frontmatter: dict[str, Any]
    skills: list[ProfileSkill]
    tools: ProfileTools
    lock: dict[str, dict[str, dict[str, str]]]
    agentDefinition: AgentDefinition
    yanked: bool
    deprecated: str | None
    publishedAt: str
    provenance: Provenance | None = Field(
        None,
        description="How this version was published: the token's name, or the CI run behind an"
        " OIDC trusted publish (issuer, repository, workflow, ref, commit). Absent for versions"
        " published before provenance was recorded.",
    )


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refs: list[StorableText] = Field(
        min_length=1, max_length=100, examples=[["dev-python@1.0.0", "flask-specialist@^1"]]
    )


class BatchResult(BaseModel):
    ref: str
    status: int
    version: str | None = None
    profile: Profile | None = None
    problem: Problem | None = None


class BatchResponse(BaseModel):
    results: list[BatchResult]
