"""`kill -9` of `registry serve` during bursts of publishes never leaves a partial version.

Each cycle starts the server, publishes a burst from several threads and kills the process
(SIGKILL, its PID only) when a chosen number of publishes has been answered: the kill moments
walk across the whole burst, from before the first answer to after the last. Afterwards every
stored version must have its audit row, and an agent its lock, stored profile and dependency
rows; every publish that was answered 201 must be there, with its digest.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.faults.server import clean_env, fresh_database, start, stop
from tests.helpers import ADMIN, agent_file, skill_file
from tests.servers import plain

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
# 10 kills spread from before the first answer to after the last (≈ 3.5 s each); more to soak.
CYCLES = int(os.environ.get("REGISTRY_FAULT_KILL_CYCLES", "10"))
BURST = 12
MARKDOWN = {"Content-Type": "text/markdown", **ADMIN}  # writes need the admin token


@pytest.fixture
def fault_database(server_url: str) -> Iterator[str]:
    with fresh_database(server_url, "registry_kill") as url:
        yield url


def _burst(cycle: int) -> list[tuple[str, str, bytes]]:
    """(kind, name, bytes): agents that use the `helper` skill, and skills."""
    items: list[tuple[str, str, bytes]] = []
    for index in range(BURST):
        if index % 3 == 2:
            name = f"ks-{cycle}-{index}"
            items.append(("skill", name, skill_file(name)))
        else:
            name = f"ka-{cycle}-{index}"
            items.append(("agent", name, agent_file(name, skills="helper@^1")))
    return items


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def _check(database_url: str) -> dict[str, int]:
    """Every stored version is whole; returns how many rows of each kind were checked."""
    connection = await asyncpg.connect(plain(database_url))
    try:
        versions = await connection.fetch(
            "SELECT v.id, a.kind, a.namespace, a.name, v.version, v.digest, v.lock,"
            " v.profile_json IS NOT NULL AS has_json,"
            " v.profile_markdown IS NOT NULL AS has_markdown"
            " FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
        )
        audits = {
            (r["kind"], r["namespace"], r["name"], r["version"], r["digest"])
            for r in await connection.fetch(
                "SELECT kind, namespace, name, version, digest FROM audit_log"
                " WHERE action = 'publish'"
            )
        }
        dependencies: dict[int, set[int]] = {}
        for row in await connection.fetch(
            "SELECT version_id, target_version_id FROM version_dependencies"
        ):
            dependencies.setdefault(row["version_id"], set()).add(row["target_version_id"])
        helper_ids = {
            r["version"]: r["id"]
            for r in await connection.fetch(
                "SELECT v.id, v.version FROM artifact_versions v JOIN artifacts a"
                " ON a.id = v.artifact_id WHERE a.kind = 'skill' AND a.name = 'helper'"
            )
        }
    finally:
        await connection.close()
    checked = {"versions": 0, "audit rows": 0, "stored profiles": 0, "dependency rows": 0}
    for row in versions:
        key = (row["kind"], row["namespace"], row["name"], row["version"], row["digest"])
        assert key in audits, f"no audit row for {key}"
        checked["versions"] += 1
        checked["audit rows"] += 1
        if row["kind"] != "agent":
            continue
        assert row["has_json"] and row["has_markdown"], f"no stored profile for {key}"
        lock = json.loads(row["lock"]) if isinstance(row["lock"], str) else row["lock"]
        locked = lock["skills"]["helper"]["version"]
        assert dependencies.get(row["id"]) == {helper_ids[locked]}, f"dependency rows of {key}"
        checked["stored profiles"] += 1
        checked["dependency rows"] += 1
    return checked


class Burst:
    """Publishes against one server process, counting the answers as they come."""

    def __init__(self, url: str, answered: dict[tuple[str, str], str], outcomes: Counter[str]):
        self.url = url
        self.answered = answered  # publishes that got 201: (kind, name) -> digest
        self.outcomes = outcomes
        self.answers = 0
        self.changed = threading.Condition()

    def publish(self, item: tuple[str, str, bytes]) -> None:
        kind, name, data = item
        try:
            response = httpx.put(
                f"{self.url}/v1/{kind}s/{name}/versions/1.0.0",
                content=data,
                headers=MARKDOWN,
                timeout=30,
            )
        except httpx.TransportError:
            self.outcomes["cut off"] += 1
            return
        if response.status_code == 201:
            self.answered[(kind, name)] = _digest(data)
        self.outcomes[str(response.status_code)] += 1
        with self.changed:
            self.answers += 1
            self.changed.notify_all()

    def wait_for_answers(self, count: int) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.answers >= count, timeout=60)
            return self.answers


def test_kill_9_during_publish_bursts_leaves_no_partial_version(
    fault_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = clean_env(DATABASE_URL=fault_database)
    log = tmp_path / "registry-serve.log"
    served = start(log, env)
    httpx.put(
        f"{served.url}/v1/skills/helper/versions/1.0.0", content=skill_file(), headers=MARKDOWN
    ).raise_for_status()
    chance = random.Random(8)
    answered: dict[tuple[str, str], str] = {}
    outcomes: Counter[str] = Counter()
    killed_after: list[int] = []
    for cycle in range(CYCLES):
        if cycle:
            served = start(log, env, "--no-migrate")
        burst = Burst(served.url, answered, outcomes)
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(burst.publish, item) for item in _burst(cycle)]
            # Spread the kill over the burst: after 0, 1, …, BURST answers, plus up to 30 ms.
            burst.wait_for_answers(cycle * (BURST + 1) // CYCLES)
            threading.Event().wait(chance.uniform(0, 0.03))
            os.kill(served.process.pid, signal.SIGKILL)
            served.process.wait(30)
            killed_after.append(burst.answers)
            for future in futures:
                future.result()
    assert set(outcomes) <= {"201", "cut off"}, outcomes
    served = start(log, env, "--no-migrate")
    try:
        checked = asyncio.run(_check(fault_database))
        for (kind, name), digest in answered.items():
            stored = httpx.get(f"{served.url}/v1/{kind}s/{name}/versions/1.0.0")
            assert stored.status_code == 200, (kind, name, stored.text)
            assert stored.json()["digest"] == digest
            if kind == "agent":
                profile = httpx.get(f"{served.url}/v1/profiles/{name}@1.0.0")
                assert profile.status_code == 200
                assert profile.json()["lock"]["skills"]["helper"]["version"] == "1.0.0"
    finally:
        stop(served)
    assert min(killed_after) == 0 and max(killed_after) >= BURST - 1, killed_after
    with capsys.disabled():
        print(
            f"\nkill -9: {CYCLES} cycles, kills after {killed_after} answers;"
            f" publishes {dict(outcomes)}; {len(answered)} acknowledged, all present;"
            f" rows checked {checked}"
        )
