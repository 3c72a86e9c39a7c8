"""Trust policies and the OIDC exchange: a CI provider's ID token for a short-lived registry token."""

from __future__ import annotations

import datetime as dt

from service.audit.actor import Actor
from service.audit.repository import AuditRepository
from service.auth.oidc import PROVENANCE, OidcRefused, OidcVerifier, claims_match, url_problem
from service.auth.repository import AuthRepository
from service.auth.schemas import OidcToken, TrustPolicyCreate, TrustPolicyInfo, TrustPolicyList
from service.auth.tokens import generate_token, hash_token, token_hint
from service.db.models import TrustPolicy
from service.errors import Forbidden, NotFound, RequestInvalid, Unauthenticated
from service.formats.problems import error


def policy_info(row: TrustPolicy) -> TrustPolicyInfo:
    return TrustPolicyInfo(
        id=str(row.id),
        issuer=row.issuer,
        audience=row.audience,
        claims=dict(row.claims),
        namespaces=list(row.namespaces),
        permissions=list(row.permissions),
        createdAt=row.created_at,
        createdBy=row.created_by,
    )


class TrustService:
    def __init__(
        self,
        repository: AuthRepository,
        audit: AuditRepository,
        verifier: OidcVerifier,
        token_minutes: int,
    ) -> None:
        self.repository = repository
        self.audit = audit
        self.verifier = verifier
        self.token_minutes = token_minutes

    async def create_policy(self, request: TrustPolicyCreate, actor: Actor) -> TrustPolicyInfo:
        if problem := url_problem(request.issuer, allow_insecure=self.verifier.allow_insecure):
            raise RequestInvalid(
                "1 problem(s) in the request",
                errors=[error("body.issuer", "insecure_issuer", f"the issuer {problem}").as_dict()],
            )
        row = await self.repository.add_policy(
            issuer=request.issuer,
            audience=request.audience,
            claims=request.claims,
            namespaces=request.namespaces,
            permissions=request.permissions,
            created_by=actor.name,
        )
        info = policy_info(row)
        self.audit.add(
            actor,
            "trust_policy.create",
            kind="trust_policy",
            name=str(row.id),
            details=info.model_dump(mode="json", exclude={"createdAt", "createdBy"}),
        )
        return info

    async def list_policies(self) -> TrustPolicyList:
        return TrustPolicyList(
            items=[policy_info(p) for p in await self.repository.list_policies()]
        )

    async def delete_policy(self, policy_id: str, actor: Actor) -> None:
        row = await self.repository.delete_policy(policy_id)
        if row is None:
            raise NotFound(f"no trust policy with id {policy_id}", policyId=policy_id)
        self.audit.add(
            actor,
            "trust_policy.delete",
            kind="trust_policy",
            name=policy_id,
            details=policy_info(row).model_dump(mode="json", exclude={"createdAt", "createdBy"}),
        )

    async def exchange(self, id_token: str, request_id: str | None, client: str) -> OidcToken:
        """Verify the ID token, find the first policy (oldest) it satisfies, issue a token."""
        policies = await self.repository.list_policies()
        audiences: dict[str, set[str]] = {}
        for policy in policies:
            audiences.setdefault(policy.issuer, set()).add(policy.audience)
        try:
            claims = await self.verifier.verify(id_token, audiences)
        except OidcRefused as exc:
            raise Unauthenticated(exc.detail, presented=True) from exc
        token_audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        candidates = [
            p for p in policies if p.issuer == claims["iss"] and p.audience in token_audiences
        ]
        mismatches = [claims_match(p.claims, claims) for p in candidates]
        chosen = next(
            (p for p, failed in zip(candidates, mismatches, strict=True) if not failed), None
        )
        subject = str(claims["sub"])
        if chosen is None:
            closest = min(mismatches, key=len) if mismatches else []
            raise Forbidden(
                f"no trust policy matches the ID token of {subject}: " + "; ".join(closest),
                subject=subject,
            )
        kept = {k: claims[k] for k in (*chosen.claims, *PROVENANCE) if k in claims}
        kept |= {"iss": claims["iss"], "sub": subject}
        secret = generate_token()
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=self.token_minutes)
        row = await self.repository.add_token(
            name=f"oidc {subject}"[:128],
            token_hash=hash_token(secret),
            hint=token_hint(secret),
            namespaces=list(chosen.namespaces),
            permissions=list(chosen.permissions),
            source="oidc",
            subject=subject,
            claims=kept,
            trust_policy_id=chosen.id,
            created_by=str(claims["iss"]),
            expires_at=expires,
        )
        actor = Actor(subject, "oidc", str(row.id), kept, request_id, client)
        self.audit.add(
            actor,
            "oidc.exchange",
            kind="token",
            name=row.name,
            details={"trustPolicyId": str(chosen.id), "expiresAt": expires.isoformat()},
        )
        return OidcToken(token=secret, expiresAt=expires)
