"""How stored profiles sit in PostgreSQL (migration a7d2e5f3c1b8): each body's SHA-256 kept
beside it by the server, the ETag derived from it, and no pglz to undo on every first fetch."""

from __future__ import annotations

import hashlib

import asyncpg
import httpx

from service.profiles.repository import StoredProfile, profile_etag
from tests.helpers import agent_file, put

# A profile past the ~2 KB at which PostgreSQL moves a value out of line (and compresses it).
LONG = "Runs the tests, " + "checking each module in turn and reporting what failed; " * 200


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _stored(database_url: str) -> asyncpg.Record:
    connection = await asyncpg.connect(_plain(database_url))
    try:
        return await connection.fetchrow(
            "SELECT v.profile_json, v.profile_json_sha256, v.profile_markdown,"
            " v.profile_markdown_sha256, pg_column_compression(v.profile_json) AS compression,"
            " 'lz4' = ANY(s.enumvals) AS lz4"
            " FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id,"
            " pg_settings s WHERE a.name = 'tester' AND s.name = 'default_toast_compression'"
        )
    finally:
        await connection.close()


async def test_each_stored_body_has_its_sha256_also_after_a_yank_rewrites_it(
    client: httpx.AsyncClient, database_url: str
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    before = await _stored(database_url)
    assert before["profile_json_sha256"] == hashlib.sha256(before["profile_json"]).digest()
    assert before["profile_markdown_sha256"] == hashlib.sha256(before["profile_markdown"]).digest()
    etag = (await client.get("/v1/profiles/tester@1.0.0")).headers["etag"]

    assert (await client.post("/v1/agents/tester/versions/1.0.0/yank", json={})).status_code == 200
    after = await _stored(database_url)
    assert after["profile_json"] != before["profile_json"]  # the yank is in the body
    assert after["profile_json_sha256"] == hashlib.sha256(after["profile_json"]).digest()
    yanked = await client.get("/v1/profiles/tester@1.0.0")
    assert yanked.json()["yanked"] is True
    assert yanked.headers["etag"] != etag
    # The ETag served is the one derived from the stored hash, as a body rendered for a request
    # (no stored hash) would get from hashing it: one validator for the same bytes.
    row = StoredProfile(0, "1.0.0", "", True, None, None, None, yanked.content)
    assert yanked.headers["etag"] == profile_etag(row, "json", resolve_latest=False)


async def test_a_long_profile_is_stored_lz4_where_the_server_has_it_else_uncompressed(
    client: httpx.AsyncClient, database_url: str
) -> None:
    body = agent_file(description=LONG)
    assert (await put(client, "agent", "tester", "1.0.0", body)).status_code == 201
    stored = await _stored(database_url)
    assert len(stored["profile_json"]) > 10_000
    assert stored["compression"] == ("lz4" if stored["lz4"] else None)
    answer = await client.get("/v1/profiles/tester@1.0.0")
    assert answer.content == stored["profile_json"]
