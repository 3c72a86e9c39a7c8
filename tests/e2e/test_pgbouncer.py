"""`registry serve` behind PgBouncer in transaction pooling mode (Debian package `pgbouncer`,
started here on loopback): every read and write works although consecutive transactions of one
client connection run on different server connections, which breaks reused prepared statements
unless REGISTRY_DB_STATEMENT_CACHE_SIZE=0."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.helpers import ADMIN, agent_file, skill_file
from tests.live_db import database, serve
from tests.servers import free_port, stop

pytestmark = pytest.mark.e2e
PGBOUNCER = Path(os.environ.get("REGISTRY_PGBOUNCER", "/usr/sbin/pgbouncer"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def bouncer() -> Iterator[tuple[str, str]]:
    """(URL through PgBouncer, direct URL) of a fresh database; PgBouncer stopped by PID after."""
    if not PGBOUNCER.exists():
        message = f"{PGBOUNCER} is missing: `apt-get install pgbouncer` (scripts/test installs it)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with database() as direct:
        url = make_url(direct)
        # PgBouncer refuses to run as root: as `postgres` when we are root, so its files must be
        # readable by that user (pytest's tmp_path is private to root).
        workdir = Path(tempfile.mkdtemp(prefix="registry-pgbouncer-"))
        workdir.chmod(0o777)
        port = free_port()
        (workdir / "users.txt").write_text(f'"{url.username}" ""\n')
        (workdir / "pgbouncer.ini").write_text(
            f"""[databases]
registry = host={url.host or "127.0.0.1"} port={url.port or 5432} dbname={url.database} user={url.username}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir}/users.txt
pool_mode = transaction
; Two server connections for many clients: transactions of one client hop between them.
default_pool_size = 2
max_client_conn = 200
; Not forwarded in transaction mode; the client-side command timeout still bounds statements.
ignore_startup_parameters = statement_timeout,extra_float_digits
logfile = {workdir}/pgbouncer.log
pidfile = {workdir}/pgbouncer.pid
"""
        )
        for name in ("users.txt", "pgbouncer.ini"):
            (workdir / name).chmod(0o644)
        args = [str(PGBOUNCER), str(workdir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            args[1:1] = ["-u", "postgres"]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while True:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                assert process.poll() is None, (workdir / "pgbouncer.log").read_text()
                assert time.monotonic() < deadline, "pgbouncer did not listen within 10 s"
                time.sleep(0.1)
            through = url.set(host="127.0.0.1", port=port, database="registry")
            yield through.render_as_string(hide_password=False), direct
        finally:
            stop(process, signal.SIGTERM)
            shutil.rmtree(workdir, ignore_errors=True)


def test_the_registry_works_behind_pgbouncer_in_transaction_mode(
    bouncer: tuple[str, str], tmp_path: Path
) -> None:
    through, direct = bouncer
    server, base = serve(
        through,
        tmp_path / "serve.log",
        {
            "REGISTRY_LISTEN_DATABASE_URL": direct,  # LISTEN needs a session: the server itself
            "REGISTRY_DB_STATEMENT_CACHE_SIZE": "0",
            "REGISTRY_DATA_DIR": str(tmp_path),
        },
    )
    log = tmp_path / "serve.log"
    try:
        http = httpx.Client(base_url=base, headers=ADMIN, timeout=30)
        markdown = {"Content-Type": "text/markdown"}
        assert http.put(
            "/v1/skills/helper/versions/1.0.0", content=skill_file(), headers=markdown
        ).status_code in (200, 201)
        for version in ("1.0.0", "1.1.0"):
            body = agent_file(skills="helper", description=f"Release {version}.")
            answer = http.put(
                f"/v1/agents/tester/versions/{version}", content=body, headers=markdown
            )
            assert answer.status_code == 201, answer.text
        assert (
            http.put("/v1/agents/tester/tags/stable", json={"version": "1.0.0"}).status_code == 200
        )

        # Many requests at once over a few connections: the statements of one pooled connection
        # run on whichever server connection PgBouncer hands out.
        paths = [
            "/v1/profiles/tester@1.1.0",
            "/v1/profiles/tester@^1",
            "/v1/profiles/tester@stable",
            "/v1/profiles/tester@1.0.0?format=markdown",
            "/v1/agents/tester/versions/1.0.0",
            "/v1/agents/tester",
            "/v1/search?q=tester",
        ] * 15
        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(lambda p: http.get(p, headers={"X-Request-ID": p[:60]}), paths))
        failures = [(a.request.url.path, a.status_code, a.text[:200]) for a in answers]
        assert all(a.status_code == 200 for a in answers), [f for f in failures if f[1] != 200]
        assert http.get("/v1/profiles/tester@^1").json()["version"] == "1.1.0"
        assert http.get("/v1/profiles/tester@stable").json()["version"] == "1.0.0"
        # A yank through PgBouncer reaches the cache through the direct LISTEN connection.
        assert http.post("/v1/agents/tester/versions/1.1.0/yank", json={}).status_code == 200
        assert http.get("/v1/profiles/tester@^1").json()["version"] == "1.0.0"
        assert http.get("/v1/profiles/tester@1.1.0").json()["yanked"] is True
        assert "Traceback" not in log.read_text()
    finally:
        stop(server, signal.SIGINT)
