"""GET /v1/changes: every write as an event, in commit order, resumable, never skipping one."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from tests.helpers import digest, put, skill_file


async def _feed(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/changes", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_every_write_is_an_event_in_order_with_what_a_follower_needs(
    client: httpx.AsyncClient,
) -> None:
    first, second = skill_file("feed"), skill_file("feed", description="Second.")
    assert (await put(client, "skill", "feed", "1.0.0", first)).status_code == 201
    assert (await put(client, "skill", "feed", "1.1.0", second)).status_code == 201
    assert (await put(client, "skill", "feed", "1.1.0", second)).status_code == 200  # no event
    await client.put("/v1/skills/feed/tags/stable", json={"version": "1.0.0"})
    await client.post("/v1/skills/feed/versions/1.1.0/yank", json={"reason": "broken"})
    await client.delete("/v1/skills/feed/versions/1.1.0/yank")
    await client.post("/v1/skills/feed/versions/1.0.0/deprecate", json={"message": "use 1.1"})
    await client.delete("/v1/skills/feed/versions/1.0.0/deprecate")
    await client.delete("/v1/skills/feed/tags/stable")
    assert (await put(client, "skill", "feed", "9.0.0", b"no frontmatter")).status_code == 422

    body = await _feed(client)
    events = [(c["event"], c["version"], c["details"]) for c in body["changes"]]
    assert events == [
        ("published", "1.0.0", {}),
        ("published", "1.1.0", {}),
        ("tag.moved", "1.0.0", {"tag": "stable"}),
        ("yanked", "1.1.0", {"reason": "broken"}),
        ("unyanked", "1.1.0", {}),
        ("deprecated", "1.0.0", {"message": "use 1.1"}),
        ("undeprecated", "1.0.0", {}),
        ("tag.deleted", None, {"tag": "stable"}),
    ]
    seqs = [c["seq"] for c in body["changes"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert body["changes"][0]["digest"] == digest(first)
    assert {(c["kind"], c["namespace"], c["name"]) for c in body["changes"]} == {
        ("skill", "default", "feed")
    }
    # Nothing new: the cursor stays usable and yields nothing.
    assert (await _feed(client, since=body["next"]))["changes"] == []


async def test_pages_resume_from_the_cursor(client: httpx.AsyncClient) -> None:
    for index in range(5):
        body = skill_file(f"step-{index}")
        assert (await put(client, "skill", f"step-{index}", "1.0.0", body)).status_code == 201
    names: list[str] = []
    cursor = None
    for _ in range(10):
        page = await _feed(client, limit=2, **({"since": cursor} if cursor else {}))
        names += [c["name"] for c in page["changes"]]
        cursor = page["next"]
        if not page["changes"]:
            break
    assert names == [f"step-{index}" for index in range(5)]
    more = skill_file("step-5")
    assert (await put(client, "skill", "step-5", "1.0.0", more)).status_code == 201
    assert [c["name"] for c in (await _feed(client, since=cursor))["changes"]] == ["step-5"]


async def test_a_reader_waits_for_an_earlier_write_still_committing(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Writer A takes a position and stays open; writer B starts later. The feed never shows
    B without A: B's position comes after A's commit, and readers wait for A to settle."""
    slow = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    fast = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    insert = (
        "INSERT INTO changes (event, kind, namespace, name, version) "
        "VALUES ('deprecated', 'skill', 'default', $1, '1.0.0') RETURNING seq"
    )
    try:
        slow_tx = slow.transaction()
        await slow_tx.start()
        slow_seq = await slow.fetchval(insert, "slow")

        async def fast_write() -> int:
            async with fast.transaction():
                return int(await fast.fetchval(insert, "fast"))

        writer = asyncio.create_task(fast_write())
        reader = asyncio.create_task(_feed(client))
        await asyncio.sleep(0.5)
        # Neither may finish while A's position is in flight.
        assert not writer.done()
        assert not reader.done()
        await slow_tx.commit()
        fast_seq = await asyncio.wait_for(writer, timeout=30)
        body = await asyncio.wait_for(reader, timeout=30)
    finally:
        await slow.close()
        await fast.close()
    assert fast_seq > slow_seq
    names = [c["name"] for c in body["changes"]]
    assert names[0] == "slow"  # the reader saw A; B may or may not have been settled yet
    assert [c["name"] for c in (await _feed(client))["changes"]] == ["slow", "fast"]


async def test_a_bad_cursor_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/changes", params={"since": "%%%", "limit": 5000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "query.limit"
    response = await client.get("/v1/changes", params={"since": "bm90LWpzb24"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"
