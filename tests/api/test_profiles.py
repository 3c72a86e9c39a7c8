"""Resolved profiles: every ref form, tags, lifecycle, locks, caching, graphs, toolsets, batch."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import (
    AGENT_NAMES,
    DEV_PYTHON_SKILLS,
    SKILL_NAMES,
    agent_bytes,
    agent_file,
    digest,
    publish_examples,
    put,
    skill_bytes,
    skill_file,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PUBLISHED_AT = re.compile(rb'"publishedAt":"[^"]+"')


async def profile(client: httpx.AsyncClient, spec: str, **params: str) -> httpx.Response:
    return await client.get(f"/v1/profiles/{spec}", params=params)


async def put_toolset(
    client: httpx.AsyncClient, name: str, version: str, tools: list[str]
) -> httpx.Response:
    body = json.dumps({"name": name, "description": f"{name} tools", "tools": tools}).encode()
    return await client.put(
        f"/v1/toolsets/{name}/versions/{version}",
        content=body,
        headers={"Content-Type": "application/json"},
    )


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("agent", AGENT_NAMES)
async def test_example_profiles_match_golden_files_byte_for_byte(
    client: httpx.AsyncClient, agent: str
) -> None:
    await publish_examples(client)
    for output, suffix in (("json", "json"), ("markdown", "md")):
        response = await profile(client, f"{agent}@1.0.0", format=output)
        assert response.status_code == 200
        body = PUBLISHED_AT.sub(b'"publishedAt":"<published>"', response.content)
        golden = GOLDEN / f"{agent}.profile.{suffix}"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_bytes(body)
        assert body == golden.read_bytes(), f"{golden.name} differs; UPDATE_GOLDEN=1 rewrites it"


async def test_dev_python_profile_has_six_skills_in_listing_order_and_grants(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    body = (await profile(client, "dev-python@1.0.0")).json()
    assert [s["name"] for s in body["skills"]] == DEV_PYTHON_SKILLS
    assert (
        body["skills"][0]["instructions"]
        == skill_bytes("python-flask").decode().split("---\n", 2)[2]
    )
    assert body["lock"]["skills"]["git-workflow"] == {
        "version": "1.0.0",
        "digest": digest(skill_bytes("git-workflow")),
    }
    grants = {g["rule"]: g["sources"] for g in body["tools"]["grants"]}
    assert list(grants) == ["Read", "Write", "Edit", "Bash", "Grep", "Glob"]
    assert "skill:git-workflow@1.0.0" in grants["Bash"]
    assert body["tools"]["mode"] == "allowlist" and body["tools"]["ungranted"] == []
    definition = body["agentDefinition"]
    assert definition["tools"] == list(grants)
    assert definition["prompt"].startswith(body["instructions"].rstrip())
    assert "## Skill: code-review-practices (1.0.0)" in definition["prompt"]
    assert body["digest"] == digest(agent_bytes("dev-python"))


async def test_agent_definition_builds_the_claude_agent_sdk_type(client: httpx.AsyncClient) -> None:
    sdk = pytest.importorskip("claude_agent_sdk")
    await publish_examples(client)
    for agent in AGENT_NAMES:
        body = (await profile(client, f"{agent}@1.0.0")).json()
        definition = sdk.AgentDefinition(**body["agentDefinition"])
        options = sdk.ClaudeAgentOptions(agents={body["name"]: definition})
        assert options.agents[agent].prompt == body["agentDefinition"]["prompt"]
        assert definition.tools == body["agentDefinition"]["tools"]


# --- references -----------------------------------------------------------------------------


async def test_every_ref_form_resolves(client: httpx.AsyncClient) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    await put(client, "agent", "tester", "1.2.0", agent_file("tester", color="blue"))
    await put(client, "agent", "tester", "2.0.0-rc.1", agent_file("tester", color="red"))
    await put(client, "agent", "tester", "2.0.0", agent_file("tester", color="green"))
    two = digest(agent_file("tester", color="green"))
    expected = {
        "tester": "2.0.0",
        "tester@latest": "2.0.0",
        "tester@1.0.0": "1.0.0",
        "tester@^1": "1.2.0",
        "tester@~1.0.0": "1.0.0",
        "tester@>=1.0 <2": "1.2.0",
        "tester@1.x": "1.2.0",
        "tester@*": "2.0.0",
        "tester@2.0.0-rc.1": "2.0.0-rc.1",
        "tester@>=2.0.0-rc.0 <2.0.0": "2.0.0-rc.1",
        f"tester@{two}": "2.0.0",
        "default/tester@^1.1": "1.2.0",
    }
    for spec, version in expected.items():
        response = await profile(client, spec)
        assert response.status_code == 200, (spec, response.text)
        assert response.json()["version"] == version, spec


REVALIDATED = "public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400"
MOVING = "public, max-age=60, stale-while-revalidate=86400, stale-if-error=86400"


async def test_profiles_are_revalidated_not_immutable_only_raw_bytes_are(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    exact = await profile(client, "tester@1.0.0")
    assert exact.headers["cache-control"] == REVALIDATED
    assert "content-location" not in exact.headers
    by_digest = await profile(client, f"tester@{digest(agent_file('tester'))}")
    assert by_digest.headers["cache-control"] == REVALIDATED
    assert by_digest.headers["content-location"] == "/v1/profiles/default/tester@1.0.0"
    assert by_digest.content == exact.content
    ranged = await profile(client, "tester@^1", format="markdown")
    assert ranged.headers["cache-control"] == MOVING
    assert ranged.headers["content-location"] == (
        "/v1/profiles/default/tester@1.0.0?format=markdown"
    )
    latest = await profile(client, "tester@1.0.0", resolve="latest")
    assert latest.headers["cache-control"] == MOVING
    latest_range = await profile(client, "tester@^1", resolve="latest")
    assert latest_range.headers["content-location"] == (
        "/v1/profiles/default/tester@1.0.0?resolve=latest"
    )
    raw = await client.get("/v1/agents/tester/versions/1.0.0/raw")
    assert raw.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_if_none_match_of_another_version_with_the_same_bytes_is_not_304(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    await put(client, "agent", "tester", "1.2.0", agent_file("tester"))
    old = await profile(client, "tester@1.0.0")
    ranged = await client.get(
        "/v1/profiles/tester@^1", headers={"If-None-Match": old.headers["etag"]}
    )
    assert ranged.status_code == 200
    assert ranged.json()["version"] == "1.2.0"
    assert ranged.headers["etag"] != old.headers["etag"]
    tags = {
        old.headers["etag"],
        ranged.headers["etag"],
        (await profile(client, "tester@1.0.0", format="markdown")).headers["etag"],
        (await profile(client, "tester@1.2.0", format="markdown")).headers["etag"],
        (await profile(client, "tester@1.0.0", resolve="latest")).headers["etag"],
    }
    assert len(tags) == 5
    await client.post("/v1/agents/tester/versions/1.0.0/deprecate", json={"message": "old"})
    deprecated = await client.get(
        "/v1/profiles/tester@1.0.0", headers={"If-None-Match": old.headers["etag"]}
    )
    assert deprecated.status_code == 200 and deprecated.json()["deprecated"] == "old"
    again = await client.get(
        "/v1/profiles/tester@1.0.0", headers={"If-None-Match": deprecated.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["deprecation"] == deprecated.headers["deprecation"]


async def test_a_digest_shared_by_versions_picks_the_highest_non_yanked_and_says_which(
    client: httpx.AsyncClient,
) -> None:
    for version in ("1.0.0", "1.2.0", "1.1.0"):
        await put(client, "agent", "tester", version, agent_file("tester"))
    spec = f"tester@{digest(agent_file('tester'))}"
    chosen = await profile(client, spec)
    assert chosen.json()["version"] == "1.2.0"
    assert chosen.headers["content-location"] == "/v1/profiles/default/tester@1.2.0"
    await client.post("/v1/agents/tester/versions/1.2.0/yank", json={})
    assert (await profile(client, spec)).json()["version"] == "1.1.0"
    await client.post("/v1/agents/tester/versions/1.1.0/yank", json={})
    await client.post("/v1/agents/tester/versions/1.0.0/yank", json={})
    every_yanked = await profile(client, spec)
    assert every_yanked.json()["version"] == "1.2.0"
    assert every_yanked.json()["yanked"] is True


async def test_yank_and_deprecation_show_as_headers(client: httpx.AsyncClient) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    plain = await profile(client, "tester@1.0.0")
    assert "warning" not in plain.headers and "deprecation" not in plain.headers
    await client.post("/v1/agents/tester/versions/1.0.0/yank", json={"reason": "leaks a token"})
    yanked = await profile(client, "tester@1.0.0", format="markdown")
    assert yanked.headers["warning"] == '299 - "yanked: leaks a token"'
    await client.post("/v1/agents/tester/versions/1.0.0/deprecate", json={"message": "use 2.x"})
    both = await profile(client, "tester@1.0.0")
    assert both.headers["warning"] == '299 - "yanked: leaks a token", 299 - "deprecated: use 2.x"'
    assert re.fullmatch(r"@\d{10}", both.headers["deprecation"])
    assert abs(int(both.headers["deprecation"][1:]) - time.time()) < 3600


async def test_if_none_match_gives_304(client: httpx.AsyncClient) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    first = await profile(client, "tester@1.0.0")
    again = await client.get(
        "/v1/profiles/tester@1.0.0", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = await client.get("/v1/profiles/tester@1.0.0", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


async def test_markdown_by_accept_and_by_format(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    by_accept = await client.get(
        "/v1/profiles/flask-specialist@1.0.0", headers={"Accept": "text/markdown"}
    )
    assert by_accept.headers["content-type"] == "text/markdown; charset=utf-8"
    assert by_accept.text.startswith("---\nname: flask-specialist\n")
    assert "tools: Read, Write, Edit, MultiEdit, Grep, Glob, Bash\n" in by_accept.text
    by_format = await profile(client, "flask-specialist@1.0.0", format="markdown")
    assert by_format.content == by_accept.content
    assert (
        by_format.headers["etag"]
        != (await profile(client, "flask-specialist@1.0.0")).headers["etag"]
    )


async def test_unknown_agent_version_tag_and_bad_ref_are_problems(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    cases = {
        "nobody@1.0.0": (404, "no agent named default/nobody"),
        "tester@9.9.9": (404, "agent default/tester has no version 9.9.9"),
        "tester@^2": (404, "no version of agent default/tester matches '^2'"),
        "tester@stable": (404, "no version of agent default/tester matches 'stable'"),
        "tester@": (400, None),
        "a/b/c@1.0.0": (400, None),
    }
    for spec, (status, detail) in cases.items():
        response = await profile(client, spec)
        assert response.status_code == status, (spec, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if detail:
            assert response.json()["detail"].startswith(detail), spec


# --- tags and lifecycle ---------------------------------------------------------------------


async def test_tags_move_list_and_delete(client: httpx.AsyncClient) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    await put(client, "agent", "tester", "1.1.0", agent_file("tester", color="blue"))
    set_tag = await client.put("/v1/agents/tester/tags/stable", json={"version": "1.0.0"})
    assert set_tag.json() == {
        "kind": "agent",
        "namespace": "default",
        "name": "tester",
        "tag": "stable",
        "version": "1.0.0",
    }
    assert (await profile(client, "tester@stable")).json()["version"] == "1.0.0"
    await client.put("/v1/agents/tester/tags/stable", json={"version": "1.1.0"})
    assert (await profile(client, "tester@stable")).json()["version"] == "1.1.0"
    await client.put("/v1/agents/tester/tags/latest", json={"version": "1.0.0"})
    assert (await profile(client, "tester")).json()["version"] == "1.0.0"
    detail = (await client.get("/v1/agents/tester")).json()
    assert detail["tags"] == {"latest": "1.0.0", "stable": "1.1.0"}
    assert detail["latest"] == "1.0.0"
    assert (await client.delete("/v1/agents/tester/tags/stable")).status_code == 204
    assert (await profile(client, "tester@stable")).status_code == 404
    assert (await client.delete("/v1/agents/tester/tags/stable")).status_code == 404


async def test_invalid_tags_are_refused(client: httpx.AsyncClient) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    for tag in ("1.0.0", "x", "Stable", "v1"):
        response = await client.put(f"/v1/agents/tester/tags/{tag}", json={"version": "1.0.0"})
        assert response.status_code == 422, tag
        assert response.json()["code"] == "invalid_tag"
    missing = await client.put("/v1/agents/tester/tags/stable", json={"version": "3.0.0"})
    assert missing.status_code == 404


async def test_yanked_version_is_skipped_by_ranges_and_tags_but_served_exactly(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    await put(client, "agent", "tester", "1.1.0", agent_file("tester", color="blue"))
    before = await profile(client, "tester@1.1.0")
    yanked = await client.post(
        "/v1/agents/tester/versions/1.1.0/yank", json={"reason": "broken prompt"}
    )
    assert yanked.status_code == 200
    assert yanked.json()["yanked"] is True and yanked.json()["yankReason"] == "broken prompt"
    assert (await profile(client, "tester@^1")).json()["version"] == "1.0.0"
    assert (await profile(client, "tester")).json()["version"] == "1.0.0"
    exact = await profile(client, "tester@1.1.0")
    assert exact.json()["yanked"] is True
    assert exact.headers["etag"] != before.headers["etag"]
    refused = await client.put("/v1/agents/tester/tags/stable", json={"version": "1.1.0"})
    assert refused.status_code == 409 and refused.json()["code"] == "version_yanked"
    restored = await client.delete("/v1/agents/tester/versions/1.1.0/yank")
    assert restored.json()["yanked"] is False
    assert (await profile(client, "tester@^1")).json()["version"] == "1.1.0"
    assert (await profile(client, "tester@1.1.0")).content == before.content


async def test_deprecated_version_is_still_chosen_with_its_message(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    response = await client.post(
        "/v1/agents/tester/versions/1.0.0/deprecate", json={"message": "use 2.x"}
    )
    assert response.json()["deprecated"] == "use 2.x"
    chosen = await profile(client, "tester@^1")
    body = chosen.json()
    assert body["version"] == "1.0.0" and body["deprecated"] == "use 2.x"
    assert chosen.headers["warning"] == '299 - "deprecated: use 2.x"'
    empty = await client.post("/v1/agents/tester/versions/1.0.0/deprecate", json={"message": ""})
    assert empty.status_code == 422
    await client.delete("/v1/agents/tester/versions/1.0.0/deprecate")
    restored = await profile(client, "tester@1.0.0")
    assert restored.json()["deprecated"] is None and "warning" not in restored.headers


async def test_yanked_skill_is_not_chosen_for_new_agents_but_locks_keep_it(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    await put(client, "skill", "helper", "1.1.0", skill_file("helper", license="MIT"))
    await put(client, "agent", "tester", "1.0.0", agent_file("tester", skills="helper@^1"))
    await client.post("/v1/skills/helper/versions/1.1.0/yank", json={})
    await put(
        client, "agent", "tester", "1.1.0", agent_file("tester", skills="helper@^1", color="red")
    )
    assert (await profile(client, "tester@1.0.0")).json()["lock"]["skills"]["helper"][
        "version"
    ] == "1.1.0"
    assert (await profile(client, "tester@1.1.0")).json()["lock"]["skills"]["helper"][
        "version"
    ] == "1.0.0"


# --- locks ----------------------------------------------------------------------------------


async def test_exact_version_bytes_never_change_and_resolve_latest_sees_new_skills(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    await put(client, "agent", "tester", "1.0.0", agent_file("tester", skills="helper@^1"))
    before = await profile(client, "tester@1.0.0")
    await put(client, "skill", "helper", "1.4.0", skill_file("helper", license="MIT"))
    after = await profile(client, "tester@1.0.0")
    assert after.content == before.content
    assert after.json()["lock"]["skills"]["helper"]["version"] == "1.0.0"
    latest = await profile(client, "tester@1.0.0", resolve="latest")
    assert latest.json()["lock"]["skills"]["helper"]["version"] == "1.4.0"
    assert latest.headers["cache-control"] == MOVING
    assert latest.json()["version"] == "1.0.0"


# --- skill graphs ---------------------------------------------------------------------------


async def test_transitive_skills_come_before_their_dependents(client: httpx.AsyncClient) -> None:
    await put(client, "skill", "base", "1.0.0", skill_file("base"))
    await put(
        client, "skill", "middle", "1.0.0", skill_file("middle", metadata="{requires: 'base@^1'}")
    )
    response = await put(client, "agent", "tester", "1.0.0", agent_file("tester", skills="middle"))
    assert response.status_code == 201, response.text
    body = (await profile(client, "tester@1.0.0")).json()
    assert [(s["name"], s["requiredBy"]) for s in body["skills"]] == [
        ("base", ["middle"]),
        ("middle", ["tester"]),
    ]


async def publish_diamond(
    client: httpx.AsyncClient, base_versions: tuple[str, ...], left: str, right: str
) -> httpx.Response:
    """Skill `base` in these versions; `left` and `right` require it as given; the agent
    `tester` preloads both. Returns the agent's publish response."""
    for version in base_versions:
        await put(client, "skill", "base", version, skill_file("base", license=version))
    for name, wanted in (("left", left), ("right", right)):
        requires = f"{{requires: 'base@{wanted}'}}"
        await put(client, "skill", name, "1.0.0", skill_file(name, metadata=requires))
    return await put(client, "agent", "tester", "1.0.0", agent_file("tester", skills="left, right"))


async def test_diamond_unifies_on_the_highest_common_version(client: httpx.AsyncClient) -> None:
    response = await publish_diamond(client, ("1.0.0", "1.2.0", "1.5.0", "2.0.0"), "^1.1", "<1.5")
    assert response.status_code == 201, response.text
    assert response.json()["lock"]["skills"]["base"]["version"] == "1.2.0"


async def test_conflicting_diamond_names_each_constraint_and_who_imposed_it(
    client: httpx.AsyncClient,
) -> None:
    response = await publish_diamond(client, ("1.0.0", "2.0.0"), "^1", "^2")
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["code"] == "unsatisfiable"
    assert "^1 (required by left)" in problem["message"]
    assert "^2 (required by right)" in problem["message"]


async def test_cycles_are_refused_with_their_path(client: httpx.AsyncClient) -> None:
    await put(client, "skill", "alpha", "1.0.0", skill_file("alpha"))
    await put(client, "skill", "beta", "1.0.0", skill_file("beta", metadata="{requires: 'alpha'}"))
    response = await put(
        client, "skill", "alpha", "1.1.0", skill_file("alpha", metadata="{requires: 'beta'}")
    )
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["code"] == "dependency_cycle"
    assert problem["message"].endswith("beta -> alpha -> beta")


async def test_top_level_skills_in_a_skill_is_a_portability_warning(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "skill", "base", "1.0.0", skill_file("base"))
    response = await put(client, "skill", "middle", "1.0.0", skill_file("middle", skills="base"))
    assert response.status_code == 201
    assert "skills_field_not_portable" in {w["code"] for w in response.json()["warnings"]}
    assert response.json()["lock"]["skills"] == {
        "base": {"version": "1.0.0", "digest": digest(skill_file("base"))}
    }


# --- toolsets and grants --------------------------------------------------------------------


async def test_toolset_expands_into_grants_with_its_source(client: httpx.AsyncClient) -> None:
    created = await put_toolset(client, "readonly", "1.0.0", ["Read", "Grep", "Glob"])
    assert created.status_code == 201, created.text
    body = agent_file(
        "tester", tools="toolset:readonly@^1, Bash(git diff:*)", disallowedTools="Glob"
    )
    response = await put(client, "agent", "tester", "1.0.0", body)
    assert response.status_code == 201, response.text
    tools = (await profile(client, "tester@1.0.0")).json()["tools"]
    assert [(g["rule"], g["sources"]) for g in tools["grants"]] == [
        ("Read", ["toolset:readonly@1.0.0"]),
        ("Grep", ["toolset:readonly@1.0.0"]),
        ("Bash(git diff:*)", ["agent"]),
    ]
    assert [d["rule"] for d in tools["denied"]] == ["Glob"]
    lock = (await profile(client, "tester@1.0.0")).json()["lock"]
    assert lock["toolsets"]["readonly"]["version"] == "1.0.0"


async def test_unknown_toolset_and_bad_toolset_document_are_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await put(
        client, "agent", "tester", "1.0.0", agent_file("tester", tools="toolset:nope")
    )
    assert response.status_code == 422
    assert (
        response.json()["errors"][0]["message"] == "toolset 'nope' does not exist in this registry"
    )
    bad = await put_toolset(client, "broken", "1.0.0", ["Bash(", "toolset:other"])
    assert bad.status_code == 422
    assert [e["code"] for e in bad.json()["errors"]] == ["invalid_tool_rule", "nested_toolset"]


async def test_skill_rules_the_agent_does_not_grant_are_warned_and_listed(
    client: httpx.AsyncClient,
) -> None:
    await put(
        client,
        "skill",
        "helper",
        "1.0.0",
        skill_file("helper", **{"allowed-tools": "Read Bash(git log:*)"}),
    )
    response = await put(
        client, "agent", "tester", "1.0.0", agent_file("tester", tools="Read", skills="helper")
    )
    assert response.status_code == 201
    warnings = [w for w in response.json()["warnings"] if w["code"] == "skill_tool_not_granted"]
    assert len(warnings) == 1 and "Bash(git log:*)" in warnings[0]["message"]
    ungranted = (await profile(client, "tester@1.0.0")).json()["tools"]["ungranted"]
    assert [(u["rule"], u["sources"]) for u in ungranted] == [
        ("Bash(git log:*)", ["skill:helper@1.0.0"])
    ]


async def test_agent_without_tools_inherits(client: httpx.AsyncClient) -> None:
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    body = (await profile(client, "tester@1.0.0")).json()
    assert body["tools"]["mode"] == "inherit"
    assert "tools" not in body["agentDefinition"]


# --- batch and dependents -------------------------------------------------------------------


async def test_batch_returns_each_profile_or_problem_in_order(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    response = await client.post(
        "/v1/profiles", json={"refs": ["dev-python@1.0.0", "nobody@1.0.0", "flask-specialist@^1"]}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["ref"], r["status"]) for r in results] == [
        ("dev-python@1.0.0", 200),
        ("nobody@1.0.0", 404),
        ("flask-specialist@^1", 200),
    ]
    assert results[0]["profile"] == (await profile(client, "dev-python@1.0.0")).json()
    assert results[1]["problem"]["code"] == "not_found"
    assert results[2]["version"] == "1.0.0"
    too_many = await client.post("/v1/profiles", json={"refs": ["a"] * 101})
    assert too_many.status_code == 422


async def test_dependents_lists_agents_and_skills_using_a_skill(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    await put(
        client,
        "skill",
        "extra",
        "1.0.0",
        skill_file("extra", metadata="{requires: 'git-workflow'}"),
    )
    response = await client.get("/v1/skills/git-workflow/dependents")
    assert [
        (d["kind"], d["name"], d["version"], d["uses"], d["direct"])
        for d in response.json()["items"]
    ] == [
        ("agent", "dev-python", "1.0.0", "1.0.0", True),
        ("skill", "extra", "1.0.0", "1.0.0", True),
    ]
    assert (await client.get("/v1/skills/nothing/dependents")).status_code == 404


def test_golden_files_exist_for_both_examples() -> None:
    for agent in AGENT_NAMES:
        assert (GOLDEN / f"{agent}.profile.json").is_file()
        assert (GOLDEN / f"{agent}.profile.md").is_file()
    assert len(SKILL_NAMES) == 6


async def test_unknown_tool_names_publish_with_warnings_and_show_as_ignored(
    client: httpx.AsyncClient,
) -> None:
    body = agent_file("tester", tools="Read, context-manager, catalog:search")
    published = await put(client, "agent", "tester", "1.0.0", body)
    assert published.status_code == 201, published.text
    warned = [w for w in published.json()["warnings"] if w["code"] == "unknown_tool"]
    assert [w["loc"] for w in warned] == ["frontmatter.tools[1]", "frontmatter.tools[2]"]
    served = (await profile(client, "tester@1.0.0")).json()
    assert [g["rule"] for g in served["tools"]["grants"]] == ["Read"]
    assert [(i["rule"], i["reason"]) for i in served["tools"]["ignored"]] == [
        ("context-manager", "unknown_tool"),
        ("catalog:search", "unknown_tool"),
    ]
    assert served["agentDefinition"]["tools"] == ["Read"]
    markdown = (await profile(client, "tester@1.0.0", format="markdown")).text
    assert "\ntools: Read\n" in markdown
    malformed = await put(client, "agent", "tester", "1.1.0", agent_file(tools="Read, Bash(git"))
    assert malformed.status_code == 422
    assert [e["code"] for e in malformed.json()["errors"]] == ["invalid_tool_rule"]
