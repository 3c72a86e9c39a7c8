"""A command that cannot open its database says why in one line and exits 1: no traceback, no
driver text beyond the reason, no password.

Each runs the real `registry` entry point in its own process against a real PostgreSQL server
(a database on it that does not exist) or a loopback port nobody listens on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.servers import free_port

SECRET = "hunter2-not-shown"


def _registry(
    args: list[str], database_url: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REGISTRY_DATABASE_URL", "PYTHONPATH", "REGISTRY_SIGNING_KEYS"}
    }
    env["DATABASE_URL"] = database_url
    env["REGISTRY_DATA_DIR"] = str(tmp_path / "data")  # `serve` writes its signing keys there
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "sqlalchemy" not in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["db", "upgrade"],
        ["token", "list"],
        ["serve", "--port", "0"],
        ["mirror", "--from", "http://127.0.0.1:9"],
    ],
    ids=["db-upgrade", "token-list", "serve", "mirror"],
)
def test_a_database_that_does_not_exist_is_named(
    args: list[str], server_url: str, tmp_path: Path
) -> None:
    name = f"registry_absent_{uuid.uuid4().hex[:8]}"
    url = make_url(server_url).set(database=name, password=SECRET)
    if args[0] == "serve":
        args = ["serve", "--port", str(free_port())]
    if args[0] == "mirror":
        args = [*args, "--to", url.render_as_string(hide_password=False)]
    line = _one_line(_registry(args, url.render_as_string(hide_password=False), tmp_path))
    assert line.startswith("error: cannot connect to the database postgresql://"), line
    assert f"/{name}" in line and ":***@" in line, line
    assert line.endswith(f'database "{name}" does not exist'), line


@pytest.mark.parametrize("args", [["db", "upgrade"], ["token", "list"]], ids=["db", "token"])
def test_a_refused_connection_says_where_and_why(args: list[str], tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    line = _one_line(
        _registry(args, f"postgresql://postgres:{SECRET}@127.0.0.1:{port}/registry", tmp_path)
    )
    assert line.startswith(
        f"error: cannot connect to the database postgresql://postgres:***@127.0.0.1:{port}/registry:"
    ), line
    assert "ConnectionRefusedError" in line, line


def test_a_database_url_that_is_not_postgresql_is_one_line(tmp_path: Path) -> None:
    line = _one_line(_registry(["db", "upgrade"], f"mysql://root:{SECRET}@db/registry", tmp_path))
    assert line == "error: DATABASE_URL must be a postgresql:// URL"
