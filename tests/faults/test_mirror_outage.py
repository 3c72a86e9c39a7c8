"""`registry mirror --follow` through outages: the source's database cut (the source answers
503 + Retry-After, as DESIGN §7 says it will), the source process gone and back, the mirror's
own database cut. The follower waits and goes on, with the same process; it catches up once
each comes back and never copies an event twice.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.faults.proxy import fault_proxy
from tests.faults.server import Served, clean_env, fresh_database, start, stop
from tests.helpers import ADMIN, skill_file
from tests.mirror.test_mirror import _start_mirror, _stop, _wait
from tests.servers import free_port, plain

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
MARKDOWN = {"Content-Type": "text/markdown", **ADMIN}
CUT_SECONDS = 3.0
TIMEOUTS = {"REGISTRY_DB_CONNECT_TIMEOUT": "2", "REGISTRY_DB_STATEMENT_TIMEOUT": "3"}


def _events(database_url: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        connection = await asyncpg.connect(plain(database_url))
        try:
            rows = await connection.fetch("SELECT event, name FROM changes ORDER BY seq")
        except asyncpg.UndefinedTableError:  # the mirror has not migrated it yet
            return []
        finally:
            await connection.close()
        return [(row["event"], row["name"]) for row in rows]

    return asyncio.run(read())


def _publish(url: str, name: str) -> None:
    """Once the source answers again (a few 503s right after a restore are its to give)."""
    deadline = time.monotonic() + 30
    while True:
        response = httpx.put(
            f"{url}/v1/skills/{name}/versions/1.0.0",
            content=skill_file(name),
            headers=MARKDOWN,
            timeout=30,
        )
        if response.status_code == 201:
            return
        assert response.status_code == 503 and time.monotonic() < deadline, response.text
        time.sleep(0.2)


def test_a_following_mirror_waits_out_outages_and_catches_up(
    server_url: str, tmp_path: Path
) -> None:
    with (
        fresh_database(server_url, "registry_msource") as source_db,
        fresh_database(server_url, "registry_mtarget") as target_db,
        fault_proxy(source_db) as source_link,
        fault_proxy(target_db) as target_link,
    ):
        port = free_port()
        env = clean_env(DATABASE_URL=source_link.url_for(source_db), **TIMEOUTS)
        source: Served = start(tmp_path / "source.log", env, port=port)
        log = tmp_path / "mirror.log"
        mirror_env = {
            k: v for k, v in clean_env(**TIMEOUTS).items() if k != "REGISTRY_BOOTSTRAP_TOKEN"
        }
        mirror = _start_mirror(source.url, target_link.url_for(target_db), log, mirror_env)
        try:
            _publish(source.url, "first")
            _wait(lambda: len(_events(target_db)) == 1, 60, "the first event")

            # The source's database goes away: its feed answers 503 + Retry-After.
            source_link.cut()
            time.sleep(CUT_SECONDS)
            assert mirror.poll() is None, log.read_text()
            source_link.restore()
            _publish(source.url, "second")
            _wait(lambda: len(_events(target_db)) == 2, 60, "the event after the source's outage")

            # The source process goes away (connections refused), then comes back.
            stop(source)
            time.sleep(CUT_SECONDS)
            assert mirror.poll() is None, log.read_text()
            source = start(tmp_path / "source.log", env, port=port)
            _publish(source.url, "third")
            _wait(lambda: len(_events(target_db)) == 3, 60, "the event after the restart")

            # The mirror's own database goes away while the source moves on.
            target_link.cut()
            _publish(source.url, "fourth")
            time.sleep(CUT_SECONDS)
            assert mirror.poll() is None, log.read_text()
            target_link.restore()
            _wait(lambda: len(_events(target_db)) == 4, 60, "the event after the mirror's outage")
            assert mirror.poll() is None
        finally:
            _stop(mirror)
            stop(source)
        output_text = log.read_text()
        assert _events(target_db) == [
            ("published", n) for n in ("first", "second", "third", "fourth")
        ]
        assert _events(source_db) == _events(target_db)
    assert "Traceback" not in output_text, output_text
    assert "waiting" in output_text, output_text
