"""The in-process profile cache: bounded by bytes, invalidated by lifecycle changes, and what
an app serves when its database is cut off (through a loopback proxy the test controls)."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from service.app import create_app
from service.db.engine import LISTENER_APPLICATION_NAME, create_listener_engine
from service.profiles.cache import ENTRY_OVERHEAD, CachedProfile, ProfileCache, ProfileKey
from service.profiles.invalidation import CHANNEL, InvalidationListener, ProfileChange
from service.settings import Settings
from tests.faults.proxy import FaultProxy, fault_proxy
from tests.helpers import ADMIN, ADMIN_TOKEN, agent_file, client_for, metric, put, serving
from tests.servers import execute, plain


def _entry(version: str, size: int = 100, *, moving: bool = False) -> CachedProfile:
    return CachedProfile(
        version=version,
        moving=moving,
        body=b"x" * size,
        etag='"e"',
        yanked=False,
        yank_reason=None,
        deprecated=None,
        deprecated_at=None,
    )


def _key(ref: str, name: str = "tester") -> ProfileKey:
    return ProfileKey("default", name, ref, "json")


def test_an_answer_read_before_a_change_that_concerns_it_is_not_kept() -> None:
    cache = ProfileCache(max_bytes=1 << 20)
    exact, ranged, other = _key("1.0.0"), _key("^1"), _key("1.0.0", name="other")
    by_digest = _key("sha256:" + "0" * 64)  # versions from the same bytes share it
    stamps = {key: cache.stamp(key) for key in (exact, ranged, other, by_digest)}
    cache.invalidate_moving("default", "tester")  # a new version of tester was published
    cache.put(exact, _entry("1.0.0"), stamps[exact])  # exact answers do not move: kept
    cache.put(ranged, _entry("1.1.0", moving=True), stamps[ranged])  # may be stale: dropped
    cache.put(by_digest, _entry("1.0.0"), stamps[by_digest])  # the new one may share it
    assert cache.get(exact) is not None and cache.get(ranged) is None
    assert cache.get(by_digest) is None
    stamps = {key: cache.stamp(key) for key in (exact, other)}
    cache.invalidate_version("default", "tester", "1.0.0")  # yanked while being read
    cache.put(exact, _entry("1.0.0"), stamps[exact])
    cache.put(other, _entry("1.0.0"), stamps[other])  # another artifact: unaffected
    assert cache.get(exact) is None and cache.get(other) is not None
    stamp = cache.stamp(other)
    cache.clear()  # the listener reconnected: everything read before is suspect
    cache.put(other, _entry("1.0.0"), stamp)
    assert len(cache) == 0


def test_cache_is_bounded_by_bytes_and_drops_least_recently_used_first() -> None:
    each = 100 + 3 + ENTRY_OVERHEAD
    cache = ProfileCache(max_bytes=3 * each)
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        cache.put(_key(version), _entry(version))
    assert len(cache) == 3 and cache.bytes_used == 3 * each
    assert cache.get(_key("1.0.0")) is not None  # now the most recently used
    cache.put(_key("2.0.0"), _entry("2.0.0"))
    assert cache.get(_key("1.1.0")) is None
    assert {v for v in ("1.0.0", "1.2.0", "2.0.0") if cache.get(_key(v))} == {
        "1.0.0",
        "1.2.0",
        "2.0.0",
    }
    cache.put(_key("3.0.0"), _entry("3.0.0", size=10 * each))  # larger than the whole cache
    assert cache.get(_key("3.0.0")) is None and cache.bytes_used == 3 * each
    cache.put(_key("1.0.0"), _entry("1.0.0", size=50))  # replacing re-counts the bytes
    assert cache.bytes_used == 2 * each + 50 + 3 + ENTRY_OVERHEAD
    assert len(ProfileCache(max_bytes=0)) == 0
    disabled = ProfileCache(max_bytes=0)
    disabled.put(_key("1.0.0"), _entry("1.0.0"))
    assert disabled.get(_key("1.0.0")) is None


def test_invalidation_by_version_and_of_moving_answers() -> None:
    cache = ProfileCache(max_bytes=1 << 20)
    cache.put(_key("1.0.0"), _entry("1.0.0"))
    cache.put(_key("1.1.0"), _entry("1.1.0"))
    cache.put(_key("^1"), _entry("1.1.0", moving=True))
    cache.put(_key("latest"), _entry("1.1.0", moving=True))
    cache.put(_key("1.0.0", name="other"), _entry("1.0.0"))
    assert cache.invalidate_version("default", "tester", "1.0.0") == 3  # 1.0.0, ^1, latest
    assert cache.get(_key("1.1.0")) is not None and cache.get(_key("^1")) is None
    cache.put(_key("stable"), _entry("1.1.0", moving=True))
    assert cache.invalidate_moving("default", "tester") == 1
    assert cache.get(_key("1.1.0")) is not None
    assert cache.get(_key("1.0.0", name="other")) is not None
    cache.clear()
    assert len(cache) == 0 and cache.bytes_used == 0


@pytest.fixture
def proxy(database_url: str) -> Iterator[FaultProxy]:
    with fault_proxy(database_url) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def proxied(
    proxy: FaultProxy, database_url: str, clean_db: None
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=proxy.url_for(database_url),
        db_connect_timeout=1,
        db_statement_timeout=2,
    )
    async with serving(settings) as http:
        yield http


async def test_outage_serves_cached_profiles_stale_and_503_for_the_rest(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    for version in ("1.0.0", "1.1.0"):
        assert (await put(proxied, "agent", "tester", version, agent_file())).status_code == 201
    fresh = await proxied.get("/v1/profiles/tester@1.0.0")
    ranged = await proxied.get("/v1/profiles/tester@^1")
    assert fresh.status_code == ranged.status_code == 200
    proxy.cut()
    started = dt.datetime.now(dt.UTC)
    # A warm answer is served from memory without asking the database at all (the fast path),
    # until a request that must ask finds it gone: from then on answers are marked stale.
    unknown = await proxied.get("/v1/profiles/tester@1.1.0")
    assert unknown.status_code == 503, unknown.text
    stale = await proxied.get("/v1/profiles/tester@1.0.0")
    assert stale.status_code == 200
    assert stale.content == fresh.content
    assert stale.headers["etag"] == fresh.headers["etag"]
    assert stale.headers["warning"] == '110 - "Response is Stale"'
    stale_range = await proxied.get("/v1/profiles/tester@^1")
    assert stale_range.json()["version"] == "1.1.0"
    assert stale_range.headers["content-location"] == "/v1/profiles/default/tester@1.1.0"
    for path in (
        "/v1/profiles/tester@1.1.0",  # never served: not in memory
        "/v1/profiles/tester@1.0.0?format=markdown",
        "/v1/profiles/nobody@1.0.0",  # could not be looked up: not a 404
        "/v1/agents/tester/versions/1.0.0",
    ):
        response = await proxied.get(path)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["retry-after"] == "5"
        assert response.json()["code"] == "database_unavailable"
    assert (dt.datetime.now(dt.UTC) - started).total_seconds() < 30  # bounded, never hung
    proxy.restore()
    back = await proxied.get("/v1/profiles/tester@1.1.0")
    assert back.status_code == 200 and "warning" not in back.headers
    again = await proxied.get("/v1/profiles/tester@1.0.0")
    assert again.status_code == 200 and "warning" not in again.headers


async def test_a_yank_drops_the_cached_answer_so_an_outage_never_serves_it_unyanked(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    assert (await put(proxied, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    assert (await proxied.get("/v1/profiles/tester@1.0.0")).json()["yanked"] is False
    assert (await proxied.get("/v1/profiles/tester@latest")).status_code == 200
    yank = await proxied.post("/v1/agents/tester/versions/1.0.0/yank", json={})
    assert yank.status_code == 200
    proxy.cut()
    assert (await proxied.get("/v1/profiles/tester@1.0.0")).status_code == 503
    assert (await proxied.get("/v1/profiles/tester@latest")).status_code == 503
    proxy.restore()
    assert (await proxied.get("/v1/profiles/tester@1.0.0")).json()["yanked"] is True


async def test_a_change_on_one_replica_drops_the_cached_answers_of_another(
    database_url: str, clean_db: None
) -> None:
    one, other = (
        create_app(Settings(database_url=database_url, bootstrap_token=ADMIN_TOKEN))
        for _ in range(2)
    )
    async with one.router.lifespan_context(one), other.router.lifespan_context(other):
        writer = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=one), base_url="http://a", headers=ADMIN
        )
        reader = httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://b")
        await asyncio.wait_for(other.state.invalidation.connected.wait(), 30)
        cache: ProfileCache = other.state.profile_cache
        for version in ("1.0.0", "1.1.0"):
            assert (await put(writer, "agent", "tester", version, agent_file())).status_code == 201

        async def cached(*refs: str) -> set[str]:
            for ref in refs:
                assert (await reader.get(f"/v1/profiles/tester@{ref}")).status_code == 200
            return {ref for ref in refs if cache.get(_key(ref))}

        async def dropped(*refs: str) -> None:
            for _ in range(200):  # the notice arrives when the writer's transaction commits
                if not any(cache.get(_key(ref)) for ref in refs):
                    return
                await asyncio.sleep(0.05)
            pytest.fail(f"{refs} still cached in the other replica")

        assert await cached("1.0.0", "1.1.0", "^1") == {"1.0.0", "1.1.0", "^1"}
        await writer.post("/v1/agents/tester/versions/1.0.0/deprecate", json={"message": "old"})
        await dropped("1.0.0", "^1")
        assert cache.get(_key("1.1.0")) is not None  # another version: untouched
        assert await cached("^1") == {"^1"}
        await writer.put("/v1/agents/tester/tags/stable", json={"version": "1.0.0"})
        await dropped("^1")
        assert await cached("latest") == {"latest"}
        assert (await put(writer, "agent", "tester", "1.2.0", agent_file())).status_code == 201
        await dropped("latest")
        assert cache.get(_key("1.1.0")) is not None
        await writer.aclose()
        await reader.aclose()


async def test_a_digest_answer_follows_the_versions_that_share_the_digest(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """Versions published from the same bytes share a digest, which names the highest
    non-yanked of them: a publish or an unyank changes that, and the cached answer with it."""
    published = await put(client, "agent", "tester", "1.0.0", agent_file())
    assert published.status_code == 201
    path = f"/v1/profiles/tester@{published.json()['digest']}"

    async def chosen() -> str:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        version: str = response.json()["version"]
        assert response.headers["content-location"] == f"/v1/profiles/default/tester@{version}"
        assert response.content == (await client.get(f"/v1/profiles/tester@{version}")).content
        return version

    assert await chosen() == "1.0.0"
    assert await chosen() == "1.0.0"  # from memory now
    assert len(app.state.profile_cache) == 2
    assert (await put(client, "agent", "tester", "1.1.0", agent_file())).status_code == 201
    assert await chosen() == "1.1.0"
    assert (await client.post("/v1/agents/tester/versions/1.1.0/yank", json={})).status_code == 200
    assert await chosen() == "1.0.0"
    assert (await client.delete("/v1/agents/tester/versions/1.1.0/yank")).status_code == 200
    assert await chosen() == "1.1.0"


async def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_an_answer_read_before_the_first_listen_is_not_kept(database_url: str) -> None:
    """A notice sent before the listener's first LISTEN is lost as surely as one sent while it
    was reconnecting: an answer read before then may already be stale."""
    cache = ProfileCache(max_bytes=1 << 20)
    settings = Settings(database_url=database_url)
    listener = InvalidationListener(create_listener_engine(settings, database_url), cache)
    stamp = cache.stamp(_key("1.0.0"))  # a read begins while nobody listens…
    notice = ProfileChange("default", "tester", "1.0.0").payload()
    await execute(plain(database_url), f"SELECT pg_notify('{CHANNEL}', '{notice}')")  # …a yank
    listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 30)
        cache.put(_key("1.0.0"), _entry("1.0.0"), stamp)  # …and the read ends
        assert cache.get(_key("1.0.0")) is None
        cache.put(_key("1.0.0"), _entry("1.0.0"), cache.stamp(_key("1.0.0")))
        assert cache.get(_key("1.0.0")) is not None  # read after: kept
    finally:
        await listener.stop()


async def test_a_silent_network_stops_the_listener_serving_from_memory_until_it_reconnects(
    proxy: FaultProxy, database_url: str
) -> None:
    """No FIN, no RST: the heartbeat notices, and from then on nothing is served or kept from
    memory (notices may be lost) until the listener is back and has emptied the cache."""
    settings = Settings(database_url=proxy.url_for(database_url), db_connect_timeout=1)
    cache = ProfileCache(max_bytes=1 << 20)
    engine = create_listener_engine(settings, proxy.url_for(database_url))
    listener = InvalidationListener(engine, cache, retry_seconds=0.1, heartbeat_seconds=0.3)
    listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 30)
        cache.put(_key("1.0.0"), _entry("1.0.0"))
        proxy.stall()
        assert await _until(lambda: not cache.listening, 3), "still serving from memory"
        assert not listener.connected.is_set()
        proxy.restore()
        assert await _until(lambda: cache.listening, 10), "never listened again"
        assert listener.reconnects == 1 and len(cache) == 0
    finally:
        await asyncio.wait_for(listener.stop(), 10)


async def _listener_pids(database_url: str) -> set[int]:
    connection = await asyncpg.connect(plain(database_url))
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            LISTENER_APPLICATION_NAME,
        )
        return {row["pid"] for row in rows}
    finally:
        await connection.close()


async def test_a_terminated_listener_stops_hits_then_reconnects_with_an_empty_cache(
    database_url: str, clean_db: None
) -> None:
    """pg_terminate_backend on the LISTEN connection: from that moment answers come from the
    database (not memory), and once it listens again the cache starts empty, the reconnect
    counted in /metrics."""
    others = await _listener_pids(database_url)
    app = create_app(Settings(database_url=database_url, bootstrap_token=ADMIN_TOKEN))
    cache: ProfileCache = app.state.profile_cache
    async with client_for(app, "http://a") as client:
        await asyncio.wait_for(app.state.invalidation.connected.wait(), 30)
        [pid] = await _listener_pids(database_url) - others
        assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
        path = "/v1/profiles/tester@1.0.0"
        fresh = await client.get(path)
        assert (await client.get(path)).content == fresh.content and cache.hits == 1
        await execute(plain(database_url), f"SELECT pg_terminate_backend({pid})")
        assert await _until(lambda: not cache.listening, 5), "still serving from memory"
        down = await client.get(path)
        assert down.content == fresh.content and "warning" not in down.headers
        assert cache.hits == 1  # read from the database, not served from memory
        assert await _until(lambda: cache.listening, 10), "never listened again"
        assert len(cache) == 0
        metrics = (await client.get("/metrics")).text
        assert metric(metrics, "registry_cache_notify_reconnects_total") == 1
        assert (await client.get(path)).content == fresh.content
        assert (await client.get(path)).content == fresh.content and cache.hits == 2


def test_what_the_cache_remembers_of_changes_stays_small_with_many_artifacts() -> None:
    """Each artifact's change counts (for `stamp`) are bounded too: a registry of 100,000
    agents changing over a process's life must not grow memory beyond the cache's size."""
    cache = ProfileCache(max_bytes=1 << 20)
    stamp = cache.stamp(_key("1.0.0"))
    gc.collect()
    tracemalloc.start()
    try:
        for n in range(100_000):
            cache.invalidate_moving("default", f"agent-{n}")
            cache.invalidate_version("default", f"agent-{n}", "1.0.0")
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept < 2_000_000, f"{kept:,} bytes kept for the changes of 100,000 agents"
    # Counts were forgotten meanwhile: an answer read before may be stale, so it is not kept.
    cache.put(_key("1.0.0"), _entry("1.0.0"), stamp)
    assert cache.get(_key("1.0.0")) is None
