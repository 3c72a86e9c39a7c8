"""HTTP routes for tokens, namespaces, trust policies (admin) and the OIDC exchange (anyone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from service.audit.repository import AuditRepository
from service.auth.dependencies import (
    READ_ERRORS,
    WRITE_ERRORS,
    AdminActor,
    AuthServiceDep,
    ReadScopeDep,
    check_not_blocked,
    client_address,
    record_refusal,
    request_id,
)
from service.auth.repository import AuthRepository
from service.auth.schemas import (
    NamespaceCreate,
    NamespaceInfo,
    NamespaceList,
    OidcExchange,
    OidcToken,
    TokenCreate,
    TokenCreated,
    TokenList,
    TrustPolicyCreate,
    TrustPolicyInfo,
    TrustPolicyList,
)
from service.auth.trust import TrustService
from service.dependencies import SessionDep, SettingsDep
from service.errors import Forbidden, Unauthenticated
from service.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["auth"])


@router.post(
    "/tokens",
    operation_id="create_token",
    summary="Create an API token; the secret is in this response only",
    status_code=201,
    response_model=TokenCreated,
    responses={201: {"description": "Created"}, **problem_responses(*WRITE_ERRORS, 422)},
)
async def create_token(
    request_body: TokenCreate, actor: AdminActor, service: AuthServiceDep
) -> TokenCreated:
    return await service.create_token(request_body, actor, source="api")


@router.get(
    "/tokens",
    operation_id="list_tokens",
    summary="Tokens: names, scopes, expiry and revocation (never the secrets)",
    response_model=TokenList,
    responses=problem_responses(*WRITE_ERRORS),
)
async def list_tokens(actor: AdminActor, service: AuthServiceDep) -> TokenList:
    return await service.list_tokens()


@router.delete(
    "/tokens/{token_id}",
    operation_id="revoke_token",
    summary="Revoke a token: it stops working at once",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Revoked"}, **problem_responses(*WRITE_ERRORS, 404)},
)
async def revoke_token(
    token_id: str, actor: AdminActor, service: AuthServiceDep, request: Request
) -> Response:
    await service.revoke_token(token_id, actor)
    # Read tokens this process remembers for cached profiles are checked again from now on.
    request.app.state.read_tokens.clear()
    return Response(status_code=204)


@router.post(
    "/namespaces",
    operation_id="create_namespace",
    summary="Create a namespace",
    status_code=201,
    response_model=NamespaceInfo,
    responses={201: {"description": "Created"}, **problem_responses(*WRITE_ERRORS, 409, 422)},
)
async def create_namespace(
    request_body: NamespaceCreate, actor: AdminActor, service: AuthServiceDep
) -> NamespaceInfo:
    return await service.create_namespace(request_body.name, actor)


@router.get(
    "/namespaces",
    operation_id="list_namespaces",
    summary="Namespaces and how many artifacts each holds",
    response_model=NamespaceList,
    responses=problem_responses(*READ_ERRORS),
)
async def list_namespaces(service: AuthServiceDep, scope: ReadScopeDep) -> NamespaceList:
    """Only the namespaces the caller may read (all of them while anonymous reads are on)."""
    return await service.list_namespaces(scope.namespaces)


def get_trust_service(request: Request, session: SessionDep, settings: SettingsDep) -> TrustService:
    return TrustService(
        AuthRepository(session),
        AuditRepository(session),
        request.app.state.oidc,
        settings.oidc_token_minutes,
    )


TrustServiceDep = Annotated[TrustService, Depends(get_trust_service)]


@router.post(
    "/trust-policies",
    operation_id="create_trust_policy",
    summary="Trust a CI provider's OIDC tokens (issuer, audience, claims) for namespaces",
    status_code=201,
    response_model=TrustPolicyInfo,
    responses={201: {"description": "Created"}, **problem_responses(*WRITE_ERRORS, 422)},
)
async def create_trust_policy(
    request_body: TrustPolicyCreate, actor: AdminActor, trust: TrustServiceDep
) -> TrustPolicyInfo:
    return await trust.create_policy(request_body, actor)


@router.get(
    "/trust-policies",
    operation_id="list_trust_policies",
    summary="Trust policies, oldest first (the first that matches a token wins)",
    response_model=TrustPolicyList,
    responses=problem_responses(*WRITE_ERRORS),
)
async def list_trust_policies(actor: AdminActor, trust: TrustServiceDep) -> TrustPolicyList:
    return await trust.list_policies()


@router.delete(
    "/trust-policies/{policy_id}",
    operation_id="delete_trust_policy",
    summary="Delete a trust policy (tokens it issued expire on their own, within minutes)",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted"}, **problem_responses(*WRITE_ERRORS, 404)},
)
async def delete_trust_policy(
    policy_id: str, actor: AdminActor, trust: TrustServiceDep
) -> Response:
    await trust.delete_policy(policy_id, actor)
    return Response(status_code=204)


@router.post(
    "/auth/oidc",
    operation_id="exchange_oidc_token",
    summary="Exchange a CI provider's OIDC ID token for a short-lived registry token",
    response_model=OidcToken,
    responses=problem_responses(401, 403, 422, 429),
)
async def exchange_oidc_token(
    request_body: OidcExchange,
    request: Request,
    trust: TrustServiceDep,
    auth: AuthServiceDep,
) -> OidcToken:
    check_not_blocked(request)
    address = client_address(request)
    try:
        return await trust.exchange(request_body.token, request_id(request), address)
    except (Unauthenticated, Forbidden) as error:
        request.app.state.failed_logins.failed(address)
        record_refusal(request, auth, None, error, kind="token", namespace=None, permission="oidc")
        raise
