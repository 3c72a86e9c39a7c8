"""Provenance: every published version records who published it and how, in its detail and in
its profile (signed with the rest); a copy (mirror, import) keeps the source's."""

from __future__ import annotations

import httpx
import pytest

from service.audit.actor import Actor
from service.signing.jws import SignatureInvalid, verify_detached
from tests.helpers import MARKDOWN, agent_file, bearer, create_token


async def test_a_token_publish_records_the_token_in_the_detail_and_the_signed_profile(
    client: httpx.AsyncClient,
) -> None:
    ci = await create_token(client, ["default"], ["publish", "yank"], name="ci-main")
    response = await client.put(
        "/v1/agents/traced/versions/1.0.0",
        content=agent_file("traced", tools="Read"),
        headers={**MARKDOWN, **bearer(ci["token"])},
    )
    assert response.status_code == 201, response.text
    recorded = {"method": "token", "publisher": "ci-main", "tokenId": ci["id"]}
    assert response.json()["provenance"] == recorded
    assert response.json()["publisher"] == "ci-main"
    detail = (await client.get("/v1/agents/traced/versions/1.0.0")).json()
    assert detail["provenance"]["tokenId"] == ci["id"]

    served = await client.get("/v1/profiles/traced@1.0.0")
    assert served.json()["provenance"] == recorded
    # The signature covers the provenance: changing who published it breaks it.
    jwks = (await client.get("/.well-known/jwks.json")).json()
    signature = served.headers["Registry-Signature"]
    assert verify_detached(signature, served.content, jwks)
    forged = served.content.replace(b'"publisher":"ci-main"', b'"publisher":"someone"')
    assert forged != served.content
    with pytest.raises(SignatureInvalid):
        verify_detached(signature, forged, jwks)

    # The batch endpoint and a re-resolution (`resolve=latest`) carry it too.
    batch = await client.post("/v1/profiles", json={"refs": ["traced@1.0.0"]})
    assert batch.json()["results"][0]["profile"]["provenance"] == recorded
    latest = await client.get("/v1/profiles/traced@1.0.0", params={"resolve": "latest"})
    assert latest.json()["provenance"] == recorded
    # A yank re-renders the stored profile: the provenance stays.
    yank = await client.post(
        "/v1/agents/traced/versions/1.0.0/yank",
        json={"reason": "superseded"},
        headers=bearer(ci["token"]),
    )
    assert yank.status_code == 200, yank.text
    again = (await client.get("/v1/profiles/traced@1.0.0")).json()
    assert again["yanked"] is True and again["provenance"] == recorded


async def test_skills_and_the_bootstrap_token_record_provenance_too(
    client: httpx.AsyncClient,
) -> None:
    response = await client.put(
        "/v1/skills/helper/versions/1.0.0",
        content=b"---\nname: helper\ndescription: Helps.\n---\n\n# helper\n",
        headers=MARKDOWN,
    )
    assert response.status_code == 201, response.text
    # The bootstrap token is no stored token: no id, and nothing shown as null.
    assert response.json()["provenance"] == {"method": "bootstrap", "publisher": "bootstrap"}
    agent = await client.put(
        "/v1/agents/plain/versions/1.0.0",
        content=agent_file("plain", skills="[helper]"),
        headers=MARKDOWN,
    )
    assert agent.status_code == 201, agent.text
    profile = (await client.get("/v1/profiles/plain@1.0.0")).json()
    assert profile["provenance"] == {"method": "bootstrap", "publisher": "bootstrap"}
    # The Markdown agent file stays a plain Claude Code agent: no provenance in it.
    markdown = await client.get("/v1/profiles/plain@1.0.0", params={"format": "markdown"})
    assert "provenance" not in markdown.text and "bootstrap" not in markdown.text


async def test_the_catalogue_version_page_shows_the_provenance(client: httpx.AsyncClient) -> None:
    ci = await create_token(client, ["default"], ["publish"], name="release-bot")
    response = await client.put(
        "/v1/agents/shown/versions/1.0.0",
        content=agent_file("shown"),
        headers={**MARKDOWN, **bearer(ci["token"])},
    )
    assert response.status_code == 201, response.text
    page = await client.get("/ui/agents/default/shown@1.0.0")
    assert page.status_code == 200
    assert 'API token <span class="mono">release-bot</span>' in page.text


def test_oidc_provenance_keeps_the_ci_claims_of_github_and_gitlab() -> None:
    github = {
        "iss": "https://token.actions.githubusercontent.com",
        "sub": "repo:acme/agents:ref:refs/heads/main",
        "repository": "acme/agents",
        "workflow_ref": "acme/agents/.github/workflows/publish.yml@refs/heads/main",
        "workflow": "publish",
        "ref": "refs/heads/main",
        "sha": "4f1c2e0",
        "run_id": "42",
    }
    actor = Actor("repo:acme/agents:ref:refs/heads/main", "oidc", "t-1", github)
    assert actor.provenance() == {
        "method": "oidc",
        "publisher": "repo:acme/agents:ref:refs/heads/main",
        "tokenId": "t-1",
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:acme/agents:ref:refs/heads/main",
        "repository": "acme/agents",
        "workflow": "acme/agents/.github/workflows/publish.yml@refs/heads/main",
        "ref": "refs/heads/main",
        "commit": "4f1c2e0",
        "claims": {
            "ref": "refs/heads/main",
            "repository": "acme/agents",
            "run_id": "42",
            "sha": "4f1c2e0",
            "workflow": "publish",
            "workflow_ref": "acme/agents/.github/workflows/publish.yml@refs/heads/main",
        },
    }
    gitlab = {
        "iss": "https://gitlab.example",
        "sub": "project_path:acme/agents:ref_type:branch:ref:main",
        "project_path": "acme/agents",
        "ci_config_ref_uri": "gitlab.example/acme/agents//.gitlab-ci.yml@refs/heads/main",
        "ref": "main",
        "sha": "9a",
    }
    record = Actor("x", "oidc", "t-2", gitlab).provenance()
    assert record is not None
    assert (record["repository"], record["workflow"], record["commit"]) == (
        "acme/agents",
        "gitlab.example/acme/agents//.gitlab-ci.yml@refs/heads/main",
        "9a",
    )
    # What a token does not say is left out, not invented.
    bare = Actor("y", "oidc", "t-3", {"iss": "https://ci.example", "sub": "y"}).provenance()
    assert bare == {
        "method": "oidc",
        "publisher": "y",
        "tokenId": "t-3",
        "issuer": "https://ci.example",
        "subject": "y",
        "claims": {},
    }
    assert Actor("ci", "token", "t-4").provenance() == {
        "method": "token",
        "publisher": "ci",
        "tokenId": "t-4",
    }
    assert Actor.system("seed").provenance() == {"method": "system", "publisher": "seed"}
    assert Actor.anonymous(None, None).provenance() is None
