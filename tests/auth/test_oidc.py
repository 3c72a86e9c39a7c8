"""Trusted publishing: a local OIDC issuer's ID tokens exchanged for short-lived registry tokens."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from service.app import create_app
from service.settings import Settings
from tests.auth.oidc_issuer import AUDIENCE, Issuer, local_issuer
from tests.helpers import ADMIN, agent_file, bearer


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with local_issuer() as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def oidc_app(settings: Settings, clean_db: None) -> AsyncIterator[FastAPI]:
    """The test app, but trusting plain-http issuers on loopback and refetching keys at once."""
    application = create_app(
        settings.model_copy(
            update={"oidc_allow_insecure_issuers": True, "oidc_jwks_refresh_cooldown": 0}
        )
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def http(oidc_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=oidc_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        yield client


async def _policy(http: httpx.AsyncClient, issuer: Issuer, **claims: str) -> dict[str, Any]:
    body = {
        "issuer": issuer.url,
        "audience": AUDIENCE,
        "claims": claims or {"repository": "acme/agents", "ref": "refs/heads/*"},
        "namespaces": ["acme"],
        "permissions": ["publish"],
    }
    response = await http.post("/v1/trust-policies", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _exchange(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/v1/auth/oidc", json={"token": token})


async def _publish(http: httpx.AsyncClient, token: str, name: str = "acme/tester") -> int:
    response = await http.put(
        f"/v1/agents/{name}/versions/1.0.0",
        content=agent_file(name.rsplit("/", 1)[-1]),
        headers={**bearer(token), "Content-Type": "text/markdown"},
    )
    return response.status_code


async def test_valid_id_token_is_exchanged_for_a_short_lived_scoped_token(
    http: httpx.AsyncClient, issuer: Issuer
) -> None:
    policy = await _policy(http, issuer)
    response = await _exchange(http, issuer.sign())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token"].startswith("areg_")
    lifetime = dt.datetime.fromisoformat(body["expiresAt"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=14) < lifetime <= dt.timedelta(minutes=15)
    assert await _publish(http, body["token"]) == 201
    assert await _publish(http, body["token"], "other/tester") == 403
    audit = (await http.get("/v1/audit?namespace=acme", headers=ADMIN)).json()["items"]
    publish = next(e for e in audit if e["action"] == "publish")
    assert publish["actor"] == "repo:acme/agents:ref:refs/heads/main"
    assert publish["actorKind"] == "oidc"
    assert publish["actorClaims"]["repository"] == "acme/agents"
    assert publish["actorClaims"]["sha"] == "0123456789abcdef0123456789abcdef01234567"
    exchange = (
        await http.get("/v1/audit?actor=repo:acme/agents:ref:refs/heads/main", headers=ADMIN)
    ).json()
    assert [e["action"] for e in exchange["items"]] == ["denied", "publish", "oidc.exchange"]
    assert exchange["items"][2]["details"]["trustPolicyId"] == policy["id"]
    tokens = (await http.get("/v1/tokens", headers=ADMIN)).json()["items"]
    assert [(t["source"], t["subject"]) for t in tokens] == [
        ("oidc", "repo:acme/agents:ref:refs/heads/main")
    ]
    # The version records the CI run that published it, and its profile carries it.
    provenance = {
        "method": "oidc",
        "publisher": "repo:acme/agents:ref:refs/heads/main",
        "tokenId": tokens[0]["id"],
        "issuer": issuer.url,
        "subject": "repo:acme/agents:ref:refs/heads/main",
        "repository": "acme/agents",
        "workflow": "publish",
        "ref": "refs/heads/main",
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "claims": {
            "ref": "refs/heads/main",
            "repository": "acme/agents",
            "repository_owner": "acme",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "workflow": "publish",
        },
    }
    detail = (await http.get("/v1/agents/acme/tester/versions/1.0.0")).json()
    assert detail["provenance"] == provenance
    profile = (await http.get("/v1/profiles/acme/tester@1.0.0")).json()
    assert profile["provenance"] == provenance


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("wrong audience", 401, "audience 'someone-else'"),
        ("expired", 401, "expired"),
        ("not yet valid", 401, "not valid yet"),
        ("wrong issuer", 401, "no trust policy names the issuer"),
        ("unknown key id", 401, "publishes no key 'key-9'"),
        ("claim mismatch", 403, "ref is 'refs/tags/v1', not 'refs/heads/*'"),
        ("alg none", 401, "algorithm 'none' is refused"),
        ("HS256 with the public key", 401, "algorithm 'HS256' is refused"),
        ("bad signature", 401, "signature does not verify"),
        ("not a jwt", 401, "not a JWT"),
    ],
)
async def test_untrusted_id_tokens_are_refused_and_audited(
    http: httpx.AsyncClient, issuer: Issuer, case: str, status: int, words: str
) -> None:
    await _policy(http, issuer)
    now = int(time.time())
    issuer.add_key("key-9")
    token = {
        "wrong audience": lambda: issuer.sign(aud="someone-else"),
        "expired": lambda: issuer.sign(iat=now - 3600, nbf=now - 3600, exp=now - 1800),
        "not yet valid": lambda: issuer.sign(nbf=now + 1800),
        "wrong issuer": lambda: issuer.sign(iss="https://evil.example"),
        "unknown key id": lambda: issuer.sign(kid="key-9"),
        "claim mismatch": lambda: issuer.sign(ref="refs/tags/v1"),
        "alg none": issuer.unsigned,
        "HS256 with the public key": issuer.hmac_with_public_key,
        "bad signature": lambda: issuer.sign()[:-8] + "AAAAAAAA",
        "not a jwt": lambda: "not-a-jwt",
    }[case]()
    response = await _exchange(http, token)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"], response.json()
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    audit = (await http.get("/v1/audit", headers=ADMIN)).json()["items"]
    assert audit[0]["action"] == ("unauthenticated" if status == 401 else "denied")
    assert words in audit[0]["details"]["reason"]
    assert (await http.get("/v1/tokens", headers=ADMIN)).json()["items"] == []


@pytest.mark.parametrize(
    ("route", "served", "words"),
    [
        ("/.well-known/openid-configuration", b"[]", "is not for that issuer"),
        ("/jwks", b"not json", "cannot be used (JSONDecodeError)"),
        ("/jwks", b'{"keys": []}', "cannot be used (PyJWKSetError)"),
        ("/jwks", b'{"keys": [{"kty": "nope", "kid": "key-1"}]}', "cannot be used (PyJWKSetError)"),
        (
            "/jwks",
            b'{"keys": [{"kty": "RSA", "kid": "key-1", "n": "AA", "e": "AQAB", "use": "sig"}]}',
            "cannot be used (PyJWKSetError)",
        ),
    ],
)
async def test_a_broken_issuer_is_a_401_naming_it_never_a_500(
    http: httpx.AsyncClient, issuer: Issuer, route: str, served: bytes, words: str
) -> None:
    """A trusted issuer whose discovery document is not an object, or whose key set is not JSON
    or holds no usable key, raised out of the exchange (a 500 with a logged traceback)."""
    await _policy(http, issuer)
    issuer.broken[route] = served
    response = await _exchange(http, issuer.sign())
    assert response.status_code == 401, response.text
    problem = response.json()
    assert problem["code"] == "unauthenticated" and words in problem["detail"], problem
    assert issuer.url in problem["detail"]
    audit = (await http.get("/v1/audit", headers=ADMIN)).json()["items"]
    assert audit[0]["action"] == "unauthenticated" and words in audit[0]["details"]["reason"]
    assert (await http.get("/v1/tokens", headers=ADMIN)).json()["items"] == []


async def test_rotated_key_is_fetched_again_and_trusted(
    http: httpx.AsyncClient, issuer: Issuer
) -> None:
    await _policy(http, issuer)
    assert (await _exchange(http, issuer.sign())).status_code == 200
    again = await _exchange(http, issuer.sign())
    assert again.status_code == 200 and issuer.jwks_fetches == 1  # cached
    issuer.add_key("key-2", "ec")
    issuer.published = ["key-2"]  # rotation: the old key is withdrawn
    rotated = await _exchange(http, issuer.sign("key-2"))
    assert rotated.status_code == 200, rotated.text
    assert issuer.jwks_fetches == 2
    old = await _exchange(http, issuer.sign("key-1"))
    assert old.status_code == 401 and "publishes no key 'key-1'" in old.json()["detail"]


async def test_trust_policies_are_listed_deleted_and_need_https_issuers(
    http: httpx.AsyncClient, client: httpx.AsyncClient, issuer: Issuer
) -> None:
    policy = await _policy(http, issuer, repository="acme/*", workflow="publish")
    listed = (await http.get("/v1/trust-policies", headers=ADMIN)).json()["items"]
    assert [p["id"] for p in listed] == [policy["id"]]
    assert listed[0]["claims"] == {"repository": "acme/*", "workflow": "publish"}
    assert (
        await http.delete(f"/v1/trust-policies/{policy['id']}", headers=ADMIN)
    ).status_code == 204
    assert (await _exchange(http, issuer.sign())).status_code == 401
    assert (
        await http.delete(f"/v1/trust-policies/{policy['id']}", headers=ADMIN)
    ).status_code == 404
    # The default app trusts no plain-http issuer, even on loopback; every policy needs a claim.
    body = {
        "issuer": issuer.url,
        "audience": AUDIENCE,
        "claims": {},
        "namespaces": ["acme"],
        "permissions": ["admin"],
    }
    refused = await client.post("/v1/trust-policies", json=body)
    assert refused.status_code == 422
    assert sorted(e["loc"] for e in refused.json()["errors"]) == [
        "body.claims",
        "body.permissions.0",
    ]
    body |= {"claims": {"repository": "acme/agents"}, "permissions": ["publish"]}
    insecure = await client.post("/v1/trust-policies", json=body)
    assert insecure.status_code == 422
    assert "REGISTRY_OIDC_ALLOW_INSECURE_ISSUERS" in insecure.json()["errors"][0]["message"]
