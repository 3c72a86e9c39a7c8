"""The embedded PostgreSQL (pgserver) that `registry serve` starts when no DATABASE_URL is set."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "registry"
log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    """A running pgserver instance; `stop()` shuts it down unless another process still uses it."""

    server: Any
    url: str
    pgdata: Path

    def stop(self) -> bool:
        """Release this process's handle; True when that stopped PostgreSQL (no other user left)."""
        self.server.cleanup()
        return not (self.pgdata / "postmaster.pid").exists()


def start_embedded(data_dir: Path) -> EmbeddedPostgres:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); pgserver copes.
        warnings.simplefilter("ignore")
        from pgserver import get_server  # type: ignore[attr-defined]

        data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = data_dir / "pgdata"
        server = get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    url = server.get_uri(DATABASE_NAME)
    log.info("embedded PostgreSQL ready", extra={"fields": {"data_dir": str(data_dir)}})
    return EmbeddedPostgres(server=server, url=url, pgdata=pgdata)
