"""What the garbage collector has to scan: a full collection walks every tracked object not
frozen at startup and stops the one worker meanwhile, so what lives long (caches, routes) must
not be thousands of tracked objects. Counts, not timings."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import urllib.parse

from service.app import create_app
from service.compat.snapshot import SnapshotCache, snapshot
from service.profiles.cache import CachedProfile, ProfileCache, ProfileKey
from service.settings import Settings
from tests.helpers import ROOT, agent_file, client_for, put


def _tracked() -> int:
    """Tracked objects the next full collection would walk (frozen ones are not). Collected
    twice: a tuple is untracked once its items are, which one collection may not have seen.
    Without the test client's URLs, which the standard library remembers (128 of them)."""
    urllib.parse.urlsplit.cache_clear()  # type: ignore[attr-defined]  # (an lru_cache)
    gc.collect()
    gc.collect()
    return len(gc.get_objects())


def test_cached_profiles_give_the_collector_nothing_to_walk() -> None:
    """Each answer (key, entry, prepared headers) had been 6 tracked objects: ~84,000 for a
    full cache of the default 64 MiB."""
    cache = ProfileCache(max_bytes=1 << 30)
    signature = (b"registry-signature", b"e" * 180)
    for n in range(2_000):
        key = ProfileKey("default", f"agent-{n}", "1.0.0", "json")
        entry = CachedProfile(
            version="1.0.0",
            moving=False,
            body=os.urandom(100),
            etag=f'"{n}"',
            yanked=False,
            yank_reason=None,
            deprecated=None,
            deprecated_at=None,
        )
        kept = cache.put(key, entry)
        assert kept is not None
        not_modified = ((b"etag", entry.etag.encode()), (b"cache-control", b"public"))
        cache.prepared(key, kept, (*not_modified, signature), not_modified)
    held = _tracked()
    cached = cache.get(ProfileKey("default", "agent-7", "1.0.0", "json"))
    assert cached is not None and cached.etag == '"7"' and cached.ok_headers is not None
    assert signature in cached.ok_headers  # kept with the entry, as the fast path serves it
    del cached
    cache.clear()
    assert held - _tracked() < 200, f"{held - _tracked()} tracked objects for 2,000 answers"


def test_remembered_release_snapshots_give_the_collector_nothing_to_walk() -> None:
    """A full snapshot cache had been ~10,000 tracked objects: a third of what every full
    collection walked after a few hundred publishes."""
    remembered = SnapshotCache(size=512)
    lock = {f"skill-{i}": {"version": "1.0.0", "digest": "sha256:" + "1" * 64} for i in range(6)}

    def one(version: str) -> object:
        return snapshot(
            "agent",
            "default/tester",
            version,
            "sha256:" + "0" * 64,
            {"name": "tester", "tools": ["Read", "Bash(git *)"], "skills": sorted(lock)},
            "You run the tests.\n",
            agent_file(),
            profile=None,
            tool_rules=["Read", "Write", "Bash(git *)", "Bash(pytest *)"],
            disallowed_rules=["WebFetch"],
            lock={"skills": lock},
            preloaded=sorted(lock),
        )

    for n in range(512):
        remembered.put(("agent", "default/tester", f"1.0.{n}", "sha256:x"), one(f"1.0.{n}"))  # type: ignore[arg-type]
    held = _tracked()
    assert remembered.get(("agent", "default/tester", "1.0.7", "sha256:x")) == one("1.0.7")
    remembered.clear()
    assert held - _tracked() < 200, f"{held - _tracked()} tracked objects for 512 snapshots"


async def test_publishes_and_fetches_leave_no_growing_pile_for_the_collector(
    settings: Settings, clean_db: None
) -> None:
    """What a publish and its fetches leave behind for good (a remembered snapshot, cached
    answers with their headers) holds no tracked objects: 40 of them had left ~500. An app of
    its own: its pool and statement caches are warmed here, not by whichever tests ran before."""
    app = create_app(settings)
    async with client_for(app) as client:

        async def publish_and_fetch(n: int) -> None:
            response = await put(client, "agent", "tester", f"1.0.{n}", agent_file())
            assert response.status_code == 201, response.text
            for query in ("", "?format=markdown"):
                for _ in range(2):  # the route fills the cache, the fast path adds its headers
                    fetched = await client.get(f"/v1/profiles/tester@1.0.{n}{query}")
                    assert fetched.status_code == 200, fetched.text

        for n in range(5):  # statements compiled and prepared once, connections opened
            await publish_and_fetch(n)
        before = _tracked()
        for n in range(5, 45):
            await publish_and_fetch(n)
        assert len(app.state.profile_cache) >= 80
        grown = _tracked() - before
    assert grown < 200, f"{grown} more tracked objects after 40 publishes and 160 fetches"


# Run in a process of its own: the freeze happens once per process, at its first app's startup.
_FIRST_REQUESTS = textwrap.dedent(
    """
    import asyncio, gc, sys
    import httpx
    from service.app import create_app
    from service.settings import Settings

    async def main():
        app = create_app(Settings(database_url=sys.argv[1], webhook_dispatcher=False))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://r.test") as http:
                assert (await http.get("/healthz")).status_code == 200
                gc.collect()
                before = len(gc.get_objects())
                # Routed through every router (no database: its statements are another cache).
                for path in ("/no-such-page", "/v1/no/such/page", "/openapi.json"):
                    await http.get(path)
                gc.collect()
                print(len(gc.get_objects()) - before)

    asyncio.run(main())
    """
)


def test_the_routes_are_built_before_the_startup_freeze(database_url: str) -> None:
    """FastAPI builds an included router's routes (dependants, validators: ~12,000 objects
    here) on the first request routed through it, after the startup freeze, so every full
    collection walked them; startup now builds them before it freezes."""
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_REQUESTS, database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    grown = int(done.stdout.split()[-1])
    assert grown < 3_000, f"the first requests left {grown} tracked objects"
