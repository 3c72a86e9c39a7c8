"""`GET /v1/profiles/{name}@{ref}` and the batch form: stored bytes, HTTP caching, negotiation."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from service.audit.repository import AuditRepository
from service.auth.dependencies import READ_ERRORS, ReadAccess, ReadScopeDep, refusal_details
from service.db.faults import OutageMemory
from service.dependencies import SessionDep, SettingsDep
from service.errors import Forbidden, RegistryError
from service.http_caching import etag_matches
from service.problems import problem_responses
from service.profiles.cache import Format
from service.profiles.dependencies import ProfileCacheDep
from service.profiles.headers import MEDIA, negotiate_accept, profile_headers
from service.profiles.repository import ProfileRepository
from service.profiles.schemas import BatchRequest, BatchResponse
from service.profiles.service import ProfileService
from service.signing.signer import SIGNATURE_HEADER, get_signer

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])

_TEXT = {"schema": {"type": "string"}}
PROFILE_HEADERS = {
    "ETag": {"description": "Strong; differs whenever the body or its state does", **_TEXT},
    "Cache-Control": {
        "description": "`public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400`"
        " (tags, ranges and `?resolve=latest`: `max-age=60`)",
        **_TEXT,
    },
    "Content-Location": {"description": "The exact version a tag, range or digest chose", **_TEXT},
    "Deprecation": {"description": "RFC 9745, `@<unix time>`, when deprecated", **_TEXT},
    "Warning": {
        "description": '`299 - "yanked: …"`, `299 - "deprecated: …"`; `110 - "Response is Stale"`'
        " when served from memory while the database is unreachable",
        **_TEXT,
    },
}


def get_profiles(
    session: SessionDep, settings: SettingsDep, cache: ProfileCacheDep, request: Request
) -> ProfileService:
    outage: OutageMemory = request.app.state.outage
    return ProfileService(ProfileRepository(session), settings.default_namespace, cache, outage)


ProfilesDep = Annotated[ProfileService, Depends(get_profiles)]


def negotiate(request: Request, requested: Format | None) -> Format:
    if requested is not None:
        return requested
    return negotiate_accept(", ".join(request.headers.getlist("accept")))  # RFC 9110 §5.3


@router.get(
    "/{spec:path}",
    operation_id="get_profile",
    summary="The resolved profile of `name@ref` (exact version, range, tag, digest; bare = latest)",
    response_class=Response,
    responses={
        200: {
            "description": "The profile; `Content-Location` names the exact version a tag or range chose",
            "headers": {
                **PROFILE_HEADERS,
                "Registry-Signature": {
                    "description": "Detached JWS (EdDSA) over the exact body; keys at"
                    " `/.well-known/jwks.json`",
                    "schema": {"type": "string"},
                },
            },
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}},
                "text/markdown": {"schema": {"type": "string"}},
            },
        },
        304: {
            "description": "Not modified (If-None-Match matched the ETag)",
            "headers": PROFILE_HEADERS,
        },
        **problem_responses(*READ_ERRORS, 400, 404, 409, 422),
    },
    dependencies=[ReadAccess],
)
async def get_profile(
    spec: str,
    request: Request,
    profiles: ProfilesDep,
    settings: SettingsDep,
    format: Annotated[
        Format | None, Query(description="Overrides `Accept`: json or markdown.")
    ] = None,
    resolve: Annotated[
        Literal["latest"] | None,
        Query(description="`latest`: re-resolve skills and toolsets against today's versions."),
    ] = None,
) -> Response:
    served = await profiles.get(
        spec, negotiate(request, format), resolve_latest=resolve == "latest"
    )
    ident = served.identity
    headers = profile_headers(
        ident.namespace,
        ident.name,
        served,
        served.format,
        exact=served.exact,
        settings=settings,
        resolve=resolve,
        stale=served.stale,
    )
    if etag_matches(request, served.etag):
        return Response(status_code=304, headers=headers)
    signature = get_signer(request).signature_for(
        (served.identity.namespace, served.identity.name, served.version, served.format),
        served.body,
        served.etag.encode(),
    )
    headers[SIGNATURE_HEADER] = signature
    return Response(served.body, media_type=MEDIA[served.format], headers=headers)


@router.post(
    "",
    operation_id="get_profiles_batch",
    summary="Resolve many refs in one request; each result is a profile or its problem, in order",
    response_class=Response,
    responses={
        200: {"model": BatchResponse, "description": "One result per ref, in order"},
        **problem_responses(*READ_ERRORS, 422),
    },
)
async def get_profiles_batch(
    request_body: BatchRequest,
    profiles: ProfilesDep,
    scope: ReadScopeDep,
    request: Request,
    session: SessionDep,
) -> Response:
    # Each stored profile is spliced in as its bytes: no parse and re-serialise per ref.
    parts: list[bytes] = []
    for ref in request_body.refs:
        try:
            served = await profiles.get(ref, "json", readable=scope.namespaces)
        except RegistryError as exc:
            if isinstance(exc, Forbidden) and scope.actor is not None:
                # Refused by the read scope: audited like a refused single read.
                identity = profiles.identity(ref)
                AuditRepository(session).add(
                    scope.actor,
                    "denied",
                    kind="agent",
                    namespace=identity.namespace,
                    name=identity.name,
                    details=refusal_details(request, "read", exc) | {"ref": ref[:500]},
                )
            result = {"ref": ref, "status": exc.status, "problem": exc.to_problem()}
            parts.append(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode())
            continue
        head = json.dumps(
            {"ref": ref, "status": 200, "version": served.version},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        parts.append(head[:-1] + b',"profile":' + served.body + b"}")
    return Response(b'{"results":[' + b",".join(parts) + b"]}", media_type="application/json")
