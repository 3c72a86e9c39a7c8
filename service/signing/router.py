"""`/.well-known/jwks.json`: the keys that verify profile signatures (served by profiles/signature.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.signing.signer import SignerDep

# Keys are added by rotation; verifiers that meet an unknown `kid` fetch the set again.
JWKS_CACHE = "public, max-age=300"

router = APIRouter()

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
