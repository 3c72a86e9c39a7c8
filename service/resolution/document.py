"""The resolved profile's one type (DESIGN §4): built by `profile.build_profile`, serialised by
`profile.profile_json_bytes` and `render_markdown`, and shown as-is in the OpenAPI document.

Strict: the builder's values are kept exactly (no coercion), so the bytes are a function of
the content alone. `extra="allow"` carries the optional frontmatter fields a profile copies.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)


class Provenance(BaseModel):
    """How a version was published, recorded at publish and never changed."""

    model_config = ConfigDict(extra="allow")

    method: Literal["token", "oidc", "bootstrap", "system"] = Field(
        description="`token`: an API token; `oidc`: a token from OIDC trusted publishing (a CI"
        " run); `bootstrap`: the operator's bootstrap token; `system`: the registry itself"
        " (`registry serve --seed`)."
    )
    publisher: str = Field(
        description="The token's name, the OIDC subject, `bootstrap`, or the system task."
    )
    tokenId: str | None = Field(None, description="The id of the token that published it.")
    issuer: str | None = Field(None, description="OIDC: the CI provider that signed the run.")
    subject: str | None = Field(None, description="OIDC: the ID token's `sub`.")
    repository: str | None = Field(None, description="OIDC: the repository the run built.")
    workflow: str | None = Field(
        None, description="OIDC: the workflow file at its ref (GitHub `workflow_ref`)."
    )
    ref: str | None = Field(None, description="OIDC: the git ref the run built.")
    commit: str | None = Field(None, description="OIDC: the commit the run built.")
    claims: dict[str, Any] | None = Field(
        None,
        description="OIDC: every claim kept from the ID token (those the trust policy matched,"
        " and the CI ones: run_id, event_name, environment, …), `iss` and `sub` aside.",
    )

    # No return annotation on purpose: pydantic then documents the fields above (an annotation
    # would replace them with its own, bare schema in the OpenAPI document).
    @model_serializer(mode="wrap")
    def _without_unknowns(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        """As stored: what the publish did not say is left out, not shown as null."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class SkillFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Relative to the skill folder, `/`-separated.")
    size: int
    sha256: str = Field(description="Hex SHA-256 of the file's bytes.")
    executable: bool


class ProfileSkill(BaseModel):
    """One resolved skill as the profile shows it."""

    model_config = ConfigDict(extra="allow", strict=True)

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
    model_config = ConfigDict(extra="allow", strict=True)

    rule: str
    tool: str
    specifier: str | None
    sources: list[str]


class ProfileTools(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

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

    model_config = ConfigDict(extra="forbid", strict=True)

    description: str
    prompt: str
    tools: list[str] | None = None
    disallowedTools: list[str] | None = None
    model: str | None = None
    maxTurns: int | None = None
    mcpServers: list[Any] | None = None
    permissionMode: str | None = None
    memory: str | None = None
    # Kept as written: publishing only warns when these are not strings.
    effort: Any = Field(None, description="As written; `low`, `medium`, `high` or `max` expected.")
    background: bool | None = None
    initialPrompt: Any = Field(None, description="As written; a string expected.")


class Profile(BaseModel):
    """A resolved agent: identity, normalised fields, skills, effective tools, lock."""

    model_config = ConfigDict(extra="allow", strict=True)

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

    def as_data(self) -> dict[str, Any]:
        """JSON-ready data with exactly the members the profile was built or stored with."""
        return self.model_dump(exclude_unset=True)
