"""All SQL for tokens, namespaces and trust policies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import ApiToken, Artifact, Namespace, TrustPolicy


class AuthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Tokens -----------------------------------------------------------------------------

    async def add_token(self, **values: Any) -> ApiToken:
        token = ApiToken(id=uuid.uuid4(), **values)
        self.session.add(token)
        await self.session.flush()
        return token

    async def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return await self.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))

    async def token_by_id(self, token_id: str) -> ApiToken | None:
        key = _key(token_id)
        return None if key is None else await self.session.get(ApiToken, key)

    async def list_tokens(self) -> list[ApiToken]:
        """Every token but the OIDC-issued ones that have expired (there is one per CI run)."""
        statement = (
            select(ApiToken)
            .where(or_(ApiToken.source != "oidc", ApiToken.expires_at > func.now()))
            .order_by(ApiToken.created_at, ApiToken.id)
        )
        return list(await self.session.scalars(statement))

    async def revoke_token(self, token_id: str, at: dt.datetime) -> ApiToken | None:
        """The token as revoked by this call; None when it is unknown or was revoked before."""
        key = _key(token_id)
        if key is None:
            return None
        return await self.session.scalar(
            update(ApiToken)
            .where(ApiToken.id == key, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
            .returning(ApiToken)
        )

    async def any_token(self) -> bool:
        return bool(await self.session.scalar(select(exists().where(ApiToken.id.is_not(None)))))

    # Namespaces -------------------------------------------------------------------------

    async def namespace_exists(self, name: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Namespace.name == name))))

    async def ensure_namespace(self, name: str, created_by: str) -> Namespace | None:
        """Create the namespace unless it exists; the row when this call created it."""
        return await self.session.scalar(
            insert(Namespace)
            .values(name=name, created_by=created_by)
            .on_conflict_do_nothing(index_elements=[Namespace.name])
            .returning(Namespace)
        )

    async def list_namespaces(self) -> list[tuple[Namespace, int]]:
        count = (
            select(func.count(Artifact.id))
            .where(Artifact.namespace == Namespace.name)
            .scalar_subquery()
        )
        rows = await self.session.execute(select(Namespace, count).order_by(Namespace.name))
        return [(namespace, artifacts) for namespace, artifacts in rows]

    # Trust policies ---------------------------------------------------------------------

    async def add_policy(self, **values: Any) -> TrustPolicy:
        policy = TrustPolicy(id=uuid.uuid4(), **values)
        self.session.add(policy)
        await self.session.flush()
        return policy

    async def list_policies(self) -> list[TrustPolicy]:
        statement = select(TrustPolicy).order_by(TrustPolicy.created_at, TrustPolicy.id)
        return list(await self.session.scalars(statement))

    async def policies_for(self, issuer: str) -> list[TrustPolicy]:
        statement = (
            select(TrustPolicy)
            .where(TrustPolicy.issuer == issuer)
            .order_by(TrustPolicy.created_at, TrustPolicy.id)
        )
        return list(await self.session.scalars(statement))

    async def delete_policy(self, policy_id: str) -> TrustPolicy | None:
        """The policy this call deleted (one DELETE … RETURNING); None when there was none."""
        key = _key(policy_id)
        if key is None:
            return None
        return await self.session.scalar(
            delete(TrustPolicy).where(TrustPolicy.id == key).returning(TrustPolicy)
        )


def _key(text: str) -> uuid.UUID | None:
    """A token's or policy's id from a path: text that is not a UUID names no row."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
