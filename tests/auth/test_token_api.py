"""Tokens, namespaces, anonymous reads, the failed-login limit, and secrets that never leak."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from service.app import create_app
from service.settings import Settings
from tests.helpers import ADMIN_TOKEN, agent_file, bearer, create_token, put


async def test_created_token_is_shown_once_and_listed_without_its_secret(
    client: httpx.AsyncClient,
) -> None:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    created = await create_token(
        client, ["team-a", "team-a"], ["publish", "tag"], expires_at=expires
    )
    assert created["token"].startswith("areg_") and created["hint"] == created["token"][:9]
    assert created["namespaces"] == ["team-a"] and created["permissions"] == ["publish", "tag"]
    assert created["source"] == "api" and created["createdBy"] == "bootstrap"
    listed = await client.get("/v1/tokens")
    assert [t["id"] for t in listed.json()["items"]] == [created["id"]]
    assert "token" not in listed.json()["items"][0]
    assert created["token"] not in listed.text


async def test_revoked_token_stops_working_at_once(client: httpx.AsyncClient) -> None:
    created = await create_token(client, ["team-a"], ["publish"])
    headers = {**bearer(created["token"]), "Content-Type": "text/markdown"}
    first = await client.put(
        "/v1/agents/team-a/a/versions/1.0.0", content=agent_file("a"), headers=headers
    )
    assert first.status_code == 201, first.text
    assert (await client.delete(f"/v1/tokens/{created['id']}")).status_code == 204
    second = await client.put(
        "/v1/agents/team-a/b/versions/1.0.0", content=agent_file("b"), headers=headers
    )
    assert second.status_code == 401 and "revoked" in second.json()["detail"]
    listed = (await client.get("/v1/tokens")).json()["items"]
    assert listed[0]["revokedAt"] is not None
    missing = await client.delete("/v1/tokens/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert (await client.delete("/v1/tokens/not-a-uuid")).status_code == 404


async def test_bad_token_requests_list_every_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/tokens",
        json={
            "name": "",
            "namespaces": ["Team A"],
            "permissions": ["sudo"],
            "expiresAt": "2001-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 422
    where = sorted(e["loc"] for e in response.json()["errors"])
    assert where == ["body.expiresAt", "body.name", "body.namespaces.0", "body.permissions.0"]


async def test_namespace_exists_once_an_admin_creates_it_or_a_named_token_publishes(
    client: httpx.AsyncClient,
) -> None:
    everywhere = await create_token(client, ["*"], ["publish"], name="ci-everywhere")
    named = await create_token(client, ["team-x"], ["publish"], name="ci-team-x")
    refused = await put_as(client, everywhere["token"], "team-x/helper")
    assert refused.status_code == 404 and refused.json()["code"] == "namespace_not_found"
    assert "registry namespace create team-x" in refused.json()["detail"]
    assert (await put_as(client, named["token"], "team-x/helper")).status_code == 201
    assert (await put_as(client, everywhere["token"], "team-x/other")).status_code == 201
    # The default namespace always exists.
    assert (await put_as(client, everywhere["token"], "plain")).status_code == 201
    created = await client.post("/v1/namespaces", json={"name": "team-y"})
    assert created.status_code == 201 and created.json()["createdBy"] == "bootstrap"
    assert (await client.post("/v1/namespaces", json={"name": "team-y"})).status_code == 409
    assert (await put_as(client, everywhere["token"], "team-y/helper")).status_code == 201
    spaces = {
        n["name"]: n["artifacts"] for n in (await client.get("/v1/namespaces")).json()["items"]
    }
    assert spaces == {"default": 1, "team-x": 2, "team-y": 1}


async def put_as(client: httpx.AsyncClient, token: str, name: str) -> httpx.Response:
    return await client.put(
        f"/v1/agents/{name}/versions/1.0.0",
        content=agent_file(name.rsplit("/", 1)[-1]),
        headers={**bearer(token), "Content-Type": "text/markdown"},
    )


@pytest_asyncio.fixture(loop_scope="session")
async def app_with(settings: Settings, clean_db: None) -> AsyncIterator[dict[str, FastAPI]]:
    """Apps over the same database with other auth settings."""
    apps = {
        "closed": create_app(settings.model_copy(update={"anonymous_read": False})),
        "strict": create_app(settings.model_copy(update={"auth_failures_per_minute": 3})),
    }
    async with (
        apps["closed"].router.lifespan_context(apps["closed"]),
        apps["strict"].router.lifespan_context(apps["strict"]),
    ):
        yield apps


def _http(app: FastAPI, address: str = "127.0.0.1", token: str | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    headers = bearer(token) if token else {}
    return httpx.AsyncClient(transport=transport, base_url="http://registry.test", headers=headers)


async def test_reads_are_anonymous_by_default_and_need_a_token_when_closed(
    client: httpx.AsyncClient, app_with: dict[str, FastAPI]
) -> None:
    assert (
        await put(client, "agent", "team-a/reader", "1.0.0", agent_file("reader"))
    ).status_code == 201
    reader = await create_token(client, ["team-a"], ["read"], name="reader")
    publisher_b = await create_token(client, ["team-b"], ["publish"], name="team-b")
    paths = [
        "/v1/agents/team-a/reader",
        "/v1/agents/team-a/reader/versions/1.0.0",
        "/v1/agents/team-a/reader/versions/1.0.0/raw",
        "/v1/profiles/team-a/reader@1.0.0",
    ]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client._transport.app), base_url="http://t"
    ) as anonymous:  # type: ignore[attr-defined]
        for path in paths:
            assert (await anonymous.get(path)).status_code == 200, path
    closed = app_with["closed"]
    async with (
        _http(closed) as anonymous,
        _http(closed, token=reader["token"]) as allowed,
        _http(closed, token=publisher_b["token"]) as elsewhere,
    ):
        for path in paths:
            refused = await anonymous.get(path)
            assert refused.status_code == 401, path
            assert "anonymous reads" in refused.json()["detail"]
            assert refused.headers["www-authenticate"] == 'Bearer realm="agent-registry"'
            assert (await allowed.get(path)).status_code == 200, path
            other = await elsewhere.get(path)
            assert other.status_code == 403 and "not to namespace team-a" in other.json()["detail"]
        assert (await anonymous.get("/v1/agents")).status_code == 401
        listed = await allowed.get("/v1/agents")
        assert [a["name"] for a in listed.json()["items"]] == ["reader"]
        assert (await anonymous.get("/healthz")).status_code == 200


async def test_failed_authentications_are_limited_per_client_address(
    client: httpx.AsyncClient, app_with: dict[str, FastAPI]
) -> None:
    strict = app_with["strict"]
    strict.state.failed_logins.reset()
    async with (
        _http(strict, "10.1.1.1", token="areg_wrong-but-long-enough") as guesser,
        _http(strict, "10.1.1.2", token=ADMIN_TOKEN) as admin,
    ):
        for _ in range(3):
            assert (await guesser.get("/v1/tokens")).status_code == 401
        blocked = await guesser.get("/v1/tokens")
        assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_failed_logins"
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        assert (await admin.get("/v1/tokens")).status_code == 200


async def test_no_secret_in_clear_text_in_database_logs_or_responses(
    client: httpx.AsyncClient, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [ADMIN_TOKEN]
    answers: list[str] = []
    for index, permissions in enumerate((["publish"], ["admin"], ["tag", "yank"])):
        created = await create_token(client, ["team-a"], permissions, name=f"t{index}")
        secrets.append(created["token"])
        response = await client.put(
            f"/v1/agents/team-a/s{index}/versions/1.0.0",
            content=agent_file(f"s{index}"),
            headers={**bearer(created["token"]), "Content-Type": "text/markdown"},
        )
        answers.append(response.text)
    revoked = await client.delete(
        f"/v1/tokens/{(await client.get('/v1/tokens')).json()['items'][0]['id']}"
    )
    answers.append(revoked.text)
    refused = await client.get("/v1/tokens", headers=bearer(secrets[1]))
    answers += [
        refused.text,
        (await client.get("/v1/tokens")).text,
        (await client.get("/v1/audit")).text,
    ]
    dump = subprocess.run(  # noqa: ASYNC221 -- a test; nothing else runs meanwhile
        ["pg_dump", "--data-only", database_url.replace("+asyncpg", "")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "api_tokens" in dump and "audit_log" in dump
    logs = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    for secret in secrets:
        assert secret not in dump
        assert secret not in logs
        assert all(secret not in answer for answer in answers)
