"""The authorization matrix: every write endpoint × every kind of caller.

A refused write changes nothing (the artifact, the tokens and the namespaces read back the same)
and leaves one audit record saying why; an allowed one does its work.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from service.auth.tokens import generate_token
from tests.helpers import ADMIN, agent_file, bearer, create_token, put, skill_file

NS = "team-a"
AGENT = f"{NS}/tester"
VERSION_PATH = f"/v1/agents/{AGENT}/versions/1.0.0"


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: str
    permission: str
    ok: int
    action: str | None  # what the audit log records for it (None: a read)
    body: bytes | None = None
    content_type: str | None = None
    json: Any = None


TOOLSET = {"name": "readonly", "description": "Look", "tools": ["Read"]}
POLICY = {
    "issuer": "https://token.actions.githubusercontent.com",
    "audience": "agent-registry",
    "claims": {"repository": "acme/agents"},
    "namespaces": [NS],
    "permissions": ["publish"],
}
OPS = [
    Op("publish agent", "PUT", f"/v1/agents/{AGENT}/versions/2.0.0", "publish", 201, "publish",
       agent_file("tester", model="haiku"), "text/markdown"),
    Op("publish skill", "PUT", f"/v1/skills/{NS}/helper/versions/2.0.0", "publish", 201, "publish",
       skill_file("helper"), "text/markdown"),
    Op("publish toolset", "PUT", f"/v1/toolsets/{NS}/readonly/versions/1.0.0", "publish", 201, "publish",
       json.dumps(TOOLSET).encode(), "application/json"),
    Op("yank", "POST", f"{VERSION_PATH}/yank", "yank", 200, "yank", json={"reason": "broken"}),
    Op("unyank", "DELETE", f"{VERSION_PATH}/yank", "yank", 200, "unyank"),
    Op("deprecate", "POST", f"{VERSION_PATH}/deprecate", "yank", 200, "deprecate", json={"message": "old"}),
    Op("undeprecate", "DELETE", f"{VERSION_PATH}/deprecate", "yank", 200, "undeprecate"),
    Op("move tag", "PUT", f"/v1/agents/{AGENT}/tags/stable", "tag", 200, "tag", json={"version": "1.0.0"}),
    Op("delete tag", "DELETE", f"/v1/agents/{AGENT}/tags/stable", "tag", 204, "untag"),
    Op("create token", "POST", "/v1/tokens", "admin", 201, "token.create",
       json={"name": "new", "namespaces": [NS], "permissions": ["publish"]}),
    Op("list tokens", "GET", "/v1/tokens", "admin", 200, None),
    Op("revoke token", "DELETE", "/v1/tokens/{victim}", "admin", 204, "token.revoke"),
    Op("create namespace", "POST", "/v1/namespaces", "admin", 201, "namespace.create", json={"name": "team-c"}),
    Op("create trust policy", "POST", "/v1/trust-policies", "admin", 201, "trust_policy.create", json=POLICY),
    Op("list trust policies", "GET", "/v1/trust-policies", "admin", 200, None),
    Op("delete trust policy", "DELETE", "/v1/trust-policies/{policy}", "admin", 204, "trust_policy.delete"),
    Op("read audit log", "GET", "/v1/audit", "admin", 200, None),
]  # fmt: skip
CALLERS = [
    "no token",
    "malformed",
    "wrong",
    "expired",
    "revoked",
    "other namespace",
    "missing permission",
    "right token",
    "admin",
]
ALL = ["publish", "tag", "yank", "admin"]


async def _world(client: httpx.AsyncClient) -> dict[str, str]:
    """team-a/tester@1.0.0 tagged stable, a token to revoke and a trust policy to delete."""
    assert (await put(client, "agent", AGENT, "1.0.0", agent_file("tester"))).status_code == 201
    tagged = await client.put(f"/v1/agents/{AGENT}/tags/stable", json={"version": "1.0.0"})
    assert tagged.status_code == 200, tagged.text
    victim = await create_token(client, [NS], ["publish"], name="victim")
    policy = await client.post("/v1/trust-policies", json=POLICY)
    assert policy.status_code == 201, policy.text
    return {"victim": victim["id"], "policy": policy.json()["id"]}


async def _caller_headers(
    caller: str, op: Op, client: httpx.AsyncClient, database_url: str
) -> dict[str, str]:
    admin_op = op.permission == "admin"
    scope = ["*"] if admin_op else [NS]
    if caller == "no token":
        return {}
    if caller == "malformed":
        return {"Authorization": "Bearer areg_" + "x" * 47}
    if caller == "wrong":
        return bearer(generate_token())
    if caller == "admin":
        return ADMIN
    if caller == "other namespace":
        created = await create_token(client, ["team-b"], ALL, name="other")
    elif caller == "missing permission":
        others = [p for p in ["publish", "tag", "yank"] if p != op.permission]
        created = await create_token(client, scope, [*others, "read"], name="partial")
    else:
        created = await create_token(client, scope, [op.permission], name=caller)
    if caller == "expired":
        connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            await connection.execute(
                "UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1",
                created["id"],
            )
        finally:
            await connection.close()
    if caller == "revoked":
        revoked = await client.delete(f"/v1/tokens/{created['id']}")
        assert revoked.status_code == 204
    return bearer(created["token"])


async def _snapshot(client: httpx.AsyncClient) -> list[Any]:
    reads: list[Awaitable[httpx.Response]] = [
        client.get(f"/v1/agents/{AGENT}"),
        client.get(f"/v1/agents/{AGENT}/versions/1.0.0"),
        client.get(f"/v1/skills/{NS}/helper"),
        client.get("/v1/tokens"),
        client.get("/v1/namespaces"),
        client.get("/v1/trust-policies"),
    ]
    return [(await read).json() for read in reads]


async def _audit(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/v1/audit")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


EXPECTED = {
    "no token": (401, "needs a token"),
    "malformed": (401, "malformed"),
    "wrong": (401, "not known"),
    "expired": (401, "expired"),
    "revoked": (401, "revoked"),
    "other namespace": (403, "scoped to [team-b]"),
    "missing permission": (403, "not "),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
async def test_write_endpoint_answers_each_caller(
    client: httpx.AsyncClient, database_url: str, op: Op, caller: str
) -> None:
    ids = await _world(client)
    headers = dict(await _caller_headers(caller, op, client, database_url))
    if op.content_type:
        headers["Content-Type"] = op.content_type
    before = await _snapshot(client)
    audit_before = len(await _audit(client))
    async with httpx.AsyncClient(
        transport=client._transport, base_url=str(client.base_url)
    ) as anonymous:
        response = await anonymous.request(
            op.method,
            op.path.format(**ids),
            content=op.body,
            json=op.json,
            headers=headers,
        )
    after = await _audit(client)
    records = after[: len(after) - audit_before]  # newest first
    if caller in EXPECTED:
        status, words = EXPECTED[caller]
        if op.permission == "admin" and status == 403:
            words = "not an admin over every namespace"
        assert response.status_code == status, response.text
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in problem["detail"], problem
        if status == 401:
            challenge = response.headers["www-authenticate"]
            assert challenge.startswith("Bearer ")
            assert ('error="invalid_token"' in challenge) == (caller != "no token")
        assert await _snapshot(client) == before
        assert [r["action"] for r in records] == ["unauthenticated" if status == 401 else "denied"]
        assert records[0]["details"]["permission"] == op.permission
        assert records[0]["clientAddress"] == "127.0.0.1"
        return
    assert response.status_code == op.ok, response.text
    assert [r["action"] for r in records] == ([op.action] if op.action else [])
    for record in records:
        assert record["actor"] == ("bootstrap" if caller == "admin" else "right token")
        assert record["actorKind"] == ("bootstrap" if caller == "admin" else "token")
        assert record["requestId"] == response.headers["x-request-id"]
