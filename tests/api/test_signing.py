"""Every served profile is signed over its exact bytes; the JWKS and signature routes."""

from __future__ import annotations

import httpx
import pytest

from service.signing.jws import SignatureInvalid, verify_detached
from tests.helpers import publish_examples


async def test_profiles_carry_a_signature_of_their_exact_bytes_in_each_format(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    signatures = set()
    for output in ("json", "markdown"):
        response = await client.get("/v1/profiles/dev-python@1.0.0", params={"format": output})
        signature = response.headers["Registry-Signature"]
        assert verify_detached(signature, response.content, jwks) == jwks["keys"][-1]["kid"]
        with pytest.raises(SignatureInvalid):
            verify_detached(signature, response.content.replace(b"Bash", b"Bosh"), jwks)
        endpoint = await client.get(
            "/v1/profiles/dev-python@1.0.0/signature", params={"format": output}
        )
        assert endpoint.status_code == 200
        assert endpoint.headers["content-type"] == "application/jose"
        assert endpoint.text == signature
        signatures.add(signature)
    assert len(signatures) == 2
    ranged = await client.get("/v1/profiles/dev-python@^1")
    assert verify_detached(ranged.headers["Registry-Signature"], ranged.content, jwks)
    by_range = await client.get("/v1/profiles/dev-python@^1/signature")
    assert by_range.headers["content-location"] == "/v1/profiles/default/dev-python@1.0.0"


async def test_a_yank_changes_the_bytes_and_the_signature_follows(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    before = await client.get("/v1/profiles/dev-python@1.0.0")
    await client.post("/v1/agents/dev-python/versions/1.0.0/yank", json={"reason": "test"})
    after = await client.get("/v1/profiles/dev-python@1.0.0")
    assert after.content != before.content
    assert verify_detached(after.headers["Registry-Signature"], after.content, jwks)
    with pytest.raises(SignatureInvalid):
        verify_detached(before.headers["Registry-Signature"], after.content, jwks)


async def test_jwks_serves_public_keys_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    [key] = response.json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert "d" not in key


async def test_signature_of_a_missing_profile_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/profiles/nobody@1.0.0/signature")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
