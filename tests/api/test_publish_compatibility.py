"""Compatibility policy on publish: every rule, warn/enforce/none, overrides, validate, routes."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import agent_file, bearer, create_token, put, skill_file

BASE = {"tools": "Read, Bash(git diff:*)", "maxTurns": "20", "model": "sonnet"}


async def _publish(
    client: httpx.AsyncClient, version: str, kind: str = "agent", **fields: str
) -> httpx.Response:
    body = agent_file("promise", **fields) if kind == "agent" else skill_file("promise", **fields)
    return await put(client, kind, "promise", version, body)


async def _policy(client: httpx.AsyncClient, path: str, value: str) -> httpx.Response:
    return await client.put(f"/v1/{path}/policy", json={"compatibility": value})


def _codes(items: list[dict[str, str]]) -> list[str]:
    return [item["code"] for item in items if item["code"].startswith("compat_")]


@pytest.mark.parametrize(
    ("change", "version", "code", "loc"),
    [
        ({"tools": "Read"}, "1.1.0", "compat_grant_removed", "frontmatter.tools"),
        (
            {"tools": "Read, Bash(git diff --stat)"},
            "1.1.0",
            "compat_grant_narrowed",
            "frontmatter.tools",
        ),
        ({"maxTurns": "10"}, "1.1.0", "compat_max_turns_lowered", "frontmatter.maxTurns"),
        ({"model": "haiku"}, "1.1.0", "compat_model_downgraded", "frontmatter.model"),
        ({"team": None}, "1.1.0", "compat_field_removed", "frontmatter.team"),
        (
            {"tools": "Read, Bash(git diff:*), Grep"},
            "1.0.1",
            "compat_grant_added",
            "frontmatter.tools",
        ),
        ({"tools": "Read, Bash"}, "1.0.1", "compat_grant_widened", "frontmatter.tools"),
        (
            {"permissionMode": "bypassPermissions"},
            "1.0.1",
            "compat_permission_mode_loosened",
            "frontmatter.permissionMode",
        ),
        (
            {"mcpServers": "{github: {command: gh}}"},
            "1.0.1",
            "compat_mcp_server_added",
            "frontmatter.mcpServers.github",
        ),
    ],
)
async def test_each_rule_is_a_warning_by_default_naming_the_right_version(
    client: httpx.AsyncClient, change: dict[str, str | None], version: str, code: str, loc: str
) -> None:
    assert (await _publish(client, "1.0.0", **BASE, team="platform")).status_code == 201
    fields = {**BASE, "team": "platform", **change}
    response = await _publish(client, version, **{k: v for k, v in fields.items() if v})
    assert response.status_code == 201, response.text
    findings = [w for w in response.json()["warnings"] if w["code"].startswith("compat_")]
    assert [(f["code"], f["loc"], f["severity"]) for f in findings] == [(code, loc, "warning")]
    expected = "publish as 2.0.0" if version == "1.1.0" else "publish as 1.1.0"
    assert expected in findings[0]["message"] and "1.0.0" in findings[0]["message"]


async def test_widening_in_a_minor_release_and_anything_in_a_major_pass_silently(
    client: httpx.AsyncClient,
) -> None:
    assert (await _publish(client, "1.0.0", **BASE)).status_code == 201
    wider = await _publish(client, "1.1.0", **{**BASE, "tools": "Read, Bash, WebFetch"})
    assert _codes(wider.json()["warnings"]) == []
    major = await _publish(client, "2.0.0", tools="Grep", maxTurns="1", model="haiku")
    assert major.status_code == 201 and _codes(major.json()["warnings"]) == []


async def test_enforce_refuses_with_every_finding_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    assert (await _publish(client, "1.0.0", **BASE)).status_code == 201
    set_policy = await _policy(client, "namespaces/default", "enforce")
    assert set_policy.json() == {
        "namespace": "default",
        "compatibility": "enforce",
        "source": "namespace",
    }
    response = await _publish(client, "1.1.0", tools="Read", maxTurns="5", model="haiku")
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert sorted(_codes(problem["errors"])) == [
        "compat_grant_removed",
        "compat_max_turns_lowered",
        "compat_model_downgraded",
    ]
    assert all(e["severity"] == "error" for e in problem["errors"])
    assert (await client.get("/v1/agents/promise/versions/1.1.0")).status_code == 404
    # The same change as a major release is what the findings asked for.
    assert (await _publish(client, "2.0.0", tools="Read", maxTurns="5")).status_code == 201


async def test_artifact_override_wins_over_the_namespace_and_can_be_removed(
    client: httpx.AsyncClient,
) -> None:
    assert (await _publish(client, "1.0.0", **BASE)).status_code == 201
    await _policy(client, "namespaces/default", "enforce")
    override = await _policy(client, "agents/promise", "none")
    assert override.json() == {
        "kind": "agent",
        "namespace": "default",
        "name": "promise",
        "compatibility": "none",
        "source": "artifact",
        "override": "none",
    }
    quiet = await _publish(client, "1.1.0", **{**BASE, "tools": "Read"})
    assert quiet.status_code == 201 and _codes(quiet.json()["warnings"]) == []
    removed = await client.delete("/v1/agents/promise/policy")
    assert removed.json()["compatibility"] == "enforce"
    assert removed.json()["source"] == "namespace" and removed.json()["override"] is None
    assert (await _publish(client, "1.2.0", tools="Grep")).status_code == 422


async def test_a_patch_is_compared_with_the_highest_release_below_it_not_yanked(
    client: httpx.AsyncClient,
) -> None:
    assert (await _publish(client, "1.0.0", tools="Read")).status_code == 201
    assert (await _publish(client, "1.0.1", tools="Read, Grep")).status_code == 201
    await client.post("/v1/agents/promise/versions/1.0.1/yank", json={"reason": "bad"})
    assert (await _publish(client, "1.2.0", tools="Read, Grep, Bash")).status_code == 201
    # 1.0.2 is below 1.2.0 (no "Bash removed"); 1.0.1 is yanked, so its baseline is 1.0.0.
    response = await _publish(client, "1.0.2", tools="Read, Grep")
    findings = [w for w in response.json()["warnings"] if w["code"].startswith("compat_")]
    assert [(f["code"], "'Grep'" in f["message"]) for f in findings] == [
        ("compat_grant_added", True)
    ]
    assert "1.0.0" in findings[0]["message"] and "publish as 1.1.0" in findings[0]["message"]


async def test_preloaded_skill_removed_is_breaking(client: httpx.AsyncClient) -> None:
    for name in ("one", "two"):
        assert (await put(client, "skill", name, "1.0.0", skill_file(name))).status_code == 201
    assert (await _publish(client, "1.0.0", **BASE, skills="one, two")).status_code == 201
    response = await _publish(client, "1.0.1", **BASE, skills="two")
    [finding] = [w for w in response.json()["warnings"] if w["code"].startswith("compat_")]
    assert finding["code"] == "compat_skill_removed" and "the skill 'one'" in finding["message"]
    assert finding["loc"] == "frontmatter.skills"


async def test_skills_are_checked_on_their_allowed_tools(client: httpx.AsyncClient) -> None:
    assert (
        await _publish(client, "1.0.0", "skill", **{"allowed-tools": "Read Grep"})
    ).status_code == 201
    response = await _publish(client, "1.0.1", "skill", **{"allowed-tools": "Read"})
    [finding] = [w for w in response.json()["warnings"] if w["code"].startswith("compat_")]
    assert (finding["code"], finding["loc"]) == (
        "compat_grant_removed",
        "frontmatter.allowed-tools",
    )


async def test_validate_reports_findings_without_storing(client: httpx.AsyncClient) -> None:
    assert (await _publish(client, "1.0.0", **BASE)).status_code == 201
    body = agent_file("promise", **{**BASE, "tools": "Read"})
    response = await client.post(
        "/v1/validate",
        params={"kind": "agent", "name": "promise", "version": "1.0.1"},
        content=body,
        headers={"Content-Type": "text/markdown"},
    )
    report = response.json()
    assert report["valid"] is True and _codes(report["warnings"]) == ["compat_grant_removed"]
    await _policy(client, "agents/promise", "enforce")
    enforced = await client.post(
        "/v1/validate",
        params={"kind": "agent", "name": "promise", "version": "1.0.1"},
        content=body,
        headers={"Content-Type": "text/markdown"},
    )
    assert enforced.json()["valid"] is False
    assert _codes(enforced.json()["errors"]) == ["compat_grant_removed"]
    assert (await client.get("/v1/agents/promise/versions/1.0.1")).status_code == 404


async def test_policy_routes_defaults_errors_and_audit(
    client: httpx.AsyncClient, database_url: str
) -> None:
    default = await client.get("/v1/namespaces/acme/policy")
    assert default.json() == {"namespace": "acme", "compatibility": "warn", "source": "default"}
    bad = await _policy(client, "namespaces/acme", "strict")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/namespaces/Not_Valid/policy")).status_code == 404
    missing = await _policy(client, "agents/nobody", "enforce")
    assert (
        missing.status_code == 404 and "no agent named default/nobody" in missing.json()["detail"]
    )
    assert (await client.get("/v1/skills/nobody/policy")).status_code == 404
    assert (await _publish(client, "1.0.0", **BASE)).status_code == 201
    assert (await client.get("/v1/agents/promise/policy")).json()["source"] == "default"
    await _policy(client, "namespaces/default", "none")
    await _policy(client, "agents/promise", "enforce")
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        rows = await connection.fetch(
            "SELECT action, kind, namespace, name, details FROM audit_log"
            " WHERE action = 'set_policy' ORDER BY id"
        )
    finally:
        await connection.close()
    assert [(r["kind"], r["namespace"], r["name"]) for r in rows] == [
        ("namespace", "default", ""),
        ("agent", "default", "promise"),
    ]


async def test_changing_a_policy_needs_admin_on_its_namespace(client: httpx.AsyncClient) -> None:
    assert (
        await put(client, "agent", "team-a/guarded", "1.0.0", agent_file("guarded"))
    ).status_code == 201
    body = {"compatibility": "enforce"}
    anonymous = await client.put(
        "/v1/agents/team-a/guarded/policy", json=body, headers={"Authorization": ""}
    )
    assert anonymous.status_code == 401
    publisher = await create_token(client, ["team-a"], ["publish"], name="publisher-a")
    admin_b = await create_token(client, ["team-b"], ["admin"], name="admin-b")
    admin_a = await create_token(client, ["team-a"], ["admin"], name="admin-a")
    for path in ("agents/team-a/guarded", "namespaces/team-a"):
        for token in (publisher, admin_b):
            refused = await client.put(
                f"/v1/{path}/policy", json=body, headers=bearer(token["token"])
            )
            assert refused.status_code == 403, (path, token["name"])
            assert refused.json()["permission"] == "admin"
    allowed = await client.put(
        "/v1/agents/team-a/guarded/policy", json=body, headers=bearer(admin_a["token"])
    )
    assert allowed.status_code == 200 and allowed.json()["override"] == "enforce"
    namespace = await client.put(
        "/v1/namespaces/team-a/policy",
        json={"compatibility": "none"},
        headers=bearer(admin_a["token"]),
    )
    assert namespace.status_code == 200 and namespace.json()["compatibility"] == "none"
    # Nothing changed by the refusals: the admin's values stand, and reading needs nothing.
    read = await client.get("/v1/agents/team-a/guarded/policy", headers={"Authorization": ""})
    assert read.status_code == 200 and read.json()["override"] == "enforce"


@pytest.mark.parametrize("kind", ["agent", "skill"])
async def test_a_baseline_remembered_by_this_process_judges_as_one_read_back(
    app: FastAPI, client: httpx.AsyncClient, kind: str
) -> None:
    """The release below is most often the one this process just published, so its snapshot
    is remembered rather than read back; another replica reads it. Both judge alike."""
    make = agent_file if kind == "agent" else skill_file
    before = {**BASE, "team": "platform"} if kind == "agent" else {"allowed-tools": "Read, Grep"}
    after = {"tools": "Read", "maxTurns": "10", "model": "haiku"} if kind == "agent" else {}
    after = after or {"allowed-tools": "Read"}
    answers = []
    for name in ("remembered", "read-back"):
        response = await put(client, kind, name, "1.0.0", make(name, **before))
        assert response.status_code == 201, response.text
        if name == "read-back":
            app.state.release_snapshots.clear()  # as on another replica
        response = await put(client, kind, name, "1.1.0", make(name, **after))
        assert response.status_code == 201, response.text
        answers.append(response.json()["warnings"])
    assert len(_codes(answers[0])) >= (4 if kind == "agent" else 1), answers[0]
    assert answers[0] == answers[1]
