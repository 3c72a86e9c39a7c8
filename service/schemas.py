"""Schemas every feature shares: the API model base, text PostgreSQL can store, and the RFC 9457
Problem body that service/errors.py's exceptions become (service/problems.py maps them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from service.formats.yamlsafe import unstorable_text


def _storable(text: str) -> str:
    if reason := unstorable_text(text):
        raise ValueError(f"the text {reason}")
    return text


# Request text that reaches PostgreSQL: no NUL, no lone surrogates (JSON `\\ud800` escapes).
StorableText = Annotated[str, AfterValidator(_storable)]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProblemItem(ApiModel):
    loc: str = Field(description="Where in the file: `frontmatter.tools[3]`, `body`, `path.name`.")
    code: str = Field(description="Stable machine code, snake_case.")
    message: str
    severity: Literal["error", "warning"]


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


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` and `warnings` list every finding for invalid files."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[ProblemItem] | None = None
    warnings: list[ProblemItem] | None = None
