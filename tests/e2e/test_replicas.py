"""Two `registry serve` processes on one database: a yank, a deprecation or a tag move through
one is seen through the other within a second, although both answer warm profiles from memory."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import ADMIN, agent_file
from tests.live_db import database, serve

Replicas = tuple[httpx.Client, httpx.Client]


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    processes: list[subprocess.Popen[bytes]] = []
    with database() as url:
        try:
            # A long TTL: only the notices can make the second replica see a change in time.
            settings = {"REGISTRY_PROFILE_CACHE_TTL": "3600", "REGISTRY_DATA_DIR": str(tmp_path)}
            clients = []
            for name in ("a", "b"):
                process, base = serve(url, tmp_path / f"{name}.log", settings)
                processes.append(process)
                clients.append(httpx.Client(base_url=base, headers=ADMIN, timeout=10))
            yield clients[0], clients[1]
        finally:
            for process in processes:
                process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def _within_a_second(client: httpx.Client, path: str, seen: str, want: object) -> float:
    """Seconds until `client` answers `path` with `want` at `seen` (a JSON field); fails after 1 s."""
    started = time.monotonic()
    while True:
        value = client.get(path).json()[seen]
        elapsed = time.monotonic() - started
        if value == want:
            return elapsed
        assert elapsed < 1.0, f"{path}: {seen} still {value!r} after {elapsed:.2f} s"
        time.sleep(0.02)


def _hits(client: httpx.Client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("registry_profile_cache_hits_total "):
            return float(line.split()[1])
    raise AssertionError("no registry_profile_cache_hits_total in /metrics")


def test_a_change_through_one_replica_is_seen_through_the_other_within_a_second(
    replicas: Replicas,
) -> None:
    a, b = replicas
    for version in ("1.0.0", "1.1.0", "1.2.0-rc.1"):
        published = a.put(
            f"/v1/agents/tester/versions/{version}",
            content=agent_file(),
            headers={"Content-Type": "text/markdown"},
        )
        assert published.status_code == 201, published.text
    assert a.put("/v1/agents/tester/tags/stable", json={"version": "1.0.0"}).status_code == 200
    warm = {"/v1/profiles/tester@1.1.0", "/v1/profiles/tester@stable", "/v1/profiles/tester@^1"}
    for _ in range(3):  # warm: the second and third answers come from b's memory
        for path in warm:
            assert b.get(path).status_code == 200
    assert _hits(b) >= len(warm) * 2
    assert b.get("/v1/profiles/tester@^1").json()["version"] == "1.1.0"

    assert a.post("/v1/agents/tester/versions/1.1.0/yank", json={}).status_code == 200
    _within_a_second(b, "/v1/profiles/tester@1.1.0", "yanked", True)
    _within_a_second(b, "/v1/profiles/tester@^1", "version", "1.0.0")  # ranges skip yanked

    moved = a.put("/v1/agents/tester/tags/stable", json={"version": "1.2.0-rc.1"})
    assert moved.status_code == 200, moved.text
    _within_a_second(b, "/v1/profiles/tester@stable", "version", "1.2.0-rc.1")

    deprecate = a.post("/v1/agents/tester/versions/1.0.0/deprecate", json={"message": "use 2.x"})
    assert deprecate.status_code == 200, deprecate.text
    _within_a_second(b, "/v1/profiles/tester@1.0.0", "deprecated", "use 2.x")
    assert "deprecated" in b.get("/v1/profiles/tester@1.0.0").headers["warning"]
