"""GET /v1/search against a real PostgreSQL: ranking, typos, filters, snapshot pagination."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import agent_file, publish_examples, put, skill_file


async def _search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [f"{r['kind']}:{r['name']}" for r in body["results"]]


async def _has_trigrams(database_url: str) -> bool:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        return bool(
            await connection.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        )
    finally:
        await connection.close()


async def test_search_ranks_name_matches_first_and_highlights_the_words(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    body = await _search(client, q="flask")
    names = _names(body)
    # Name matches (weight A) outrank matches in descriptions and instructions only.
    assert names[:2] == ["skill:python-flask", "agent:flask-specialist"] or names[:2] == [
        "agent:flask-specialist",
        "skill:python-flask",
    ]
    assert "agent:dev-python" in names  # "Flask" is in its description
    first = body["results"][0]
    assert first["version"] == "1.0.0"
    assert first["score"] > body["results"][-1]["score"]
    highlight = first["highlights"][0]
    start, end = highlight["matches"][0]
    assert highlight["text"][start:end].lower().startswith("flask")
    assert body["next"] is None


async def test_search_finds_a_misspelt_name_through_trigrams(
    client: httpx.AsyncClient, database_url: str
) -> None:
    if not await _has_trigrams(database_url):
        pytest.skip("this PostgreSQL has no pg_trgm (the embedded pgserver build lacks contrib)")
    await publish_examples(client)
    body = await _search(client, q="dev-pyhton")
    assert _names(body)[0] == "agent:dev-python"


async def test_search_without_pg_trgm_matches_words_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """What a PostgreSQL without pg_trgm (the embedded pgserver build) answers: words still
    match and rank, a misspelt name finds nothing instead of failing."""
    features = app.state.search_features
    learnt = features.trigrams
    features.trigrams = False
    try:
        await publish_examples(client)
        assert _names(await _search(client, q="dev-pyhton")) == []
        words = await _search(client, q="flask")
        assert {"skill:python-flask", "agent:flask-specialist"} == set(_names(words)[:2])
        assert all(result["score"] > 0 for result in words["results"][:2])
    finally:
        features.trigrams = learnt


async def test_a_match_in_the_instructions_alone_ranks_after_the_description(
    client: httpx.AsyncClient,
) -> None:
    """Relevance is ranked on the name and description; the instructions only match."""
    inside = b"---\nname: inner\ndescription: Reviews code.\n---\n\nAlways consult the zebracorn.\n"
    described = agent_file("outer", description="Asks the zebracorn.")
    for name, body in (("inner", inside), ("outer", described)):
        assert (await put(client, "agent", name, "1.0.0", body)).status_code == 201
    results = (await _search(client, q="zebracorn"))["results"]
    assert [(r["name"], r["score"] > 0) for r in results] == [("outer", True), ("inner", False)]
    [highlight] = results[1]["highlights"]
    assert highlight["field"] == "instructions" and "zebracorn" in highlight["text"]


async def test_search_filters_by_skill_tool_model_kind_and_namespace(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    other = agent_file("reviewer", tools="Read, Grep", model="opus", skills="code-review-practices")
    assert (await put(client, "agent", "team/reviewer", "1.0.0", other)).status_code == 201

    uses_git = await _search(client, skill="git-workflow")
    assert "agent:dev-python" in _names(uses_git)
    assert all(r["name"] != "reviewer" for r in uses_git["results"])

    reviewers = await _search(client, skill="default/code-review-practices", kind="agent")
    assert {r["name"] for r in reviewers["results"]} >= {"dev-python", "reviewer"}

    writers = await _search(client, tool="Write", kind="agent")
    assert "reviewer" not in {r["name"] for r in writers["results"]}
    assert "dev-python" in {r["name"] for r in writers["results"]}

    opus = await _search(client, model="opus")
    assert [(r["namespace"], r["name"]) for r in opus["results"]] == [("team", "reviewer")]

    team = await _search(client, namespace="team")
    assert _names(team) == ["agent:reviewer"]

    skills = await _search(client, kind="skill", sort="name")
    assert {r["kind"] for r in skills["results"]} == {"skill"}
    assert [r["name"] for r in skills["results"]] == sorted(r["name"] for r in skills["results"])


async def test_search_shows_the_latest_non_yanked_version(client: httpx.AsyncClient) -> None:
    first = skill_file("notes", description="Keeps notes about walruses.")
    second = skill_file("notes", description="Keeps notes about narwhals.")
    assert (await put(client, "skill", "notes", "1.0.0", first)).status_code == 201
    assert (await put(client, "skill", "notes", "1.1.0", second)).status_code == 201

    body = await _search(client, q="narwhals")
    assert [(r["name"], r["version"]) for r in body["results"]] == [("notes", "1.1.0")]
    assert (await _search(client, q="walruses"))["results"] == []

    response = await client.post("/v1/skills/notes/versions/1.1.0/yank", json={"reason": "x"})
    assert response.status_code == 200
    body = await _search(client, q="walruses")
    assert [(r["name"], r["version"]) for r in body["results"]] == [("notes", "1.0.0")]
    assert (await _search(client, q="narwhals"))["results"] == []

    await client.delete("/v1/skills/notes/versions/1.1.0/yank")
    assert (await _search(client, q="narwhals"))["results"][0]["version"] == "1.1.0"


@pytest.mark.parametrize("sort", ["name", "published", "relevance"])
async def test_pages_stay_one_snapshot_while_versions_are_published(
    client: httpx.AsyncClient, sort: str
) -> None:
    for index in range(7):
        body = skill_file(f"page-{index}", description=f"Paging skill {'with ' * index}words.")
        assert (await put(client, "skill", f"page-{index}", "1.0.0", body)).status_code == 201

    seen: list[tuple[str, str]] = []
    page = await _search(client, q="paging", sort=sort, limit=3)
    seen += [(r["name"], r["version"]) for r in page["results"]]
    # Between pages: every artifact gets a new version (which moves it to the top of
    # `published` and changes its rank), and a new artifact appears.
    for index in range(7):
        body = skill_file(f"page-{index}", description="Paging skill renewed, renewed, renewed.")
        assert (await put(client, "skill", f"page-{index}", "2.0.0", body)).status_code == 201
    newcomer = skill_file("page-new", description="Paging newcomer.")
    assert (await put(client, "skill", "page-new", "1.0.0", newcomer)).status_code == 201
    while page["next"]:
        page = await _search(client, q="paging", sort=sort, limit=3, cursor=page["next"])
        seen += [(r["name"], r["version"]) for r in page["results"]]

    # Exactly the snapshot the first page saw: every artifact once, at its version then.
    assert sorted(seen) == [(f"page-{index}", "1.0.0") for index in range(7)]
    fresh = await _search(client, q="paging", sort=sort, limit=20)
    assert len(fresh["results"]) == 8
    assert {r["version"] for r in fresh["results"] if r["name"] != "page-new"} == {"2.0.0"}


async def test_search_refuses_bad_requests_with_problems(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/search", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_cursor"

    response = await client.get("/v1/search", params={"sort": "relevance"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "query.sort"

    response = await client.get("/v1/search", params={"sort": "size", "limit": 0})
    assert response.status_code == 422
    assert {e["loc"] for e in response.json()["errors"]} == {"query.sort", "query.limit"}

    for index in range(3):
        body = skill_file(f"cur-{index}")
        assert (await put(client, "skill", f"cur-{index}", "1.0.0", body)).status_code == 201
    page = await _search(client, sort="name", limit=1)
    response = await client.get(
        "/v1/search", params={"q": "other", "sort": "name", "cursor": page["next"]}
    )
    assert response.status_code == 400
    assert "another search" in response.json()["detail"]
