"""Two live registries: `registry mirror` follows one into the other, survives `kill -9`."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import (
    ADMIN,
    AGENT_NAMES,
    EXAMPLES,
    MARKDOWN,
    SKILL_NAMES,
    agent_bytes,
    skill_bytes,
    skill_file,
)

BULK = 40  # enough events that the mirror is killed half-way through

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="the mirror writes to the second registry's database: needs TEST_DATABASE_URL",
)


def _database_url(server: LiveServer) -> str:
    given = os.environ["TEST_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    return make_url(given).set(database=server.database).render_as_string(hide_password=False)


def _folder_archive(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=f"{folder.name}/{path.relative_to(folder)}")
    return buffer.getvalue()


def _publish(http: httpx.Client, kind: str, name: str, version: str, body: bytes) -> None:
    response = http.put(f"/v1/{kind}s/{name}/versions/{version}", content=body, headers=MARKDOWN)
    assert response.status_code == 201, response.text


def _all_changes(http: httpx.Client) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 1000}
    while True:
        page = http.get("/v1/changes", params=params).json()
        changes += page["changes"]
        if not page["changes"]:
            return changes
        params["since"] = page["next"]


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _start_mirror(
    source_url: str, target_db: str, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`registry mirror --follow` from the source into the database; `env`: its environment
    (default: this one without DATABASE_URL and PYTHONPATH)."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTHONPATH"}}
    with log.open("ab") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "mirror",
                "--from",
                source_url,
                "--to",
                target_db,
                "--follow",
                "--interval",
                "0.1",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_mirror_converges_survives_kill_and_is_read_only(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    log = tmp_path / "mirror.log"
    with (
        live_registry(tmp_path / "a", "registry_source") as source,
        live_registry(tmp_path / "b", "registry_mirror") as target,
        httpx.Client(base_url=source.url, timeout=30, headers=ADMIN) as a,
        httpx.Client(base_url=target.url, timeout=30, headers=ADMIN) as b,
    ):
        for name in SKILL_NAMES:
            if name == "python-testing":  # a folder: SKILL.md, scripts/, references/
                archive = _folder_archive(EXAMPLES / "skills" / name)
                response = a.put(
                    f"/v1/skills/{name}/versions/1.0.0",
                    content=archive,
                    headers={"Content-Type": "application/gzip"},
                )
                assert response.status_code == 201, response.text
            else:
                _publish(a, "skill", name, "1.0.0", skill_bytes(name))
        for name in AGENT_NAMES:
            _publish(a, "agent", name, "1.0.0", agent_bytes(name))
        for index in range(BULK):
            _publish(
                a, "skill", "team/bulk", f"1.{index}.0", skill_file("bulk", version=f"1.{index}.0")
            )
        assert a.put("/v1/skills/team/bulk/tags/stable", json={"version": "1.3.0"}).is_success
        assert a.post("/v1/skills/team/bulk/versions/1.5.0/yank", json={"reason": "bad"}).is_success
        assert a.post(
            "/v1/agents/dev-python/versions/1.0.0/deprecate", json={"message": "use 2"}
        ).is_success
        total = len(_all_changes(a))

        mirror = _start_mirror(source.url, _database_url(target), log)
        try:
            _wait(lambda: len(_all_changes(b)) >= 3, 120, "the mirror's first events")
            mirror.kill()  # SIGKILL, mid-way
            mirror.wait(10)
        finally:
            _stop(mirror)
        applied_at_kill = len(_all_changes(b))
        assert 3 <= applied_at_kill < total, (applied_at_kill, total)

        # While it is down, the source moves on.
        _publish(a, "agent", "dev-python", "2.0.0", agent_bytes("dev-python"))
        assert a.post("/v1/skills/team/bulk/versions/1.5.0/yank", json={}).is_success is True
        assert a.delete("/v1/skills/team/bulk/versions/1.5.0/yank").is_success
        assert a.delete("/v1/skills/team/bulk/tags/stable").status_code == 204
        source_changes = _all_changes(a)
        last_write = time.monotonic()

        mirror = _start_mirror(source.url, _database_url(target), log)
        try:
            _wait(lambda: len(_all_changes(b)) == len(source_changes), 180, "convergence")
            converged = time.monotonic() - last_write
            # Every event once, in the same order, with the same digests.
            mirrored = _all_changes(b)
            assert [
                (c["event"], c["name"], c["version"], c["digest"], c["details"]) for c in mirrored
            ] == [
                (c["event"], c["name"], c["version"], c["digest"], c["details"])
                for c in source_changes
            ]
            # Byte-identical raw files and profiles, same lifecycle state and tags.
            for kind, name in [("skill", n) for n in SKILL_NAMES] + [("agent", "dev-python")]:
                path = f"/v1/{kind}s/{name}/versions/1.0.0/raw"
                assert a.get(path).content == b.get(path).content
            folder = "/v1/skills/python-testing/versions/1.0.0"
            assert len(b.get(f"{folder}/files").json()["files"]) > 1
            assert a.get(f"{folder}/archive").content == b.get(f"{folder}/archive").content
            for ref in ("dev-python@1.0.0", "dev-python@2.0.0", "flask-specialist@1.0.0"):
                assert a.get(f"/v1/profiles/{ref}").content == b.get(f"/v1/profiles/{ref}").content
            for path in ("/v1/skills/team/bulk", "/v1/agents/dev-python"):
                assert a.get(path).json() == b.get(path).json()

            # The mirror side is read-only: nobody but the mirror writes there.
            refused = b.put(
                "/v1/skills/local/versions/1.0.0", content=skill_file("local"), headers=MARKDOWN
            )
            assert refused.status_code == 409
            assert refused.json()["code"] == "read_only_mirror"
            assert b.get("/v1/skills/local").status_code == 404
        finally:
            _stop(mirror)
    print(f"mirror: {total} events, killed after {applied_at_kill}; converged {converged:.2f} s")
    assert "Traceback" not in log.read_text()
