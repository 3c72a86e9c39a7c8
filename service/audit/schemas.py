"""Audit log entries as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from service.schemas import ApiModel


class AuditEntry(ApiModel):
    id: int
    at: dt.datetime
    actor: str = Field(description="Token name, OIDC subject, `anonymous`, or the system.")
    actorKind: str = Field(description="anonymous, token, oidc, bootstrap or system.")
    actorId: str | None = Field(None, description="The token's id, when there is one.")
    actorClaims: dict[str, Any] | None = Field(
        None, description="For OIDC: the claims the trust policy matched on."
    )
    action: str = Field(
        description="publish, tag, untag, yank, unyank, deprecate, undeprecate, token.create,"
        " token.revoke, namespace.create, trust_policy.create, trust_policy.delete, denied,"
        " unauthenticated."
    )
    kind: str | None
    namespace: str | None
    name: str | None
    version: str | None
    digest: str | None
    requestId: str | None
    clientAddress: str | None
    details: dict[str, Any]


class AuditPage(ApiModel):
    items: list[AuditEntry] = Field(description="Newest first.")
    nextCursor: str | None = Field(None, description="Pass as `cursor` for older entries.")
