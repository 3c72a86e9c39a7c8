"""Writes answer from the row their own statement returned (`RETURNING`): revoking a token,
creating a namespace, setting a policy, deleting a trust policy and a version's lifecycle
changes (yank, deprecate and their undoing) read nothing back."""

from __future__ import annotations

import re
from collections.abc import Awaitable

import httpx
from fastapi import FastAPI

from tests.api.test_unit_of_work import statements
from tests.helpers import agent_file, create_token, put, skill_file

POLICY = {
    "issuer": "https://token.actions.githubusercontent.com",
    "audience": "agent-registry",
    "claims": {"repository": "acme/agents"},
    "namespaces": ["default"],
    "permissions": ["publish"],
}


async def _sending(
    app: FastAPI, request: Awaitable[httpx.Response]
) -> tuple[httpx.Response, list[str]]:
    """The response to `request` and every statement the app sent to answer it."""
    with statements(app.state.engine) as sent:
        response = await request
    return response, sent


def _on(sent: list[str], table: str) -> list[str]:
    """The statements that touch `table`; the audit record and COMMIT are not among them."""
    return [sql for sql in sent if re.search(rf"\b{table}\b", sql) and "audit_log" not in sql]


def _only_returning(sent: list[str], table: str, verb: str) -> None:
    touching = _on(sent, table)
    assert len(touching) == 1, "\n".join(sent)
    assert touching[0].startswith(verb), touching
    assert sent[-1] == "COMMIT", sent


async def test_revoking_a_token_is_one_update_returning_the_revoked_row(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    token = await create_token(client, ["default"], ["publish"], name="victim")
    response, sent = await _sending(app, client.delete(f"/v1/tokens/{token['id']}"))
    assert response.status_code == 204, response.text
    _only_returning(sent, "api_tokens", "UPDATE api_tokens")
    listed = {t["id"]: t for t in (await client.get("/v1/tokens")).json()["items"]}
    assert listed[token["id"]]["revokedAt"] is not None
    # Again: already revoked, so nothing is written or audited; unknown ids are 404 as before.
    assert (await client.delete(f"/v1/tokens/{token['id']}")).status_code == 204
    for unknown in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        missing = await client.delete(f"/v1/tokens/{unknown}")
        assert missing.status_code == 404, missing.text
        assert missing.json()["code"] == "not_found"
    audit = (await client.get("/v1/audit")).json()["items"]
    assert [e["action"] for e in audit].count("token.revoke") == 1


async def test_creating_a_namespace_is_one_insert_returning_the_new_row(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response, sent = await _sending(app, client.post("/v1/namespaces", json={"name": "team-c"}))
    assert response.status_code == 201, response.text
    _only_returning(sent, "namespaces", "INSERT INTO namespaces")
    assert not [sql for sql in sent if "artifacts" in sql], sent  # no count of its artifacts
    created = response.json()
    listed = (await client.get("/v1/namespaces")).json()["items"]
    assert [n for n in listed if n["name"] == "team-c"] == [created]
    assert created["artifacts"] == 0 and created["createdAt"]
    again = await client.post("/v1/namespaces", json={"name": "team-c"})
    assert again.status_code == 409, again.text


async def test_setting_a_namespace_policy_is_one_upsert_returning_the_policy(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response, sent = await _sending(
        app, client.put("/v1/namespaces/default/policy", json={"compatibility": "enforce"})
    )
    assert response.status_code == 200, response.text
    _only_returning(sent, "namespace_policies", "INSERT INTO namespace_policies")
    expected = {"namespace": "default", "compatibility": "enforce", "source": "namespace"}
    assert response.json() == expected
    assert (await client.get("/v1/namespaces/default/policy")).json() == expected


async def test_setting_an_artifacts_policy_is_one_update_returning_both_policies(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await put(client, "skill", "helper", "1.0.0", skill_file("helper"))).status_code == 201
    await client.put("/v1/namespaces/default/policy", json={"compatibility": "none"})
    path = "/v1/skills/helper/policy"
    response, sent = await _sending(app, client.put(path, json={"compatibility": "enforce"}))
    assert response.status_code == 200, response.text
    _only_returning(sent, "artifacts", "UPDATE artifacts")
    assert not [sql for sql in sent if sql.startswith("SELECT")], sent
    own = {
        "kind": "skill",
        "namespace": "default",
        "name": "helper",
        "compatibility": "enforce",
        "source": "artifact",
        "override": "enforce",
    }
    assert response.json() == own
    assert (await client.get(path)).json() == own
    cleared, sent = await _sending(app, client.delete(path))
    _only_returning(sent, "artifacts", "UPDATE artifacts")
    inherited = {**own, "compatibility": "none", "source": "namespace", "override": None}
    assert cleared.json() == inherited
    assert (await client.get(path)).json() == inherited
    missing = await client.put("/v1/skills/nobody/policy", json={"compatibility": "warn"})
    assert missing.status_code == 404, missing.text


async def test_deleting_a_trust_policy_is_one_delete_returning_the_row(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = await client.post("/v1/trust-policies", json=POLICY)
    assert created.status_code == 201, created.text
    response, sent = await _sending(
        app, client.delete(f"/v1/trust-policies/{created.json()['id']}")
    )
    assert response.status_code == 204, response.text
    _only_returning(sent, "trust_policies", "DELETE FROM trust_policies")
    assert (await client.get("/v1/trust-policies")).json()["items"] == []
    audit = (await client.get("/v1/audit")).json()["items"]
    deleted = next(e for e in audit if e["action"] == "trust_policy.delete")
    assert deleted["details"]["issuer"] == POLICY["issuer"]
    again = await client.delete(f"/v1/trust-policies/{created.json()['id']}")
    assert again.status_code == 404, again.text


async def test_lifecycle_changes_answer_from_the_update_not_a_read_after_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file("tester"))).status_code == 201
    path = "/v1/agents/tester/versions/1.0.0"
    changes = (
        ("POST", "/yank", {"reason": "broken"}),
        ("DELETE", "/yank", None),
        ("POST", "/deprecate", {"message": "use 2.x"}),
        ("DELETE", "/deprecate", None),
    )
    for method, suffix, body in changes:
        response, sent = await _sending(app, client.request(method, path + suffix, json=body))
        assert response.status_code == 200, response.text
        touching = _on(sent, "artifact_versions")
        # The row is read once, locked, then updated; the answer is the UPDATE's RETURNING.
        assert [sql.split()[0] for sql in touching] == ["SELECT", "UPDATE"], "\n".join(sent)
        assert response.json() == (await client.get(path)).json()
    assert response.json()["yanked"] is False and response.json()["deprecated"] is None
