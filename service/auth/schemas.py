"""Request and response bodies of the token, namespace and trust-policy endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from service.auth.tokens import ALL_NAMESPACES, Permission
from service.formats import names
from service.schemas import ApiModel, StorableText


def _namespace(text: str) -> str:
    if text != ALL_NAMESPACES and (reason := names.name_problem(text)):
        raise ValueError(f"namespace {text!r} {reason}")
    return text


def _unique(items: list[str]) -> list[str]:
    return sorted(set(items))


NamespaceScope = Annotated[
    str, AfterValidator(_namespace), Field(description="A namespace, or `*` for every namespace.")
]
Scopes = Annotated[list[NamespaceScope], Field(min_length=1, max_length=100)]
Permissions = Annotated[list[Permission], Field(min_length=1, max_length=5)]
# A CI pipeline publishes; it never administers the registry.
PolicyPermission = Literal["read", "publish", "tag", "yank"]


class TokenCreate(ApiModel):
    name: StorableText = Field(min_length=1, max_length=128, description="What it is for.")
    namespaces: Scopes
    permissions: Permissions
    expiresAt: dt.datetime | None = Field(None, description="RFC 3339; omitted = never expires.")

    @field_validator("namespaces", "permissions")
    @classmethod
    def _dedupe(cls, items: list[str]) -> list[str]:
        return _unique(items)

    @field_validator("expiresAt")
    @classmethod
    def _future(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2027-01-01T00:00:00Z")
        if value <= dt.datetime.now(dt.UTC):
            raise ValueError("is in the past")
        return value


class TokenInfo(ApiModel):
    id: str
    name: str
    hint: str = Field(description="The first characters of the secret, to tell tokens apart.")
    namespaces: list[str]
    permissions: list[str]
    source: str = Field(description="api, cli, serve (first start) or oidc (trusted publishing).")
    createdAt: dt.datetime
    createdBy: str | None
    expiresAt: dt.datetime | None
    revokedAt: dt.datetime | None
    subject: str | None = Field(None, description="OIDC subject, for tokens from an exchange.")


class TokenCreated(TokenInfo):
    token: str = Field(description="The secret. Shown once: only its hash is stored.")


class TokenList(ApiModel):
    items: list[TokenInfo]


class NamespaceCreate(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=64, pattern=names.NAME_REGEX)]


class NamespaceInfo(ApiModel):
    name: str
    createdAt: dt.datetime
    createdBy: str | None
    artifacts: int = 0


class NamespaceList(ApiModel):
    items: list[NamespaceInfo]


class TrustPolicyCreate(ApiModel):
    issuer: StorableText = Field(
        max_length=500,
        description="The OIDC issuer, e.g. https://token.actions.githubusercontent.com",
    )
    audience: StorableText = Field(min_length=1, max_length=200)
    claims: Annotated[
        dict[Annotated[str, Field(min_length=1, max_length=100)], StorableText],
        Field(
            min_length=1,
            max_length=20,
            description="Conditions on the token's claims: exact values or globs (`refs/heads/*`);"
            " at least one, since an issuer like GitHub signs tokens for every repository.",
        ),
    ]
    namespaces: Scopes
    permissions: Annotated[list[PolicyPermission], Field(min_length=1, max_length=4)]

    @field_validator("namespaces", "permissions")
    @classmethod
    def _dedupe(cls, items: list[str]) -> list[str]:
        return _unique(items)


class TrustPolicyInfo(ApiModel):
    id: str
    issuer: str
    audience: str
    claims: dict[str, str]
    namespaces: list[str]
    permissions: list[str]
    createdAt: dt.datetime
    createdBy: str | None


class TrustPolicyList(ApiModel):
    items: list[TrustPolicyInfo]


class OidcExchange(ApiModel):
    token: str = Field(min_length=1, max_length=16384, description="The CI provider's ID token.")


class OidcToken(ApiModel):
    token: str = Field(description="A registry token, valid until `expiresAt`.")
    expiresAt: dt.datetime
