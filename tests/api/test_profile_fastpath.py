"""The profile fast path: a warm answer comes from memory, byte for byte what the route sends,
never to a caller the route would refuse, and never older than the TTL backstop."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import re
import time
import tracemalloc
import urllib.parse

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from service.app import create_app
from service.profiles.cache import ProfileCache, ProfileKey
from service.settings import Settings
from service.signing.signer import JOSE
from tests.helpers import agent_file, bearer, client_for, create_token, metric, put, serving

# Differ per answer by design: the request id (echoed) and nothing else.
VOLATILE = {"x-request-id"}


def _stable(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VOLATILE}


async def test_a_warm_answer_is_what_the_route_sent_and_is_counted_as_a_hit(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    cases = [
        ("/v1/profiles/tester@1.0.0", {}),
        ("/v1/profiles/tester@1.0.0?format=markdown", {}),
        ("/v1/profiles/tester@1.0.0", {"Accept": "text/markdown"}),
        ("/v1/profiles/tester@%5E1", {}),
        ("/v1/profiles/default/tester", {}),
    ]
    before = metric((await client.get("/metrics")).text, "registry_profile_cache_hits_total")
    for path, headers in cases:
        first = await client.get(path, headers=headers)  # the route: fills the cache
        second = await client.get(path, headers=headers)  # memory
        assert first.status_code == second.status_code == 200, (path, first.text)
        assert second.content == first.content, path
        assert _stable(second) == _stable(first), path
        etag = first.headers["etag"]
        not_modified = await client.get(path, headers={**headers, "If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        assert "registry-signature" not in not_modified.headers
    metrics = (await client.get("/metrics")).text
    # Two hits per case, plus the first Accept: text/markdown (it shares ?format=markdown's entry).
    assert metric(metrics, "registry_profile_cache_hits_total") - before == 2 * len(cases) + 1
    assert metric(metrics, "registry_profile_cache_entries") >= 4
    # Logged and measured under the route's template, like any answer from the route.
    assert (
        'registry_http_requests_total{method="GET",route="/v1/profiles/{spec:path}",status="200"}'
        in metrics
    )
    # `?resolve=latest` is never cached: the route answers it each time.
    entries = len(app.state.profile_cache)
    resolved = await client.get("/v1/profiles/tester@1.0.0?resolve=latest")
    assert resolved.status_code == 200 and len(app.state.profile_cache) == entries


async def test_with_anonymous_reads_off_a_warm_profile_needs_a_token_that_may_read_it(
    settings: Settings, clean_db: None
) -> None:
    closed = settings.model_copy(update={"anonymous_read": False})
    async with serving(closed) as admin:
        assert (await put(admin, "agent", "tester", "1.0.0", agent_file())).status_code == 201
        reader = (await create_token(admin, ["default"], ["publish"], name="reader"))["token"]
        other = (await create_token(admin, ["team-x"], ["publish"], name="other"))["token"]
        path = "/v1/profiles/tester@1.0.0"
        warm = await admin.get(path)
        assert warm.status_code == 200 and (await admin.get(path)).content == warm.content
        etag = {"If-None-Match": warm.headers["etag"]}

        async def status(headers: dict[str, str]) -> int:
            return (await admin.get(path, headers={"Authorization": "", **headers})).status_code

        # The cache holds the answer, yet nobody the route would refuse gets it, not even a 304.
        for refused in ({}, bearer("areg_" + "x" * 40), {"Authorization": "Basic eDp5"}):
            assert await status(refused) == 401
            assert await status({**refused, **etag}) == 401
        assert await status(bearer(other)) == 403
        assert await status({**bearer(other), **etag}) == 403
        assert await status(bearer(reader)) == 200
        assert await status({**bearer(reader), **etag}) == 304
        # Revoked: refused at once by this process, although its reads were just served warm.
        token_id = next(
            t["id"]
            for t in (await admin.get("/v1/tokens")).json()["items"]
            if t["name"] == "reader"
        )
        assert (await admin.delete(f"/v1/tokens/{token_id}")).status_code == 204
        assert await status(bearer(reader)) == 401


async def test_a_remembered_read_token_is_not_served_past_its_expiry(
    settings: Settings, clean_db: None
) -> None:
    """The read-token memo spares the database a lookup for REGISTRY_READ_TOKEN_CACHE_SECONDS;
    a token's expiry is known when it is remembered, so it is never served past it (it was, for
    the rest of the memo's seconds: here a minute)."""
    closed = settings.model_copy(update={"anonymous_read": False, "read_token_cache_seconds": 60})
    async with serving(closed) as admin:
        assert (await put(admin, "agent", "tester", "1.0.0", agent_file())).status_code == 201
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
        reader = await create_token(
            admin, ["default"], ["read"], name="brief", expires_at=expires.isoformat()
        )
        path, headers = "/v1/profiles/tester@1.0.0", bearer(reader["token"])
        assert (await admin.get(path, headers=headers)).status_code == 200  # the route: remembered
        warm = await admin.get(path, headers=headers)
        assert warm.status_code == 200 and warm.headers["etag"]  # served from memory
        await asyncio.sleep((expires - dt.datetime.now(dt.UTC)).total_seconds() + 0.2)
        late = await admin.get(path, headers=headers)
        assert late.status_code == 401, late.text
        assert "expired" in late.json()["detail"]


async def test_an_entry_older_than_the_ttl_is_read_again(
    settings: Settings, database_url: str, clean_db: None
) -> None:
    """The backstop should a notice be lost: a change written without one (straight to the
    table here) is served from memory at most `profile_cache_ttl` seconds."""
    app = create_app(settings.model_copy(update={"profile_cache_ttl": 1.5}))
    cache: ProfileCache = app.state.profile_cache
    async with client_for(app) as client:
        assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
        path = "/v1/profiles/tester@1.0.0"
        for _ in range(100):  # nothing is cached until the app's cache listener is connected
            assert "warning" not in (await client.get(path)).headers
            metrics = (await client.get("/metrics")).text
            if metric(metrics, "registry_profile_cache_entries"):
                break
            await asyncio.sleep(0.05)
        connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            await connection.execute(
                "UPDATE artifact_versions SET deprecation_message = 'gone', deprecated_at = now()"
            )
        finally:
            await connection.close()
        assert "warning" not in (await client.get(path)).headers  # from memory, no notice came
        await asyncio.sleep(1.6)
        key = ProfileKey("default", "tester", "1.0.0", "json")
        entry = cache.get(key)
        assert entry is not None
        cache.refreshing(key, entry, time.monotonic() + 60)  # as if another request refreshed it
        assert "warning" not in (await client.get(path)).headers  # served meanwhile
        refreshing = cache.get(key)
        assert refreshing is not None
        cache.refreshing(key, refreshing, 0.0)
        assert "deprecated: gone" in (await client.get(path)).headers["warning"]


async def test_concurrent_misses_of_one_answer_are_read_once(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """A hot range or tag, dropped by a publish, is read by one request while the others that
    miss it meanwhile wait and are served the same answer from memory (no stampede of route
    builds: 32 of them at once made p99 400–600 ms in bench/run.py)."""
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        one = await client.get("/v1/profiles/tester@%5E1?format=markdown")  # alone, cold
        assert one.status_code == 200
        alone = len(statements)
        assert alone > 0
        statements.clear()
        answers = await asyncio.gather(*(client.get("/v1/profiles/tester@%5E1") for _ in range(16)))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert b'"version":"1.0.0"' in answers[0].content.replace(b" ", b"")
    assert len({a.headers["etag"] for a in answers}) == 1
    # As many statements as one cold fetch: one request read it, fifteen were served from memory.
    assert len(statements) == alone, statements


async def test_a_warm_answer_is_logged_once_with_its_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Answered in front of the middleware stack, yet logged and echoed like any other."""
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    path = "/v1/profiles/tester@1.0.0"
    etag = (await client.get(path)).headers["etag"]  # the route: fills the cache
    caplog.set_level(logging.INFO, logger="service.access")
    warm = await client.get(path, headers={"X-Request-ID": "warm-1"})
    same = await client.get(path, headers={"X-Request-ID": "warm-2", "If-None-Match": etag})
    generated = await client.get(path, headers={"X-Request-ID": "\x01bad"})
    assert (warm.status_code, same.status_code, generated.status_code) == (200, 304, 200)
    assert warm.headers["x-request-id"] == "warm-1" and same.headers["x-request-id"] == "warm-2"
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    records = [r.fields for r in caplog.records if r.name == "service.access"]  # type: ignore[attr-defined]
    assert [(r["request_id"], r["status"]) for r in records] == [
        ("warm-1", 200),
        ("warm-2", 304),
        (generated.headers["x-request-id"], 200),
    ]
    assert {r["route"] for r in records} == {"/v1/profiles/{spec:path}"}
    assert {r["path"] for r in records} == {path} and {r["actor"] for r in records} == {"anonymous"}


async def test_what_the_fast_path_remembers_of_refs_stays_small_however_long_they_are(
    client: httpx.AsyncClient,
) -> None:
    """Refs come from the URL, which may be very long: none longer than a ref can be (refused
    with a 400 anyway) is kept in memory after its answer."""
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    long_refs = [f"{n}.0.0-{'x' * 50_000}" for n in range(61)]
    first = await client.get(f"/v1/profiles/tester@{long_refs.pop()}")  # warm every code path
    assert first.status_code == 400 and first.json()["code"] == "invalid_reference"
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for ref in long_refs:
            response = await client.get(f"/v1/profiles/tester@{ref}")
            assert response.status_code == 400, response.text
        urllib.parse.urlsplit.cache_clear()  # type: ignore[attr-defined]  # stdlib memo (128 URLs)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000, f"{kept:,} bytes kept after 60 refs of 50 KB"


async def test_if_none_match_in_several_fields_is_one_list_to_the_route_and_the_fast_path(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """RFC 9110 §5.3: field lines of one name are one comma-separated list, whichever holds
    the matching tag (the route read only the first line, the fast path only the last)."""
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    # A first fetch of an exact version is read by the fast path, a range's by the route.
    for path in ("/v1/profiles/tester@1.0.0", "/v1/profiles/tester@%5E1"):
        etag = (await client.get(path)).headers["etag"]
        for lines in ([etag, '"other"'], ['"other"', etag]):
            fields = [("If-None-Match", line) for line in lines]
            app.state.profile_cache.clear()
            for answered in ("read", "from memory"):
                response = await client.get(path, headers=fields)
                assert response.status_code == 304, (path, lines, answered)
                assert response.headers["etag"] == etag


async def test_a_path_the_signature_route_answers_is_not_answered_from_memory(
    client: httpx.AsyncClient,
) -> None:
    """`/v1/profiles/tester/signature` is the signature of `tester`, never the profile of an
    agent `signature` in namespace `tester`, even once that profile is cached."""
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    other = await put(client, "agent", "tester/signature", "1.0.0", agent_file("signature"))
    assert other.status_code == 201
    path = "/v1/profiles/tester/signature"
    signature = await client.get(path)
    assert signature.status_code == 200 and signature.headers["content-type"] == JOSE
    warm = await client.get(f"{path}@latest")
    assert warm.status_code == 200 and warm.json()["name"] == "signature"
    assert (await client.get(f"{path}@latest")).content == warm.content  # now from memory
    again = await client.get(path)
    assert again.status_code == 200 and again.headers["content-type"] == JOSE
    assert again.content == signature.content


async def test_accept_in_several_field_lines_is_one_list_to_the_route_and_the_fast_path(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    both = [("Accept", "text/markdown"), ("Accept", "application/json")]
    markdown = [("Accept", "text/markdown"), ("Accept", "text/plain")]
    for path in ("/v1/profiles/tester@1.0.0", "/v1/profiles/tester@%5E1"):
        for fields, media in ((both, "application/json"), (markdown, "text/markdown")):
            for order in (fields, fields[::-1]):
                app.state.profile_cache.clear()
                for answered in ("read", "from memory"):
                    response = await client.get(path, headers=order)
                    assert response.status_code == 200
                    assert response.headers["content-type"].startswith(media), (
                        path,
                        order,
                        answered,
                    )


async def test_a_304_carries_the_headers_of_its_200_read_or_from_memory(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """ETag, Cache-Control, Vary, Content-Location, Warning and Deprecation alike (RFC 9110
    §15.4.5), for a yanked and deprecated version too; only the body's own headers differ."""
    for version in ("1.0.0", "1.1.0"):
        assert (await put(client, "agent", "tester", version, agent_file())).status_code == 201
    yank = await client.post("/v1/agents/tester/versions/1.0.0/yank", json={"reason": "bad"})
    assert yank.status_code == 200
    message = {"message": "use 2"}
    assert (
        await client.post("/v1/agents/tester/versions/1.1.0/deprecate", json=message)
    ).status_code == 200
    body_only = {"registry-signature", "content-type", "content-length"}
    cases = {
        "/v1/profiles/tester@1.0.0": {"warning", "cache-control", "vary"},
        "/v1/profiles/tester@%5E1?format=markdown": {"deprecation", "content-location"},
    }
    for path, present in cases.items():
        app.state.profile_cache.clear()
        ok = await client.get(path)
        assert ok.status_code == 200
        expected = {k: v for k, v in _stable(ok).items() if k not in body_only}
        assert present <= expected.keys(), expected
        etag = {"If-None-Match": ok.headers["etag"]}
        app.state.profile_cache.clear()
        for answered in ("read", "from memory"):
            not_modified = await client.get(path, headers=etag)
            assert not_modified.status_code == 304, (path, answered)
            assert _stable(not_modified) == expected, (path, answered)


async def test_the_access_log_names_the_token_whether_the_route_or_memory_answered(
    settings: Settings, clean_db: None, caplog: pytest.LogCaptureFixture
) -> None:
    """`actor` in the request log (README, Observability): the token's name on every answer
    to it, not only on a warm profile (the fast path set it; authentication never did)."""
    closed = settings.model_copy(update={"anonymous_read": False})
    async with serving(closed) as admin:
        reader = (await create_token(admin, ["default"], ["publish"], name="reader"))["token"]
        caplog.set_level(logging.INFO, logger="service.access")
        assert (await put(admin, "agent", "tester", "1.0.0", agent_file())).status_code == 201
        path = "/v1/profiles/tester@%5E1"
        for _ in range(2):  # read by the route, then from memory
            assert (await admin.get(path, headers=bearer(reader))).status_code == 200
        assert (await admin.get(path, headers={"Authorization": ""})).status_code == 401
    records = [r.fields for r in caplog.records if r.name == "service.access"]  # type: ignore[attr-defined]
    assert [(r["method"], r["status"], r["actor"]) for r in records] == [
        ("PUT", 201, "bootstrap"),
        ("GET", 200, "reader"),
        ("GET", 200, "reader"),
        ("GET", 401, "anonymous"),
    ]
