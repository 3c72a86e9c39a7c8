"""Version diff: fields, effective grants with sources, skills moved, instructions, text form."""

from __future__ import annotations

import httpx

from tests.helpers import agent_file, put, skill_file


async def _two_agents(client: httpx.AsyncClient) -> None:
    for version, body in (("1.0.0", "# helper\n"), ("1.1.0", "# helper, improved\n")):
        data = skill_file("helper", **{"allowed-tools": "Read"}).replace(
            b"# helper\n", body.encode()
        )
        assert (await put(client, "skill", "helper", version, data)).status_code == 201
    old = agent_file(
        "differ", tools="Read, Bash(git diff:*)", model="opus", maxTurns="20", skills="helper@1.0.0"
    )
    new = agent_file(
        "differ", tools="Read, Bash, Grep", model="sonnet", skills="helper@1.1.0", color="blue"
    ).replace(b"You run the tests.", b"You run the tests.\nThen you report.")
    assert (await put(client, "agent", "differ", "1.0.0", old)).status_code == 201
    assert (await put(client, "agent", "differ", "1.1.0", new)).status_code == 201


async def test_agent_diff_lists_fields_grants_skills_and_instructions(
    client: httpx.AsyncClient,
) -> None:
    await _two_agents(client)
    response = await client.get("/v1/agents/differ/diff/1.0.0...1.1.0")
    assert response.status_code == 200, response.text
    diff = response.json()
    assert (diff["kind"], diff["name"], diff["from"], diff["to"]) == (
        "agent",
        "default/differ",
        "1.0.0",
        "1.1.0",
    )
    fields = {f["field"]: (f["change"], f["from"], f["to"]) for f in diff["fields"]}
    assert fields == {
        "color": ("added", None, "blue"),
        "maxTurns": ("removed", 20, None),
        "model": ("changed", "opus", "sonnet"),
        "skills": ("changed", "helper@1.0.0", "helper@1.1.0"),
        "tools": ("changed", "Read, Bash(git diff:*)", "Read, Bash, Grep"),
    }
    assert [f["field"] for f in diff["fields"]] == sorted(fields)
    grants = diff["grants"]
    assert grants["mode"] == {"from": "allowlist", "to": "allowlist"}
    assert grants["added"] == [
        {"rule": "Bash", "tool": "Bash", "specifier": None, "sources": ["agent"]},
        {"rule": "Grep", "tool": "Grep", "specifier": None, "sources": ["agent"]},
    ]
    assert grants["removed"] == [
        {
            "rule": "Bash(git diff:*)",
            "tool": "Bash",
            "specifier": "git diff:*",
            "sources": ["agent"],
        }
    ]
    skills = diff["skills"]
    assert skills["added"] == [] and skills["removed"] == []
    assert [(s["name"], s["from"], s["to"]) for s in skills["changed"]] == [
        ("helper", "1.0.0", "1.1.0")
    ]
    assert diff["instructions"] == (
        "--- a/default/differ@1.0.0\n"
        "+++ b/default/differ@1.1.0\n"
        "@@ -1,2 +1,3 @@\n"
        " \n"
        " You run the tests.\n"
        "+Then you report.\n"
    )


async def test_diff_is_deterministic_and_reversible(client: httpx.AsyncClient) -> None:
    await _two_agents(client)
    first = await client.get("/v1/agents/differ/diff/1.0.0...1.1.0")
    again = await client.get("/v1/agents/default/differ/diff/1.0.0...1.1.0")
    assert first.content == again.content
    back = (await client.get("/v1/agents/differ/diff/1.1.0...1.0.0")).json()
    forward = first.json()
    assert back["grants"]["added"] == [
        {**g, "sources": ["agent"]} for g in forward["grants"]["removed"]
    ]
    assert [g["rule"] for g in back["grants"]["removed"]] == ["Bash", "Grep"]
    assert back["skills"]["changed"][0]["from"] == "1.1.0"


async def test_same_version_diff_is_empty(client: httpx.AsyncClient) -> None:
    await _two_agents(client)
    diff = (await client.get("/v1/agents/differ/diff/1.0.0...1.0.0")).json()
    assert diff["fields"] == [] and diff["instructions"] == ""
    assert diff["grants"]["added"] == diff["grants"]["removed"] == []
    assert diff["skills"] == {"added": [], "removed": [], "changed": []}


async def test_text_format_is_a_unified_diff_of_the_files(client: httpx.AsyncClient) -> None:
    await _two_agents(client)
    response = await client.get("/v1/agents/differ/diff/1.0.0...1.1.0", params={"format": "text"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[:2] == ["--- a/default/differ@1.0.0", "+++ b/default/differ@1.1.0"]
    assert "-tools: Read, Bash(git diff:*)" in lines and "+tools: Read, Bash, Grep" in lines
    assert "-maxTurns: 20" in lines and "+Then you report." in lines


async def test_skill_diff_shows_allowed_tools_and_requires(client: httpx.AsyncClient) -> None:
    assert (await put(client, "skill", "base", "1.0.0", skill_file("base"))).status_code == 201
    old = skill_file("user", **{"allowed-tools": "Read Grep"})
    new = skill_file("user", **{"allowed-tools": "Read", "metadata": "{requires: base@^1}"})
    assert (await put(client, "skill", "user", "1.0.0", old)).status_code == 201
    assert (await put(client, "skill", "user", "2.0.0", new)).status_code == 201
    diff = (await client.get("/v1/skills/user/diff/1.0.0...2.0.0")).json()
    assert diff["kind"] == "skill"
    assert diff["grants"]["removed"] == [
        {"rule": "Grep", "tool": "Grep", "specifier": None, "sources": ["skill"]}
    ]
    assert diff["grants"]["added"] == []
    assert diff["skills"]["added"][0]["name"] == "base"
    assert {f["field"] for f in diff["fields"]} == {"allowed-tools", "metadata"}


async def test_inherit_to_allowlist_is_a_mode_change(client: httpx.AsyncClient) -> None:
    assert (await put(client, "agent", "free", "1.0.0", agent_file("free"))).status_code == 201
    limited = agent_file("free", tools="Read")
    assert (await put(client, "agent", "free", "2.0.0", limited)).status_code == 201
    grants = (await client.get("/v1/agents/free/diff/1.0.0...2.0.0")).json()["grants"]
    assert grants["mode"] == {"from": "inherit", "to": "allowlist"}
    assert [g["rule"] for g in grants["added"]] == ["Read"]


async def test_diff_of_a_missing_version_is_a_404_naming_it(client: httpx.AsyncClient) -> None:
    await _two_agents(client)
    response = await client.get("/v1/agents/differ/diff/1.0.0...9.9.9")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "has no version 9.9.9" in response.json()["detail"]
    missing = await client.get("/v1/agents/nobody/diff/1.0.0...1.1.0")
    assert missing.status_code == 404 and "no agent named" in missing.json()["detail"]
    assert (await client.get("/v1/agents/differ/diff/1.0.0...1.1.0?format=pdf")).status_code == 422
