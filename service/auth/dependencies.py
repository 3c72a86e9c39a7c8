"""FastAPI dependencies that guard routes: one per permission, plus reads and admin routes.

Each write route takes `Depends(require("publish"))` (or tag, yank) and gets the `Actor` the audit
log records; every read takes `ReadAccess` (or `ReadScopeDep`, to filter what it lists). Refusals
of both are audited, and failed authentications are rate-limited per client address (in this
process's memory) before any token is looked at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.audit.actor import Actor
from service.audit.repository import AuditRepository
from service.auth.ratelimit import FailedLoginLimiter
from service.auth.repository import AuthRepository
from service.auth.service import AuthService
from service.auth.tokens import ALL_NAMESPACES, Permission, Principal
from service.db.unit_of_work import record_always
from service.dependencies import SessionDep, SettingsDep
from service.errors import (
    Forbidden,
    NamespaceNotFound,
    TooManyFailedLogins,
    Unauthenticated,
)
from service.formats import names
from service.settings import Settings

Refusal = Unauthenticated | Forbidden | NamespaceNotFound
# Set by the catalogue's sign-in form (HttpOnly, SameSite=Strict): a browser cannot send a bearer
# header, so the pages of a registry without anonymous reads take the token from here. Reads only.
READ_COOKIE = "registry_read_token"
HOW_TO_AUTHENTICATE = (
    "this request needs a token: send `Authorization: Bearer <token>`"
    " (`registry publish --token`, or REGISTRY_TOKEN)"
)


# Declares `bearerAuth` on guarded operations in the OpenAPI document (and so in generated SDKs);
# the header itself is read by `authenticate`, which tells a malformed one from a missing one.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="An API token (`areg_…`), or one from `POST /v1/auth/oidc`.",
)
BearerDoc = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


async def get_auth_service(request: Request, session: SessionDep) -> AuthService:
    bootstrap: str | None = request.app.state.bootstrap_hash
    return AuthService(AuthRepository(session), AuditRepository(session), bootstrap)


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def caller(request: Request, principal: Principal | None) -> Actor:
    if principal is None:
        return Actor.anonymous(request_id(request), client_address(request))
    return principal.actor(request_id(request), client_address(request))


def check_not_blocked(request: Request) -> None:
    """429 for an address with too many recent failed authentications."""
    limiter: FailedLoginLimiter = request.app.state.failed_logins
    address = client_address(request)
    if (wait := limiter.blocked_for(address)) is not None:
        raise TooManyFailedLogins(
            f"too many failed authentication attempts from {address}; try again in {wait} s",
            retry_after=wait,
        )


async def authenticate(
    request: Request, service: AuthService, *, cookie: bool = False
) -> Principal | None:
    """The principal behind the Authorization header; None without one. With `cookie` (reads
    only, never writes), the catalogue's sign-in cookie stands in for a missing header."""
    header = request.headers.get("authorization")
    check_not_blocked(request)
    limiter: FailedLoginLimiter = request.app.state.failed_logins
    address = client_address(request)
    try:
        if header is None:
            saved = request.cookies.get(READ_COOKIE) if cookie else None
            principal = await service.authenticate(saved) if saved else None
        else:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer":
                raise Unauthenticated(
                    "send the token as `Authorization: Bearer <token>`", presented=True
                )
            principal = await service.authenticate(secret.strip())
    except Unauthenticated:
        limiter.failed(address)
        raise
    if principal is not None:
        request.state.actor = principal.name  # the request log's `actor` (service.logs)
    return principal


def path_namespace(request: Request, settings: Settings) -> str | None:
    """The namespace a route's `{name}` or `{spec}` names; None when it names none."""
    namespace = request.path_params.get("namespace")
    if isinstance(namespace, str):
        return namespace
    text = request.path_params.get("name") or request.path_params.get("spec")
    if not isinstance(text, str):
        return None
    qualified = text.split("@", 1)[0]
    try:
        return names.split_qualified(qualified, settings.default_namespace)[0]
    except names.InvalidName:
        return qualified.split("/", 1)[0] if "/" in qualified else settings.default_namespace


def record_refusal(
    request: Request,
    service: AuthService,
    principal: Principal | None,
    error: Refusal,
    *,
    kind: str | None,
    namespace: str | None,
    permission: str,
) -> None:
    """Record a refused write or read in its own transaction, once the request's has rolled back."""
    path_name = request.path_params.get("name")
    name = None
    if isinstance(path_name, str):
        name = path_name.rsplit("/", 1)[-1][:128]
    actor = caller(request, principal)
    action = "denied" if isinstance(error, Forbidden | NamespaceNotFound) else "unauthenticated"
    details = refusal_details(request, permission, error)
    version = request.path_params.get("version")
    record_always(
        service.repository.session,
        lambda: service.audit.add(
            actor,
            action,
            kind=kind,
            namespace=namespace,
            name=name,
            version=version,
            details=details,
        ),
    )


def refusal_details(request: Request, permission: str, error: Refusal) -> dict[str, str]:
    """What the audit log records about a refused request, besides who and what it named."""
    return {
        "method": request.method,
        "path": request.url.path[:500],
        "permission": permission,
        "reason": error.detail,
    }


def require(permission: Permission, kind: str | None = None) -> Callable[..., Awaitable[Actor]]:
    """A dependency: the caller holds `permission` on the namespace the path names."""

    async def guard(
        request: Request, service: AuthServiceDep, settings: SettingsDep, _: BearerDoc
    ) -> Actor:
        namespace = path_namespace(request, settings) or settings.default_namespace
        principal: Principal | None = None
        try:
            principal = await authenticate(request, service)
            if principal is None:
                raise Unauthenticated(HOW_TO_AUTHENTICATE, presented=False)
            if not principal.can(permission, namespace):
                raise Forbidden(_lacks(principal, permission, namespace), permission=permission)
            if permission == "publish":
                await _check_namespace(service, principal, namespace, settings)
        except (Unauthenticated, Forbidden, NamespaceNotFound) as error:
            if isinstance(error, Unauthenticated) and error.presented is False:
                request.app.state.failed_logins.failed(client_address(request))
            record_refusal(
                request,
                service,
                principal,
                error,
                kind=kind,
                namespace=namespace,
                permission=permission,
            )
            raise
        return caller(request, principal)

    return guard


async def require_admin(request: Request, service: AuthServiceDep, _: BearerDoc) -> Actor:
    """Tokens, namespaces, trust policies and the audit log: admin over every namespace."""
    principal: Principal | None = None
    try:
        principal = await authenticate(request, service)
        if principal is None:
            raise Unauthenticated(HOW_TO_AUTHENTICATE, presented=False)
        if not principal.is_admin:
            raise Forbidden(
                f"token {principal.name!r} is not an admin over every namespace"
                " (permissions [admin], namespaces [*])",
                permission="admin",
            )
    except (Unauthenticated, Forbidden) as error:
        record_refusal(
            request, service, principal, error, kind=None, namespace=None, permission="admin"
        )
        raise
    return caller(request, principal)


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The namespaces a read may show: `None` is every namespace (anonymous reads allowed, or a
    token over `*`). Lists, search, the changes feed, batches and pages filter by it."""

    namespaces: frozenset[str] | None = None
    # Who is reading, where reads are checked (anonymous reads off): a route that refuses part
    # of a request itself (a batch's refs) audits the refusal under this actor.
    actor: Actor | None = None

    def allows(self, namespace: str) -> bool:
        return self.namespaces is None or namespace in self.namespaces


async def require_read(
    request: Request, service: AuthServiceDep, settings: SettingsDep
) -> ReadScope:
    """With REGISTRY_ANONYMOUS_READ=false, a read needs a token that may read the namespace the
    path names; a read naming none (a list, a search) shows only the token's namespaces.
    Refusals are audited like refused writes."""
    if settings.anonymous_read:
        return ReadScope()
    namespace = path_namespace(request, settings)
    principal: Principal | None = None
    try:
        principal = await authenticate(request, service, cookie=True)
        if principal is None:
            raise Unauthenticated(
                "this registry does not allow anonymous reads; " + HOW_TO_AUTHENTICATE,
                presented=False,
            )
        if namespace is not None and not principal.can("read", namespace):
            raise Forbidden(_lacks(principal, "read", namespace), permission="read")
    except (Unauthenticated, Forbidden) as error:
        if isinstance(error, Unauthenticated) and error.presented is False:
            request.app.state.failed_logins.failed(client_address(request))
        record_refusal(
            request, service, principal, error, kind=None, namespace=namespace, permission="read"
        )
        raise
    if (authorization := request.headers.get("authorization")) is not None:
        # Lets the profile fast path serve this token's cached reads for a few seconds.
        request.app.state.read_tokens.remember(authorization, principal)
    actor = caller(request, principal)
    if not principal.permissions:
        return ReadScope(frozenset(), actor)
    if ALL_NAMESPACES in principal.namespaces:
        return ReadScope(None, actor)
    return ReadScope(frozenset(principal.namespaces), actor)


async def _check_namespace(
    service: AuthService, principal: Principal, namespace: str, settings: Settings
) -> None:
    if namespace == settings.default_namespace or principal.may_create(namespace):
        return
    if not await service.repository.namespace_exists(namespace):
        raise NamespaceNotFound(
            f"namespace {namespace} does not exist: an admin creates it"
            f" (`registry namespace create {namespace}`), or a token scoped to it by name"
            " publishes into it first",
            namespace=namespace,
        )


def _lacks(principal: Principal, permission: str, namespace: str) -> str:
    if not principal.in_scope(namespace):
        scopes = ", ".join(sorted(principal.namespaces))
        return f"token {principal.name!r} is scoped to [{scopes}], not to namespace {namespace}"
    held = ", ".join(sorted(principal.permissions))
    return f"token {principal.name!r} has [{held}], not {permission!r}, on namespace {namespace}"


WRITE_ERRORS = (401, 403, 429)
READ_ERRORS = (401, 403, 429)
ReadAccess = Depends(require_read)
ReadScopeDep = Annotated[ReadScope, Depends(require_read)]
AdminActor = Annotated[Actor, Depends(require_admin)]
