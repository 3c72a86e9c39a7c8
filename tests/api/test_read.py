"""Reading: versions in SemVer order, search with cursors, 404s as problem+json."""

from __future__ import annotations

import httpx

from tests.helpers import publish_examples, put, skill_file


async def test_versions_are_listed_newest_first_by_semver(client: httpx.AsyncClient) -> None:
    published = ["1.2.0", "1.10.0", "2.0.0-rc.1", "2.0.0-rc.11", "2.0.0-rc.2", "2.0.0", "1.0.0"]
    for i, version in enumerate(published):
        body = skill_file("helper", license=f"v{i}")
        assert (await put(client, "skill", "helper", version, body)).status_code == 201
    detail = (await client.get("/v1/skills/helper")).json()
    assert [v["version"] for v in detail["versions"]] == [
        "2.0.0",
        "2.0.0-rc.11",
        "2.0.0-rc.2",
        "2.0.0-rc.1",
        "1.10.0",
        "1.2.0",
        "1.0.0",
    ]
    assert detail["latest"] == "2.0.0"
    assert detail["versions"][0]["yanked"] is False


async def test_latest_ignores_prereleases(client: httpx.AsyncClient) -> None:
    await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    await put(client, "skill", "helper", "2.0.0-beta.1", skill_file("helper", license="x"))
    assert (await client.get("/v1/skills/helper")).json()["latest"] == "1.0.0"


async def test_search_by_text_matches_name_and_description(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    by_name = (await client.get("/v1/skills", params={"q": "python-"})).json()
    assert [i["name"] for i in by_name["items"]] == [
        "python-aws",
        "python-data-processing",
        "python-flask",
        "python-testing",
    ]
    by_description = (await client.get("/v1/skills", params={"q": "boto3"})).json()
    assert [i["name"] for i in by_description["items"]] == ["python-aws"]
    agents = (await client.get("/v1/agents", params={"q": "FLASK"})).json()
    assert {i["name"] for i in agents["items"]} == {"dev-python", "flask-specialist"}
    wildcard = (await client.get("/v1/skills", params={"q": "%"})).json()
    assert wildcard["items"] == []


async def test_list_paginates_with_cursor_until_exhausted(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/skills", params=params)).json()
        seen += [item["name"] for item in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert pages == 2
    assert seen == sorted(seen) and len(seen) == 6
    first = (await client.get("/v1/skills", params={"limit": 1})).json()["items"][0]
    assert first == {
        "kind": "skill",
        "namespace": "default",
        "name": "code-review-practices",
        "latest": "1.0.0",
        "description": first["description"],
        "versionCount": 1,
    }
    assert first["description"].startswith("Review code changes")


async def test_bad_cursor_and_bad_limit_are_problems(client: httpx.AsyncClient) -> None:
    bad_cursor = await client.get("/v1/skills", params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["code"] == "invalid_cursor"
    bad_limit = await client.get("/v1/skills", params={"limit": 0})
    assert bad_limit.status_code == 422
    assert bad_limit.headers["content-type"] == "application/problem+json"
    assert bad_limit.json()["errors"][0]["loc"] == "query.limit"


async def test_unknown_artifact_and_version_are_404_problems(client: httpx.AsyncClient) -> None:
    await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    cases = {
        "/v1/skills/nothing": "no skill named default/nothing",
        "/v1/skills/helper/versions/2.0.0": "skill default/helper has no version 2.0.0",
        "/v1/skills/helper/versions/2.0.0/raw": "skill default/helper has no version 2.0.0",
        "/v1/agents/helper": "no agent named default/helper",
    }
    for path, detail in cases.items():
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == detail
        assert response.json()["code"] == "not_found"


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
