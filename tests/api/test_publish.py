"""Publishing: created, idempotent, conflicting, invalid, oversized, concurrent."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from tests.helpers import (
    AGENT_NAMES,
    MARKDOWN,
    SKILL_NAMES,
    agent_bytes,
    agent_file,
    digest,
    publish_examples,
    put,
    skill_bytes,
    skill_file,
)


async def test_examples_publish_and_read_back_byte_for_byte(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    for kind, names, read in (
        ("skill", SKILL_NAMES, skill_bytes),
        ("agent", AGENT_NAMES, agent_bytes),
    ):
        for name in names:
            raw = await client.get(f"/v1/{kind}s/{name}/versions/1.0.0/raw")
            assert raw.status_code == 200
            assert raw.content == read(name)
            assert raw.headers["etag"] == f'"{digest(read(name))}"'
            detail = (await client.get(f"/v1/{kind}s/{name}/versions/1.0.0")).json()
            assert detail["digest"] == digest(read(name))
            assert detail["size"] == len(read(name))
            assert detail["frontmatter"]["name"] == name


async def test_publish_agent_returns_detail_with_parsed_frontmatter_and_lock(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    detail = (await client.get("/v1/agents/dev-python/versions/1.0.0")).json()
    assert detail["namespace"] == "default"
    assert detail["frontmatter"]["model"] == "sonnet"
    assert detail["frontmatter"]["maxTurns"] == 100
    assert detail["body"].startswith("\n# Python Developer")
    assert "—" in detail["frontmatter"]["description"]
    assert set(detail["lock"]["skills"]) == set(SKILL_NAMES)
    git = detail["lock"]["skills"]["git-workflow"]
    assert git == {"version": "1.0.0", "digest": digest(skill_bytes("git-workflow"))}
    flask = (await client.get("/v1/agents/flask-specialist/versions/1.0.0")).json()
    assert flask["frontmatter"]["tools"] == "Read, Write, Edit, MultiEdit, Grep, Glob, Bash"


async def test_publish_returns_201_with_location_and_records_audit(
    client: httpx.AsyncClient, database_url: str
) -> None:
    body = skill_file("helper")
    response = await put(client, "skill", "helper", "0.1.0", body)
    assert response.status_code == 201
    assert response.headers["location"] == "/v1/skills/default/helper/versions/0.1.0"
    assert response.json()["digest"] == digest(body)
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("SELECT action, name, version, digest FROM audit_log")
    finally:
        await connection.close()
    assert [tuple(r) for r in rows] == [("publish", "helper", "0.1.0", digest(body))]


async def test_publish_same_version_same_bytes_is_idempotent_200(client: httpx.AsyncClient) -> None:
    body = skill_file("helper")
    first = await put(client, "skill", "helper", "1.0.0", body)
    again = await put(client, "skill", "helper", "1.0.0", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["digest"] == first.json()["digest"]
    assert again.json()["publishedAt"] == first.json()["publishedAt"]


async def test_publish_same_version_different_bytes_returns_409_naming_both_digests(
    client: httpx.AsyncClient,
) -> None:
    original, changed = skill_file("helper"), skill_file("helper", license="MIT")
    await put(client, "skill", "helper", "1.0.0", original)
    response = await put(client, "skill", "helper", "1.0.0", changed)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "version_conflict"
    assert problem["existingDigest"] == digest(original)
    assert problem["publishedDigest"] == digest(changed)
    assert digest(original) in problem["detail"] and digest(changed) in problem["detail"]
    raw = await client.get("/v1/skills/helper/versions/1.0.0/raw")
    assert raw.content == original


async def test_a_version_differing_only_in_build_metadata_is_a_409_naming_the_published_one(
    client: httpx.AsyncClient,
) -> None:
    """`1.0.0+a` and `1.0.0+b` tie in SemVer precedence: both stored, `latest` and `^1.0.0`
    chose by the order rows were read, and a deprecation (a row rewritten) flipped them."""
    first = agent_file("tester", description="First.")
    assert (await put(client, "agent", "tester", "1.0.0+a", first)).status_code == 201
    for version, body in (
        ("1.0.0+b", agent_file("tester", description="Second.")),
        ("1.0.0+b", first),
        ("1.0.0", first),
    ):
        response = await put(client, "agent", "tester", version, body)
        assert response.status_code == 409, (version, response.text)
        problem = response.json()
        assert problem["code"] == "version_conflict"
        assert problem["existingVersion"] == "1.0.0+a"
        assert problem["existingDigest"] == digest(first)
        assert problem["publishedDigest"] == digest(body)
        assert "build metadata" in problem["detail"]
    assert (await put(client, "agent", "tester", "1.0.0+a", first)).status_code == 200
    deprecated = await client.post(
        "/v1/agents/tester/versions/1.0.0+a/deprecate", json={"message": "old"}
    )
    assert deprecated.status_code == 200
    for ref in ("latest", "^1.0.0"):
        profile = (await client.get(f"/v1/profiles/tester@{ref}")).json()
        assert (profile["version"], profile["description"]) == ("1.0.0+a", "First."), ref
    versions = (await client.get("/v1/agents/tester")).json()["versions"]
    assert [v["version"] for v in versions] == ["1.0.0+a"]
    audit = (await client.get("/v1/audit", params={"artifact": "tester"})).json()["items"]
    assert [r["version"] for r in audit if r["action"] == "publish"] == ["1.0.0+a"]


async def test_concurrent_publishes_differing_only_in_build_metadata_store_one(
    client: httpx.AsyncClient,
) -> None:
    """Checked by the database, not by a read before the write: eight at once, one stored."""
    responses = await asyncio.gather(
        *(
            put(client, "skill", "helper", f"2.0.0-rc.1+b{i}", skill_file("helper"))
            for i in range(8)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [
        r.text for r in responses
    ]
    stored = next(r for r in responses if r.status_code == 201).json()["version"]
    assert {r.json()["existingVersion"] for r in responses if r.status_code == 409} == {stored}
    versions = (await client.get("/v1/skills/helper")).json()["versions"]
    assert [v["version"] for v in versions] == [stored]


async def test_invalid_file_lists_every_problem_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    body = agent_file("tester", maxTurns="0", model="gpt-4", permissionMode="yolo")
    response = await put(client, "agent", "tester", "1.0.0", body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed"
    locs = {(e["loc"], e["code"]) for e in problem["errors"]}
    assert {loc for loc, _ in locs} >= {
        "frontmatter.maxTurns",
        "frontmatter.model",
        "frontmatter.permissionMode",
    }
    assert all(e["severity"] == "error" and e["message"] for e in problem["errors"])
    missing = await client.get("/v1/agents/tester")
    assert missing.status_code == 404


async def test_invalid_path_version_and_name_are_listed_with_file_problems(
    client: httpx.AsyncClient,
) -> None:
    for version in ("1.0", "01.2.3", "1.2.3-", "v1.2.3"):
        response = await put(client, "agent", "tester", version, agent_file("tester"))
        assert response.status_code == 422, version
        assert [e["loc"] for e in response.json()["errors"]] == ["version"], version
    response = await put(client, "agent", "Bad_Name", "1.0.0", agent_file("tester"))
    assert response.status_code == 422
    assert "path.name" in {e["loc"] for e in response.json()["errors"]}


async def test_an_invalid_path_version_hides_none_of_the_files_reference_problems(
    client: httpx.AsyncClient,
) -> None:
    """The references are checked whatever the version: an unknown skill is listed beside a
    bad version (it was not, so a fixed version met a second refusal), and nothing is stored."""
    agent = agent_file("tester", maxTurns="-3", skills="missing-skill")
    skill = skill_file("helper", metadata="\n  requires: missing-one")
    for kind, name, body, reference in (
        ("agent", "tester", agent, ("frontmatter.skills[0]", "unknown_skill")),
        ("skill", "helper", skill, ("frontmatter.metadata.requires[0]", "unknown_skill")),
    ):
        for version in ("1.0", "1.0.0"):
            response = await put(client, kind, name, version, body)
            assert response.status_code == 422, response.text
            found = [(e["loc"], e["code"]) for e in response.json()["errors"]]
            assert reference in found, (kind, version, found)
            assert (("version", "invalid_version") in found) == (version == "1.0"), found
        report = await client.post(
            "/v1/validate",
            params={"kind": kind, "name": name, "version": "1.0"},
            content=body,
            headers=MARKDOWN,
        )
        assert reference in [(e["loc"], e["code"]) for e in report.json()["errors"]]
        assert (await client.get(f"/v1/{kind}s/{name}")).status_code == 404


async def test_path_name_must_equal_frontmatter_name(client: httpx.AsyncClient) -> None:
    response = await put(client, "agent", "other", "1.0.0", agent_file("tester"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "name_mismatch"


async def test_namespaced_publish_and_read(client: httpx.AsyncClient) -> None:
    body = skill_file("helper")
    response = await put(client, "skill", "acme/helper", "1.0.0", body)
    assert response.status_code == 201
    assert response.json()["namespace"] == "acme"
    encoded = await client.get("/v1/skills/acme%2Fhelper/versions/1.0.0/raw")
    assert encoded.content == body
    assert (await client.get("/v1/skills/helper")).status_code == 404


async def test_agent_referencing_unknown_skill_is_refused(client: httpx.AsyncClient) -> None:
    body = agent_file("tester", skills="nowhere, git-workflow@9.9.9")
    response = await put(client, "agent", "tester", "1.0.0", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["loc"], e["code"]) for e in errors] == [
        ("frontmatter.skills[0]", "unknown_skill"),
        ("frontmatter.skills[1]", "unknown_skill"),
    ]


async def test_agent_in_namespace_finds_skills_in_default_namespace(
    client: httpx.AsyncClient,
) -> None:
    await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    body = agent_file("tester", skills="helper")
    response = await put(client, "agent", "acme/tester", "1.0.0", body)
    assert response.status_code == 201, response.text
    assert response.json()["lock"]["skills"]["helper"]["version"] == "1.0.0"


async def test_wrong_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/v1/skills/helper/versions/1.0.0",
        content=skill_file("helper"),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_body_over_limit_is_413_declared_or_streamed(client: httpx.AsyncClient) -> None:
    huge = skill_file("helper") + b"x" * (64 * 1024)
    declared = await put(client, "skill", "helper", "1.0.0", huge)
    assert declared.status_code == 413
    assert declared.json()["limit"] == 64 * 1024

    async def chunks() -> object:
        for _ in range(100):
            yield b"y" * 1024

    streamed = await client.put(
        "/v1/skills/helper/versions/1.0.0", content=chunks(), headers=MARKDOWN
    )
    assert streamed.status_code == 413
    assert (await client.get("/v1/skills/helper")).status_code == 404


async def test_sixteen_concurrent_publishes_of_one_version_exactly_one_wins(
    client: httpx.AsyncClient,
) -> None:
    bodies = [skill_file("helper", license=f"L-{i}") for i in range(16)]
    responses = await asyncio.gather(
        *(put(client, "skill", "helper", "1.0.0", body) for body in bodies)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 15
    winner = next(r for r in responses if r.status_code == 201).json()["digest"]
    for response in responses:
        if response.status_code == 409:
            assert response.json()["existingDigest"] == winner
    detail = (await client.get("/v1/skills/helper")).json()
    assert [v["version"] for v in detail["versions"]] == ["1.0.0"]
    # The fifteen that lost wrote nothing: one audit record and one feed event, the winner's.
    audit = (await client.get("/v1/audit", params={"artifact": "helper"})).json()["items"]
    assert [(r["action"], r["digest"]) for r in audit] == [("publish", winner)]
    feed = (await client.get("/v1/changes", params={"limit": 100})).json()["changes"]
    assert [(c["event"], c["digest"]) for c in feed] == [("published", winner)]


async def test_sixteen_concurrent_first_publishes_of_a_new_artifact_all_win(
    client: httpx.AsyncClient,
) -> None:
    """Sixteen versions of an artifact nobody published yet, at once: each statement that
    finds the artifact created by another still uncommitted publish waits, writes nothing,
    and runs again; every version is stored, with one audit record and one feed event each."""
    versions = [f"1.0.{i}" for i in range(16)]
    responses = await asyncio.gather(
        *(put(client, "skill", "fresh/helper", v, skill_file("helper")) for v in versions)
    )
    assert sorted(r.status_code for r in responses) == [201] * 16, [r.text for r in responses]
    detail = (await client.get("/v1/skills/fresh/helper")).json()
    assert sorted(v["version"] for v in detail["versions"]) == sorted(versions)
    feed = (await client.get("/v1/changes", params={"limit": 100})).json()["changes"]
    published = [c["version"] for c in feed if c["name"] == "helper" and c["event"] == "published"]
    assert sorted(published) == sorted(versions)
    audit = await client.get("/v1/audit", params={"artifact": "helper", "limit": 100})
    records = [r for r in audit.json()["items"] if r["action"] == "publish"]
    assert sorted(r["version"] for r in records) == sorted(versions)


async def test_sixteen_concurrent_identical_publishes_one_201_rest_200(
    client: httpx.AsyncClient,
) -> None:
    body = skill_file("helper")
    responses = await asyncio.gather(
        *(put(client, "skill", "helper", "1.0.0", body) for _ in range(16))
    )
    assert sorted(r.status_code for r in responses) == [200] * 15 + [201]
