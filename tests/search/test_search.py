"""GET /v1/search against a real PostgreSQL: ranking, typos, filters, snapshot pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from service.app import create_app
from service.search.repository import SearchRepository
from service.settings import Settings
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


async def _publish_skill(
    client: httpx.AsyncClient, name: str, description: str, version: str = "1.0.0"
) -> None:
    body = skill_file(name, description=description)
    assert (await put(client, "skill", name, version, body)).status_code == 201


async def _renew(client: httpx.AsyncClient, prefix: str, count: int, description: str) -> None:
    """Version 2.0.0 of skills `prefix-0` … `prefix-{count - 1}`, with this description."""
    for index in range(count):
        await _publish_skill(client, f"{prefix}-{index}", description, "2.0.0")


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
    await _renew(client, "page", 7, "Paging skill renewed, renewed, renewed.")
    await _publish_skill(client, "page-new", "Paging newcomer.")
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


@pytest_asyncio.fixture(loop_scope="session")
async def windowed(settings: Settings, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """The test app over the same database with a ranking window of 4 matches."""
    app = create_app(settings.model_copy(update={"search_rank_window": 4}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
            yield http


async def _herd(client: httpx.AsyncClient, database_url: str, count: int) -> None:
    """`count` skills whose descriptions say "zebu" 1-3 times (so their scores differ),
    published oldest `herd-0` to newest, and two that do not: most artifacts match."""
    for index in range(count):
        words = " ".join(["zebu"] * (1 + index % 3))
        body = skill_file(f"herd-{index}", description=f"Tends the {words} herd number {index}.")
        assert (await put(client, "skill", f"herd-{index}", "1.0.0", body)).status_code == 201
    for name in ("lone-goat", "lone-yak"):
        assert (await put(client, "skill", name, "1.0.0", skill_file(name))).status_code == 201
    # The window applies when a quarter of all documents match, by the planner's row estimate.
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        await connection.execute("ANALYZE search_documents")
    finally:
        await connection.close()


def _scored(body: dict[str, Any]) -> list[tuple[str, float]]:
    return [(r["name"], r["score"]) for r in body["results"]]


async def test_a_word_in_most_artifacts_ranks_the_newest_matches_only(
    client: httpx.AsyncClient, windowed: httpx.AsyncClient, database_url: str
) -> None:
    await _herd(client, database_url, 9)
    exact = await _search(client, q="zebu")  # the default window (1000) holds every match
    assert exact["approximate"] is False
    assert len(exact["results"]) == 9
    scores = dict(_scored(exact))

    capped = await _search(windowed, q="zebu")
    assert capped["approximate"] is True and capped["next"] is None
    # The 4 most recently published matches, each with its exact score, best first.
    assert {name for name, _ in _scored(capped)} == {f"herd-{i}" for i in (5, 6, 7, 8)}
    assert all(scores[name] == score for name, score in _scored(capped))
    ranked = [score for _, score in _scored(capped)]
    assert ranked == sorted(ranked, reverse=True) and ranked[0] > ranked[-1]
    # Filters apply before the window: the newest 4 matching agents (there are none).
    assert (await _search(windowed, q="zebu", kind="agent"))["results"] == []
    # Fewer matches than a quarter of the registry (or than the window): ranked in full.
    few = await _search(windowed, q="number 2")
    assert few["approximate"] is False and [n for n, _ in _scored(few)] == ["herd-2"]
    # Other orders do not rank, so they are never capped.
    by_name = await _search(windowed, q="zebu", sort="name", limit=50)
    assert by_name["approximate"] is False and len(by_name["results"]) == 9
    # Scored for the page's rows alone, the same scores as ranked.
    assert dict(_scored(by_name)) == scores


@pytest.mark.parametrize("sort", ["name", "published"])
async def test_a_word_in_most_artifacts_sorted_by_name_or_date_is_exact(
    client: httpx.AsyncClient, windowed: httpx.AsyncClient, database_url: str, sort: str
) -> None:
    """Common words (for the windowed app) are paged by walking the sort's index: the same
    pages, in the same order with the same scores, as reading every match (the default app)."""
    await _herd(client, database_url, 9)
    everything = await _search(client, q="zebu", sort=sort, limit=50)
    assert len(everything["results"]) == 9
    page = await _search(windowed, q="zebu", sort=sort, limit=2)
    walked = _scored(page)
    while page["next"]:
        page = await _search(windowed, q="zebu", sort=sort, limit=2, cursor=page["next"])
        assert page["approximate"] is False
        walked += _scored(page)
    assert walked == _scored(everything)


async def test_a_similar_name_outside_the_window_keeps_its_word_score(
    client: httpx.AsyncClient, windowed: httpx.AsyncClient, database_url: str
) -> None:
    if not await _has_trigrams(database_url):
        pytest.skip("this PostgreSQL has no pg_trgm (the embedded pgserver build lacks contrib)")
    first = skill_file("zebu", description="The zebu itself, zebu zebu.")
    assert (await put(client, "skill", "zebu", "1.0.0", first)).status_code == 201
    await _herd(client, database_url, 9)
    exact = dict(_scored(await _search(client, q="zebu")))
    capped = await _search(windowed, q="zebu")
    assert capped["approximate"] is True
    # The oldest match is outside the window, but its name matches: found, scored in full.
    assert _scored(capped)[0] == ("zebu", exact["zebu"])


async def test_pages_over_the_window_stay_one_snapshot(
    client: httpx.AsyncClient, windowed: httpx.AsyncClient, database_url: str
) -> None:
    await _herd(client, database_url, 9)
    page = await _search(windowed, q="zebu", limit=3)
    assert page["approximate"] is True
    seen = _scored(page)
    # Between pages every herd member gets a new version (now the newest, with another score)
    # and a newcomer matches: the window stays the one the first page ranked.
    await _renew(client, "herd", 9, "A zebu zebu zebu zebu renewed.")
    await _publish_skill(client, "zebu-calf", "A zebu calf.")
    while page["next"]:
        page = await _search(windowed, q="zebu", limit=3, cursor=page["next"])
        assert page["approximate"] is True
        seen += _scored(page)
    assert sorted(name for name, _ in seen) == [f"herd-{i}" for i in (5, 6, 7, 8)]
    ranked = [score for _, score in seen]
    assert ranked == sorted(ranked, reverse=True)


@pytest.mark.parametrize(
    ("sort", "words"), [("name", {}), ("published", {}), ("relevance", {"q": "gap"})]
)
async def test_a_publish_committing_while_the_first_page_is_read_hides_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, sort: str, words: dict[str, str]
) -> None:
    """The first page pins the settled feed position, then reads the documents current then.
    A new version committed between the two (here: forced into that gap) replaces a document
    after the position: the artifact must still be found, at the version it had then."""
    for index in range(3):
        await _publish_skill(client, f"gap-{index}", "Gap skill.")
    position = SearchRepository.position
    raced: list[int] = []

    async def then_publish(self: SearchRepository, at: int | None, common: Any = None) -> Any:
        found = await position(self, at, common)
        if not raced:
            raced.append(found[0])
            await _publish_skill(client, "gap-1", "Gap skill renewed.", "2.0.0")
        return found

    monkeypatch.setattr(SearchRepository, "position", then_publish)
    body = await _search(client, sort=sort, **words)
    assert raced, "the search did not pin a position"
    assert sorted((r["name"], r["version"]) for r in body["results"]) == [
        ("gap-0", "1.0.0"),
        ("gap-1", "1.0.0"),
        ("gap-2", "1.0.0"),
    ]
    monkeypatch.undo()
    fresh = await _search(client, sort="name")
    assert [(r["name"], r["version"]) for r in fresh["results"]] == [
        ("gap-0", "1.0.0"),
        ("gap-1", "2.0.0"),
        ("gap-2", "1.0.0"),
    ]
