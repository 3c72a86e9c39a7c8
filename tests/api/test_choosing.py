"""Choosing the version a range, tag or digest names: exactly the skill resolver's choice, read
from the versions that can be the answer only (issue 11: flat at 100k versions).

Reading every version of the agent and resolving among them cost ~45 ms of the one worker per
choice at 1,500 versions; each expiry of a cached range or tag answer paid it while every other
request waited (bench/README.md)."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from service.profiles import repository
from service.resolution.graph import Candidate, Requirement, ResolutionError, resolve
from service.resolution.refs import InvalidRef, RangeRef, TagRef, VersionRange, parse_ref
from service.semver import Version
from tests.helpers import agent_file, put

NPM = json.loads((Path(__file__).parents[1] / "resolution" / "npm_ranges.json").read_text())

VERSIONS = [
    "0.9.0",
    "1.0.0-alpha.1",
    "1.0.0",
    "1.0.1",
    "1.1.0-rc.1",
    "1.1.0",
    "1.2.0",
    "1.10.0",
    "2.0.0-beta.2",
    "2.0.0",
    "2.1.0-rc.1",
    "3.0.0",
]
YANKED = ["1.10.0", "2.0.0", "3.0.0"]
TAGS = {"stable": "1.2.0", "beta": "2.0.0", "next": "2.1.0-rc.1"}
REFS = [
    *("latest", "stable", "beta", "next", "missing-tag"),
    *("^1", "~1.1", ">=1.0.0-alpha.1 <1.0.1", "1.x || >=3", "*", "<1", ">2.0.0-beta.1 <2.1"),
    *("^2.1.0-rc.0", "1.0.0 - 1.2", "=1.10.0", "v1.2.0", "^4", "<0.9.0", ">=2.0.0-beta.2"),
    *("^1.0.0-alpha.0", "1 || 2", ">1.2.0 <=2.0.0", "x"),
    *list(NPM["cases"])[::3],
]


def test_a_range_accepts_nothing_outside_its_bounds() -> None:
    """The database reads only versions between `bounds()`: every version npm's ranges accept
    (702 ranges over 320 versions, tests/resolution/npm_ranges.json) lies within them."""
    versions = [Version.parse(v) for v in NPM["versions"]]
    checked = 0
    for text in NPM["cases"]:
        try:
            ref = parse_ref(text)
        except InvalidRef:
            continue
        if not isinstance(ref, RangeRef):
            continue
        low, high = ref.range.bounds()
        for version in versions:
            if ref.range.satisfies(version):
                assert low is None or low <= version, (text, str(version), str(low))
                assert high is None or version <= high, (text, str(version), str(high))
                checked += 1
    assert checked > 5000
    assert VersionRange.parse("^1.2").bounds() == (Version(1, 2, 0), Version(2, 0, 0, ("0",)))
    assert VersionRange.parse("<1 || >=3").bounds() == (None, None)
    assert VersionRange.parse("1.2.3 || 2.x").bounds() == (
        Version(1, 2, 3),
        Version(3, 0, 0, ("0",)),
    )


async def _publish(client: httpx.AsyncClient) -> tuple[list[Candidate], dict[str, Version]]:
    for version in VERSIONS:
        response = await put(client, "agent", "tester", version, agent_file())
        assert response.status_code == 201, response.text
    for tag, version in TAGS.items():
        response = await client.put(f"/v1/agents/tester/tags/{tag}", json={"version": version})
        assert response.status_code == 200, response.text
    for version in YANKED:
        response = await client.post(f"/v1/agents/tester/versions/{version}/yank", json={})
        assert response.status_code == 200, response.text
    tags = (await client.get("/v1/agents/tester")).json()["tags"]
    candidates = [
        Candidate("tester", Version.parse(v), f"sha256:{i:064x}", yanked=v in YANKED)
        for i, v in enumerate(VERSIONS)
    ]
    return candidates, {tag: Version.parse(v) for tag, v in tags.items()}


def _resolver_choice(ref: str, candidates: list[Candidate], tags: dict[str, Version]) -> str | None:
    try:
        chosen = resolve(
            [Requirement("tester", ref)], {"tester": candidates}, root="t", tags={"tester": tags}
        )
    except ResolutionError:
        return None
    return str(chosen.order[0].version)


@pytest.mark.parametrize("page", [2, repository.CHOICE_PAGE])
async def test_every_range_and_tag_picks_what_the_skill_resolver_picks(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    """Prereleases, yanked versions (a yanked `beta` tag, yanked highest versions), tags and
    `latest`, npm's ranges; with pages of two versions too, so that choosing reads on below a
    page of versions none of which the range takes."""
    monkeypatch.setattr(repository, "CHOICE_PAGE", page)
    candidates, tags = await _publish(client)
    compared = 0
    for ref in filter(str.strip, REFS):  # `tester@` with nothing after is refused (400)
        try:
            kind = parse_ref(ref)
        except InvalidRef:
            continue
        if isinstance(kind, RangeRef | TagRef):
            expected = _resolver_choice(ref, candidates, tags)
            answer = await client.get(f"/v1/profiles/tester@{urllib.parse.quote(ref.strip())}")
            if expected is None:
                assert answer.status_code == 404, (ref, answer.text)
                assert answer.json()["code"] == "not_found"
                assert "available: 3.0.0, 2.1.0-rc.1, 2.0.0, 2.0.0-beta.2" in answer.text
            else:
                assert answer.status_code == 200, (ref, answer.text)
                assert answer.json()["version"] == expected, ref
            compared += 1
    assert compared > 100


async def test_a_digest_picks_the_highest_not_yanked_of_the_versions_it_names(
    client: httpx.AsyncClient,
) -> None:
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        assert (await put(client, "agent", "tester", version, agent_file())).status_code == 201
    assert (await put(client, "agent", "tester", "1.3.0", agent_file(model="opus"))).status_code
    same = (await client.get("/v1/agents/tester/versions/1.0.0")).json()["digest"]
    assert (await client.get(f"/v1/profiles/tester@{same}")).json()["version"] == "1.2.0"
    await client.post("/v1/agents/tester/versions/1.2.0/yank", json={})
    assert (await client.get(f"/v1/profiles/tester@{same}")).json()["version"] == "1.1.0"
    await client.post("/v1/agents/tester/versions/1.1.0/yank", json={})
    await client.post("/v1/agents/tester/versions/1.0.0/yank", json={})
    assert (await client.get(f"/v1/profiles/tester@{same}")).json()["version"] == "1.2.0"


async def test_choosing_reads_a_page_of_versions_not_all_of_them(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """Every statement that reads the agent's versions to choose one is bounded (LIMIT): the
    old choice read all of them (no LIMIT) and resolved among them in Python."""
    for minor in range(6):
        response = await put(client, "agent", "tester", f"1.{minor}.0", agent_file())
        assert response.status_code == 201
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(" ".join(str(args[2]).split()))

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for ref in ("%5E1", "latest", "~1.2", "1.x%20%7C%7C%20%3E=3"):
            app.state.profile_cache.clear()
            answer = await client.get(f"/v1/profiles/tester@{ref}")
            assert answer.status_code == 200, answer.text
        same = (await client.get("/v1/agents/tester/versions/1.0.0")).json()["digest"]
        app.state.profile_cache.clear()
        assert (await client.get(f"/v1/profiles/tester@{same}")).json()["version"] == "1.5.0"
    finally:
        event.remove(engine, "before_cursor_execute", record)
    reads = [s for s in statements if "FROM artifact_versions" in s and "version =" not in s]
    assert reads, statements
    unbounded = [s for s in reads if " LIMIT " not in s]
    assert not unbounded, unbounded
