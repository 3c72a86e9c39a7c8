"""`GET /v1/profiles/{name}@{ref}/signature`: the detached JWS of the profile served now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from service.auth.dependencies import READ_ERRORS, ReadAccess
from service.problems import problem_responses
from service.profiles.cache import Format
from service.profiles.router import ProfilesDep, negotiate
from service.signing.signer import JOSE, SignerDep

router = APIRouter()


@router.get(
    "/v1/profiles/{spec:path}/signature",
    operation_id="get_profile_signature",
    summary="The detached JWS of the profile `name@ref` returns now (the `Registry-Signature` header)",
    tags=["profiles"],
    response_class=Response,
    responses={
        200: {
            "description": "Compact JWS, payload part empty (RFC 7515 appendix F); EdDSA",
            "content": {JOSE: {"schema": {"type": "string"}}},
        },
        **problem_responses(*READ_ERRORS, 400, 404, 409, 422),
    },
    dependencies=[ReadAccess],
)
async def profile_signature(
    spec: str,
    request: Request,
    profiles: ProfilesDep,
    signer: SignerDep,
    format: Annotated[
        Format | None, Query(description="The format whose bytes are signed: json or markdown.")
    ] = None,
) -> Response:
    served = await profiles.get(spec, negotiate(request, format))
    signature = signer.signature_for(
        (served.identity.namespace, served.identity.name, served.version, served.format),
        served.body,
        served.etag.encode(),
    )
    ident = served.identity
    location = f"/v1/profiles/{ident.namespace}/{ident.name}@{served.version}"
    if served.format != "json":
        location += f"?format={served.format}"
    headers = {"Cache-Control": "no-cache", "Content-Location": location}
    return Response(signature, media_type=JOSE, headers=headers)
