"""With REGISTRY_ANONYMOUS_READ=false a token sees only the namespaces it may read: in lists,
search, dependents, the changes feed, batches, signatures, skill files and the catalogue; refused
reads are audited and count towards the failed-authentication limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from fastapi import FastAPI

from service.app import create_app
from service.settings import Settings
from tests.helpers import ADMIN_TOKEN, agent_file, bearer, create_token, put, skill_file


@pytest_asyncio.fixture(loop_scope="session")
async def closed(settings: Settings, clean_db: None) -> AsyncIterator[FastAPI]:
    """The test app over the same database, with anonymous reads off and a low failure limit."""
    app = create_app(
        settings.model_copy(update={"anonymous_read": False, "auth_failures_per_minute": 5})
    )
    async with app.router.lifespan_context(app):
        yield app


def _http(app: FastAPI, token: str | None = None, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(
        transport=transport,
        base_url="http://registry.test",
        headers=bearer(token) if token else {},
    )


async def _two_namespaces(client: httpx.AsyncClient) -> None:
    """team-a and team-b each hold a skill and an agent; team-b's agent uses team-a's skill."""
    for namespace in ("team-a", "team-b"):
        skill = await put(
            client,
            "skill",
            f"{namespace}/{namespace}-notes",
            "1.0.0",
            skill_file(f"{namespace}-notes", description=f"Shared notes of {namespace}."),
        )
        assert skill.status_code == 201, skill.text
    for namespace in ("team-a", "team-b"):
        agent = await put(
            client,
            "agent",
            f"{namespace}/{namespace}-reviewer",
            "1.0.0",
            agent_file(
                f"{namespace}-reviewer",
                description=f"Reviews code for {namespace}.",
                skills="team-a/team-a-notes",
            ),
        )
        assert agent.status_code == 201, agent.text


async def test_a_token_scoped_to_one_namespace_sees_only_that_namespace(
    client: httpx.AsyncClient, closed: FastAPI
) -> None:
    await _two_namespaces(client)
    reader = await create_token(client, ["team-a"], ["read"], name="reader-a")
    async with _http(closed, reader["token"]) as http, _http(closed, ADMIN_TOKEN) as admin:
        for plural in ("agents", "skills"):
            listed = await http.get(f"/v1/{plural}")
            assert listed.status_code == 200, listed.text
            assert {i["namespace"] for i in listed.json()["items"]} == {"team-a"}
            everything = (await admin.get(f"/v1/{plural}")).json()["items"]
            assert {i["namespace"] for i in everything} == {"team-a", "team-b"}

        namespaces = await http.get("/v1/namespaces")
        assert [n["name"] for n in namespaces.json()["items"]] == ["team-a"]
        assert "team-b" in {n["name"] for n in (await admin.get("/v1/namespaces")).json()["items"]}

        found = await http.get("/v1/search", params={"q": "reviews code"})
        assert found.status_code == 200, found.text
        assert [(r["namespace"], r["name"]) for r in found.json()["results"]] == [
            ("team-a", "team-a-reviewer")
        ]
        everywhere = await admin.get("/v1/search", params={"q": "reviews code"})
        assert len(everywhere.json()["results"]) == 2
        # Asking for the other namespace by name finds nothing rather than leaking it.
        other = await http.get("/v1/search", params={"namespace": "team-b"})
        assert other.json()["results"] == []

        dependents = await http.get("/v1/skills/team-a/team-a-notes/dependents")
        assert [(d["namespace"], d["name"]) for d in dependents.json()["items"]] == [
            ("team-a", "team-a-reviewer")
        ]
        all_dependents = await admin.get("/v1/skills/team-a/team-a-notes/dependents")
        assert len(all_dependents.json()["items"]) == 2

        changes = await http.get("/v1/changes", params={"limit": 1000})
        assert changes.status_code == 200, changes.text
        seen = {c["namespace"] for c in changes.json()["changes"]}
        assert seen == {"team-a"}
        # The cursor still moves past the events it cannot see: the next page is empty.
        again = await http.get("/v1/changes", params={"since": changes.json()["next"]})
        assert again.json()["changes"] == []
        assert "team-b" in {
            c["namespace"] for c in (await admin.get("/v1/changes")).json()["changes"]
        }

        batch = await http.post(
            "/v1/profiles",
            json={"refs": ["team-a/team-a-reviewer@1.0.0", "team-b/team-b-reviewer@1.0.0"]},
        )
        assert batch.status_code == 200, batch.text
        first, second = batch.json()["results"]
        assert first["status"] == 200 and first["profile"]["namespace"] == "team-a"
        assert second["status"] == 403 and "profile" not in second
        assert "namespace team-b" in second["problem"]["detail"]

        for path in (
            "/v1/profiles/team-b/team-b-reviewer@1.0.0/signature",
            "/v1/skills/team-b/team-b-notes/versions/1.0.0/files",
            "/v1/skills/team-b/team-b-notes/versions/1.0.0/archive",
            "/v1/skills/team-b/team-b-notes/versions/1.0.0/files/SKILL.md",
        ):
            refused = await http.get(path)
            assert refused.status_code == 403, path
            assert "not to namespace team-b" in refused.json()["detail"]
            assert (await admin.get(path)).status_code == 200, path
        signature = await http.get("/v1/profiles/team-a/team-a-reviewer@1.0.0/signature")
        assert signature.status_code == 200


async def test_the_catalogue_shows_only_readable_namespaces_and_explains_a_refusal(
    client: httpx.AsyncClient, closed: FastAPI
) -> None:
    await _two_namespaces(client)
    reader = await create_token(client, ["team-a"], ["read"], name="reader-a")
    async with _http(closed, reader["token"]) as http, _http(closed) as browser:
        for path in ("/", "/ui/search", "/ui/search?q=reviews", "/ui/skills/team-a/team-a-notes"):
            page = await http.get(path)
            assert page.status_code == 200, path
            assert "team-a" in page.text, path
            assert "team-b" not in page.text, path
        refused = await http.get("/ui/namespaces/team-b")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "not to namespace team-b" in refused.text
        # A browser without a token gets a page that says what to do, not a JSON problem.
        anonymous = await browser.get("/", headers={"Accept": "text/html"})
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"].startswith("text/html")
        assert "does not allow anonymous reads" in anonymous.text
        assert "team-a" not in anonymous.text


async def test_refused_reads_are_audited_and_count_as_failed_authentications(
    client: httpx.AsyncClient, closed: FastAPI
) -> None:
    await _two_namespaces(client)
    reader = await create_token(client, ["team-a"], ["read"], name="reader-a")
    closed.state.failed_logins.reset()
    async with (
        _http(closed, reader["token"]) as http,
        _http(closed, address="10.9.9.9") as anonymous,
        _http(closed, ADMIN_TOKEN, address="10.9.9.9") as admin_same_address,
    ):
        assert (await http.get("/v1/agents/team-b/team-b-reviewer")).status_code == 403
        audit = await client.get("/v1/audit", params={"actor": "reader-a"})
        denied = audit.json()["items"][0]
        assert (denied["action"], denied["namespace"], denied["actorKind"]) == (
            "denied",
            "team-b",
            "token",
        )
        assert denied["details"]["permission"] == "read"
        assert denied["details"]["method"] == "GET"
        assert denied["details"]["path"] == "/v1/agents/team-b/team-b-reviewer"

        for _ in range(5):
            assert (await anonymous.get("/v1/agents")).status_code == 401
        refusals = await client.get("/v1/audit", params={"actor": "anonymous", "limit": 50})
        unauthenticated = [
            e for e in refusals.json()["items"] if e["details"].get("permission") == "read"
        ]
        assert len(unauthenticated) >= 5
        assert unauthenticated[0]["action"] == "unauthenticated"
        # The limit is per address and checked before any token is looked at: from this
        # address even the admin token waits; from another one reads go on.
        blocked = await anonymous.get("/v1/agents")
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 60
        assert (await admin_same_address.get("/v1/agents")).status_code == 429
        assert (await http.get("/v1/agents")).status_code == 200


async def test_a_browser_signs_in_with_a_token_and_the_cookie_only_reads(
    client: httpx.AsyncClient, closed: FastAPI
) -> None:
    await _two_namespaces(client)
    reader = await create_token(client, ["team-a"], ["read"], name="reader-a")
    publisher = await create_token(client, ["team-a"], ["publish"], name="publisher-a")
    closed.state.failed_logins.reset()
    page_path = "/ui/skills/team-a/team-a-notes"
    async with _http(closed) as browser:
        asked = await browser.get(page_path)
        assert asked.status_code == 401
        assert 'action="/ui/session"' in asked.text
        assert f'name="next" value="{page_path}"' in asked.text

        wrong = await browser.post(
            "/ui/session", data={"token": "areg_not-a-real-token-at-all", "next": page_path}
        )
        assert wrong.status_code == 401 and "malformed" in wrong.text
        assert "set-cookie" not in wrong.headers
        audit = await client.get("/v1/audit", params={"actor": "anonymous"})
        assert audit.json()["items"][0]["details"]["path"] == "/ui/session"

        signed = await browser.post(
            "/ui/session", data={"token": reader["token"], "next": page_path}
        )
        assert signed.status_code == 303 and signed.headers["location"] == page_path
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=28800" in cookie
        page = await browser.get(page_path)
        assert page.status_code == 200 and "Sign out" in page.text
        assert "team-b" not in page.text
        listed = await browser.get("/v1/agents")
        assert {a["namespace"] for a in listed.json()["items"]} == {"team-a"}

        # Another site cannot sign this browser out either.
        forged_out = await browser.post(
            "/ui/session/end", headers={"Origin": "https://elsewhere.example"}
        )
        assert forged_out.status_code == 403 and "set-cookie" not in forged_out.headers
        assert (await browser.get(page_path)).status_code == 200
        out = await browser.post("/ui/session/end")
        assert out.status_code == 303 and 'registry_read_token=""' in out.headers["set-cookie"]
        assert (await browser.get(page_path)).status_code == 401

    async with _http(closed) as browser:
        # A cookie never authorises a write, even for a token that may publish.
        signed = await browser.post("/ui/session", data={"token": publisher["token"]})
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        write = await browser.put(
            "/v1/agents/team-a/by-cookie/versions/1.0.0",
            content=agent_file("by-cookie"),
            headers={"Content-Type": "text/markdown"},
        )
        assert write.status_code == 401
        # Only a path on this site is a place to go back to, and only this site signs in.
        away = await browser.post(
            "/ui/session", data={"token": reader["token"], "next": "//elsewhere.example/"}
        )
        assert away.headers["location"] == "/"
        forged = await browser.post(
            "/ui/session",
            data={"token": reader["token"]},
            headers={"Origin": "https://elsewhere.example"},
        )
        assert forged.status_code == 403 and "set-cookie" not in forged.headers


async def _validate(http: httpx.AsyncClient, body: bytes, **params: str) -> dict[str, object]:
    response = await http.post(
        "/v1/validate", params=params, content=body, headers={"Content-Type": "text/markdown"}
    )
    assert response.status_code == 200, response.text
    report: dict[str, object] = response.json()
    return report


async def test_validate_cannot_tell_an_unreadable_artifact_from_a_missing_one(
    client: httpx.AsyncClient, closed: FastAPI
) -> None:
    """Validation resolves skills and compares with earlier versions in any namespace it is
    named: to a caller who may not read team-b, team-b's skill and agent must look missing."""
    await _two_namespaces(client)
    reader = await create_token(client, ["team-a"], ["read"], name="reader-a")

    def uses(skill: str) -> bytes:
        return agent_file("checker", skills=skill)

    async with _http(closed, reader["token"]) as http, _http(closed, ADMIN_TOKEN) as admin:
        # Someone who may read team-b is told the skill exists (valid), or which versions it has.
        assert (await _validate(admin, uses("team-b/team-b-notes")))["valid"] is True
        ranged = await _validate(admin, uses("team-b/team-b-notes@^2"))
        assert [e["code"] for e in ranged["errors"]] == ["unsatisfiable"]  # type: ignore[attr-defined]

        for written in ("team-b/team-b-notes", "team-b/team-b-notes@^2"):
            hidden = await _validate(http, uses(written))
            missing = await _validate(http, uses(written.replace("team-b-notes", "team-b-gone")))
            assert hidden["valid"] is False
            assert [e["code"] for e in hidden["errors"]] == ["unknown_skill"]  # type: ignore[attr-defined]
            # Word for word what a missing one gets (the digest differs with the file's bytes).
            for field in ("valid", "errors", "warnings"):
                shown = json.dumps(hidden[field]).replace("team-b-notes", "team-b-gone")
                assert shown == json.dumps(missing[field]), field
        # The same through a readable skill that needs the unreadable one.
        needs = await put(
            client,
            "skill",
            "team-a/needs-b",
            "1.0.0",
            skill_file("needs-b", metadata='{"requires": "team-b/team-b-notes"}'),
        )
        assert needs.status_code == 201, needs.text
        assert (await _validate(admin, uses("team-a/needs-b")))["valid"] is True
        through = await _validate(http, uses("team-a/needs-b"))
        assert through["valid"] is False and "team-b/team-b-notes" in json.dumps(through)

        # A toolset in team-b: the reader is told it does not exist, as for a missing one.
        tools = json.dumps({"name": "b-tools", "description": "team-b tools", "tools": ["Read"]})
        stored = await client.put(
            "/v1/toolsets/team-b/b-tools/versions/1.0.0",
            content=tools.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert stored.status_code == 201, stored.text
        granted = agent_file("checker", tools="toolset:team-b/b-tools@^1")
        assert (await _validate(admin, granted))["valid"] is True
        hidden = await _validate(http, granted)
        missing = await _validate(http, agent_file("checker", tools="toolset:team-b/b-gone@^1"))
        assert hidden["valid"] is False
        for field in ("errors", "warnings"):
            shown = json.dumps(hidden[field]).replace("b-tools", "b-gone")
            assert shown == json.dumps(missing[field]), field

        # Compared with earlier versions: a grant removed from team-b-reviewer@1.0.0 is a
        # finding for the admin; to the reader, team-b/team-b-reviewer has no earlier versions.
        narrower = agent_file("team-b-reviewer", skills="team-a/team-a-notes", tools="Read")
        named = {"kind": "agent", "version": "1.0.1"}
        seen = await _validate(admin, narrower, name="team-b/team-b-reviewer", **named)
        assert [w["code"] for w in seen["warnings"]] == ["compat_tools_restricted"]  # type: ignore[attr-defined]
        hidden = await _validate(http, narrower, name="team-b/team-b-reviewer", **named)
        gone = agent_file("team-b-nobody", skills="team-a/team-a-notes", tools="Read")
        missing = await _validate(http, gone, name="team-b/team-b-nobody", **named)
        assert hidden["warnings"] == missing["warnings"] == []
        assert hidden["valid"] is missing["valid"] is True


async def test_refs_a_batch_refuses_for_read_scope_are_audited(
    client: httpx.AsyncClient, closed: FastAPI
) -> None:
    await _two_namespaces(client)
    reader = await create_token(client, ["team-a"], ["read"], name="reader-a")
    refs = [
        "team-a/team-a-reviewer@1.0.0",
        "team-b/team-b-reviewer@1.0.0",
        "team-b/team-b-ghost",
        "team-a/no-such-agent",
    ]
    async with _http(closed, reader["token"]) as http:
        batch = await http.post("/v1/profiles", json={"refs": refs}, headers={"X-Request-ID": "b1"})
    assert [r["status"] for r in batch.json()["results"]] == [200, 403, 403, 404]
    audit = (await client.get("/v1/audit", params={"actor": "reader-a"})).json()["items"]
    denied = sorted(
        (e["action"], e["kind"], e["namespace"], e["name"], e["details"]["ref"], e["requestId"])
        for e in audit
    )
    # One record per refused ref (an existing agent or not: the namespace is what is refused);
    # the served and the missing refs are not refusals.
    assert denied == [
        ("denied", "agent", "team-b", "team-b-ghost", "team-b/team-b-ghost", "b1"),
        ("denied", "agent", "team-b", "team-b-reviewer", "team-b/team-b-reviewer@1.0.0", "b1"),
    ]
    first = next(e for e in audit if e["name"] == "team-b-reviewer")
    assert first["details"]["permission"] == "read"
    assert first["details"]["path"] == "/v1/profiles"
    assert "namespace team-b" in first["details"]["reason"]
