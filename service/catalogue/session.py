"""Signing in to the catalogue with a token, for registries without anonymous reads.

A browser cannot send `Authorization: Bearer`, so the sign-in form (shown on a page's 401) keeps
the token in an HttpOnly, SameSite=Strict cookie, which only reads accept (see
service/auth/dependencies.py): a cookie never authorises a write, so no page can be made to
write on a reader's behalf.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from service.auth.dependencies import (
    READ_COOKIE,
    AuthServiceDep,
    check_not_blocked,
    client_address,
    record_refusal,
)
from service.catalogue.router import page_headers, templates
from service.errors import Forbidden, RegistryError, TooManyFailedLogins, Unauthenticated

# A working day; signing in again is one paste.
COOKIE_SECONDS = 8 * 3600
MAX_FORM_BYTES = 4096

router = APIRouter(prefix="/ui/session", include_in_schema=False)
views = templates()


@router.post("")
async def sign_in(request: Request, service: AuthServiceDep) -> Response:
    """The form's token, checked like any bearer token (failures count towards the limit and
    are audited), then kept in the cookie; back to the page that asked."""
    form = await _form(request)
    target = _local_path(form.get("next", "/"))
    try:
        _same_origin(request)
        check_not_blocked(request)
        token = form.get("token", "").strip()
        try:
            principal = await service.authenticate(token)
        except Unauthenticated as error:
            request.app.state.failed_logins.failed(client_address(request))
            record_refusal(
                request, service, None, error, kind=None, namespace=None, permission="read"
            )
            raise
        if not principal.permissions:
            raise Forbidden(f"token {principal.name!r} may not read anything", permission="read")
    except (Unauthenticated, Forbidden, TooManyFailedLogins) as error:
        return _error_page(request, error, target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        READ_COOKIE,
        token,
        max_age=COOKIE_SECONDS,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/end")
async def sign_out(request: Request) -> Response:
    try:
        _same_origin(request)
    except Forbidden as error:
        return _error_page(request, error, "/")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(READ_COOKIE, path="/", httponly=True, samesite="strict")
    return response


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form, bounded: a token and a path are all it holds."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=8)
    return {name: values[0] for name, values in fields.items() if values}


def _local_path(value: str) -> str:
    """Only a path on this site (never `//host` or `/\\host`): no open redirect."""
    if value.startswith("/") and not value.startswith(("//", "/\\")) and "\n" not in value:
        return value[:1000]
    return "/"


def _same_origin(request: Request) -> None:
    """A form posted from another site must not sign this browser in to someone's token, nor
    out of its own."""
    origin = request.headers.get("origin")
    if origin is not None and origin != str(request.base_url).rstrip("/"):
        raise Forbidden("sign in from this registry's own pages", permission="read")


def _error_page(request: Request, error: RegistryError, target: str) -> Response:
    response = views.TemplateResponse(
        request,
        "error.html",
        {"error": error, "next": target},
        status_code=error.status,
        headers={**page_headers(), **error.headers},
    )
    return response
