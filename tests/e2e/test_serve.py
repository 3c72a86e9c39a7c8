"""End to end: the real `registry serve` on the embedded default, driven over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import AGENT_NAMES, EXAMPLES, SKILL_NAMES, agent_bytes, skill_bytes
from tests.servers import free_port, stop, wait_ready

pytestmark = pytest.mark.e2e
REGISTRY = [sys.executable, "-m", "service.cli"]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REGISTRY_DATABASE_URL"}
    }
    return env | extra


def _serve(data_dir: Path, log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """`registry serve` on the embedded database, without REGISTRY_BOOTSTRAP_TOKEN."""
    port = free_port()
    env = _clean_env()
    env.pop("REGISTRY_BOOTSTRAP_TOKEN", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*REGISTRY, "serve", "--port", str(port), "--data-dir", str(data_dir)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return f"http://127.0.0.1:{port}", process


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    try:
        wait_ready(url, process, log.read_text, timeout=60)
    except RuntimeError as exc:
        process.kill()
        pytest.fail(str(exc))


FIRST_START_TOKEN = re.compile(r"export REGISTRY_TOKEN=(areg_\w+)")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, subprocess.Popen[bytes], Path, str]]:
    """The first start of an empty registry prints an admin token once; the tests use it."""
    data_dir = tmp_path_factory.mktemp("registry-data")
    log = data_dir / "serve.log"
    url, process = _serve(data_dir, log)
    _wait_ready(url, process, log)
    printed = FIRST_START_TOKEN.findall(log.read_text())
    assert len(printed) == 1, log.read_text()
    yield url, process, log, printed[0]
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_serve_embedded_publishes_examples_with_the_cli_and_reads_them_back(
    served: tuple[str, subprocess.Popen[bytes], Path, str],
) -> None:
    url, _, _, token = served

    def cli_publish(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*REGISTRY, "publish", str(EXAMPLES), "--version", "1.0.0", "--url", url],
            env=_clean_env(COLUMNS="200", **env),
            capture_output=True,
            text=True,
            timeout=60,
        )

    anonymous = cli_publish()
    assert anonymous.returncode == 3
    assert anonymous.stderr.startswith("error: no token: pass --token or set REGISTRY_TOKEN")
    for outcome in ("published", "unchanged"):
        publish = cli_publish(REGISTRY_TOKEN=token)
        assert publish.returncode == 0, publish.stderr
        results = [line.split()[0] for line in publish.stdout.splitlines()[:-1]]
        assert results == [outcome] * (len(SKILL_NAMES) + len(AGENT_NAMES))
    for name in SKILL_NAMES:
        assert httpx.get(f"{url}/v1/skills/{name}/versions/1.0.0/raw").content == skill_bytes(name)
    for name in AGENT_NAMES:
        assert httpx.get(f"{url}/v1/agents/{name}/versions/1.0.0/raw").content == agent_bytes(name)
    lock = httpx.get(f"{url}/v1/agents/dev-python/versions/1.0.0").json()["lock"]
    assert sorted(lock["skills"]) == sorted(SKILL_NAMES)
    # A first fetch reads through the fast path's own connection, here over the embedded
    # server's Unix socket (whose PostgreSQL build has no lz4: profiles stored uncompressed).
    profile = httpx.get(f"{url}/v1/profiles/dev-python@1.0.0")
    assert profile.status_code == 200 and profile.json()["name"] == "dev-python"
    # HEAD through a real uvicorn: the GET's headers, Content-Length included, and no body.
    head = httpx.head(f"{url}/v1/profiles/dev-python@1.0.0")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == profile.headers["etag"]
    assert head.headers["content-length"] == str(len(profile.content))
    metrics = httpx.get(f"{url}/metrics").text
    assert "registry_db_fastpath_pool_open 1.0" in metrics.splitlines()


def test_ctrl_c_stops_server_and_embedded_postgres_and_a_restart_prints_no_new_token(
    served: tuple[str, subprocess.Popen[bytes], Path, str],
) -> None:
    url, process, log, token = served
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 0
    assert "Embedded PostgreSQL stopped." in log.read_text()
    assert not (log.parent / "pgdata" / "postmaster.pid").exists()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/healthz", timeout=1)

    again_log = log.parent / "serve-again.log"
    url, again = _serve(log.parent, again_log)
    try:
        _wait_ready(url, again, again_log)
        assert "REGISTRY_TOKEN" not in again_log.read_text()
        # The token printed on the first start still works after the restart.
        tokens = httpx.get(f"{url}/v1/tokens", headers={"Authorization": f"Bearer {token}"})
        assert tokens.status_code == 200, tokens.text
        assert [t["name"] for t in tokens.json()["items"]] == ["first-start admin"]
        assert token not in tokens.text
    finally:
        stop(again)


def test_serve_on_a_busy_port_says_so_before_starting_anything(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        data_dir = tmp_path / "never-created"
        done = subprocess.run(
            [*REGISTRY, "serve", "--port", str(port), "--data-dir", str(data_dir)],
            env=_clean_env(COLUMNS="200"),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"port {port} is in use — pass --port" in done.stderr
    assert "Agent Registry on" not in done.stderr + done.stdout
    assert "PostgreSQL" not in done.stderr + done.stdout
    assert not data_dir.exists()
