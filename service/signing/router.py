"""`/.well-known/jwks.json` and `/v1/profiles/{name}@{ref}/signature`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from service.auth.dependencies import READ_ERRORS, ReadAccess
from service.problems import problem_responses
from service.profiles.router import ProfilesDep, negotiate
from service.profiles.service import Format
from service.signing.signer import ProfileSigner, get_signer

JOSE = "application/jose"
# Keys are added by rotation; verifiers that meet an unknown `kid` fetch the set again.
JWKS_CACHE = "public, max-age=300"

router = APIRouter()
SignerDep = Annotated[ProfileSigner, Depends(get_signer)]

JWKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["keys"],
    "properties": {
        "keys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kty", "crv", "x", "kid", "alg", "use"],
                "properties": {
                    "kty": {"const": "OKP"},
                    "crv": {"const": "Ed25519"},
                    "x": {"type": "string"},
                    "kid": {"type": "string"},
                    "alg": {"const": "EdDSA"},
                    "use": {"const": "sig"},
                },
            },
        }
    },
}


@router.get(
    "/.well-known/jwks.json",
    operation_id="get_jwks",
    tags=["signing"],
    summary="The public keys that verify profile signatures (old keys stay after a rotation)",
    response_class=JSONResponse,
    responses={200: {"content": {"application/json": {"schema": JWKS_SCHEMA}}}},
)
async def jwks(signer: SignerDep) -> JSONResponse:
    return JSONResponse(signer.ring.jwks(), headers={"Cache-Control": JWKS_CACHE})


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
        (served.identity.namespace, served.identity.name, served.etag), served.body
    )
    ident = served.identity
    location = f"/v1/profiles/{ident.namespace}/{ident.name}@{served.version}"
    if served.format != "json":
        location += f"?format={served.format}"
    headers = {"Cache-Control": "no-cache", "Content-Location": location}
    return Response(signature, media_type=JOSE, headers=headers)
