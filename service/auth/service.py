"""Authentication (bearer token → principal) and the token and namespace rules."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from service.audit.actor import Actor
from service.audit.repository import AuditRepository
from service.auth.repository import AuthRepository
from service.auth.schemas import (
    NamespaceInfo,
    NamespaceList,
    TokenCreate,
    TokenCreated,
    TokenInfo,
    TokenList,
)
from service.auth.tokens import (
    ALL_NAMESPACES,
    Principal,
    generate_token,
    hash_token,
    same_hash,
    token_hint,
    well_formed,
)
from service.db.models import ApiToken
from service.errors import AlreadyExists, NotFound, Unauthenticated

BOOTSTRAP_NAME = "bootstrap"
TokenSource = Literal["api", "cli", "serve", "oidc"]


def bootstrap_principal() -> Principal:
    return Principal(
        kind="bootstrap",
        name=BOOTSTRAP_NAME,
        token_id=BOOTSTRAP_NAME,
        namespaces=frozenset({ALL_NAMESPACES}),
        permissions=frozenset({"admin"}),
    )


def principal_of(row: ApiToken) -> Principal:
    if row.source == "oidc":
        return Principal(
            kind="oidc",
            name=row.subject or row.name,
            token_id=str(row.id),
            namespaces=frozenset(row.namespaces),
            permissions=frozenset(row.permissions),
            claims=row.claims,
            expires_at=row.expires_at,
        )
    return Principal(
        kind="token",
        name=row.name,
        token_id=str(row.id),
        namespaces=frozenset(row.namespaces),
        permissions=frozenset(row.permissions),
        expires_at=row.expires_at,
    )


def token_info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=str(row.id),
        name=row.name,
        hint=row.hint,
        namespaces=list(row.namespaces),
        permissions=list(row.permissions),
        source=row.source,
        createdAt=row.created_at,
        createdBy=row.created_by,
        expiresAt=row.expires_at,
        revokedAt=row.revoked_at,
        subject=row.subject,
    )


class AuthService:
    def __init__(
        self, repository: AuthRepository, audit: AuditRepository, bootstrap_hash: str | None
    ) -> None:
        self.repository = repository
        self.audit = audit
        self.bootstrap_hash = bootstrap_hash

    async def authenticate(self, secret: str) -> Principal:
        if not well_formed(secret):
            raise Unauthenticated("the bearer token is malformed", presented=True)
        digest = hash_token(secret)
        if self.bootstrap_hash is not None and same_hash(digest, self.bootstrap_hash):
            return bootstrap_principal()
        row = await self.repository.token_by_hash(digest)
        # The lookup is by hash; comparing again in constant time costs nothing and keeps the
        # secret out of any byte-by-byte comparison whatever the index does.
        if row is None or not same_hash(row.token_hash, digest):
            raise Unauthenticated("the token is not known to this registry", presented=True)
        if row.revoked_at is not None:
            raise Unauthenticated("the token has been revoked", presented=True)
        if row.expires_at is not None and row.expires_at <= dt.datetime.now(dt.UTC):
            raise Unauthenticated("the token has expired", presented=True)
        return principal_of(row)

    async def create_token(
        self, request: TokenCreate, actor: Actor, source: TokenSource
    ) -> TokenCreated:
        secret = generate_token()
        row = await self.repository.add_token(
            name=request.name,
            token_hash=hash_token(secret),
            hint=token_hint(secret),
            namespaces=request.namespaces,
            permissions=request.permissions,
            source=source,
            created_by=actor.name,
            expires_at=request.expiresAt,
        )
        self.audit.add(
            actor,
            "token.create",
            kind="token",
            name=row.name,
            details={
                "tokenId": str(row.id),
                "namespaces": request.namespaces,
                "permissions": request.permissions,
                "expiresAt": request.expiresAt.isoformat() if request.expiresAt else None,
            },
        )
        return TokenCreated(**token_info(row).model_dump(), token=secret)

    async def list_tokens(self) -> TokenList:
        return TokenList(items=[token_info(r) for r in await self.repository.list_tokens()])

    async def revoke_token(self, token_id: str, actor: Actor) -> TokenInfo:
        """One UPDATE … RETURNING; a token revoked before is answered as it is, not audited."""
        row = await self.repository.revoke_token(token_id, dt.datetime.now(dt.UTC))
        if row is None:
            return token_info(await self._token(token_id))
        self.audit.add(
            actor, "token.revoke", kind="token", name=row.name, details={"tokenId": token_id}
        )
        return token_info(row)

    async def create_namespace(self, name: str, actor: Actor) -> NamespaceInfo:
        row = await self.repository.ensure_namespace(name, created_by=actor.name)
        if row is None:
            raise AlreadyExists(f"namespace {name} already exists", namespace=name)
        self.audit.add(actor, "namespace.create", kind="namespace", namespace=name, name=name)
        # Artifacts reference their namespace (a foreign key): a new one holds none.
        return NamespaceInfo(
            name=row.name, createdAt=row.created_at, createdBy=row.created_by, artifacts=0
        )

    async def list_namespaces(self, readable: frozenset[str] | None = None) -> NamespaceList:
        """Every namespace, or only those in `readable` (what the caller may read)."""
        return NamespaceList(
            items=[
                NamespaceInfo(
                    name=ns.name, createdAt=ns.created_at, createdBy=ns.created_by, artifacts=n
                )
                for ns, n in await self.repository.list_namespaces()
                if readable is None or ns.name in readable
            ]
        )

    async def _token(self, token_id: str) -> ApiToken:
        row = await self.repository.token_by_id(token_id)
        if row is None:
            raise NotFound(f"no token with id {token_id}", tokenId=token_id)
        return row
