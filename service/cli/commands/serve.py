"""`registry serve`: check the port, start the embedded PostgreSQL if needed, migrate, serve."""

from __future__ import annotations

import enum
import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.base import command, console

if TYPE_CHECKING:
    from service.settings import Settings
    from service.signing.keys import KeyRing


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be bound, or None; checked before anything else starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The servers' listeners set SO_REUSEADDR too: a port in TIME_WAIT is not busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} is in use — pass --port"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def _announce(token: str | None) -> None:
    """Print a first-start admin token once, the way a notebook server prints its login token."""
    if token is not None:
        console().print(
            "No tokens yet: created an admin token. It is shown only now; keep it:\n"
            f"    export REGISTRY_TOKEN={token}",
            highlight=False,
            soft_wrap=True,
        )


class Server(enum.StrEnum):
    uvicorn = "uvicorn"
    granian = "granian"


@command()
def serve(
    host: Annotated[str, typer.Option(metavar="HOST", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, metavar="N", help="Worker processes.")] = 1,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Embedded PostgreSQL data directory (default: REGISTRY_DATA_DIR or the user data dir).",
        ),
    ] = None,
    migrate_db: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply pending migrations first.")
    ] = True,
    seed: Annotated[
        bool,
        typer.Option("--seed/--no-seed", help="Publish the bundled examples as 1.0.0 first."),
    ] = False,
    server: Annotated[
        Server,
        typer.Option(
            help="HTTP server: granian (default; ~1.8× uvicorn's requests per second, see"
            " bench/RESULTS.md), or uvicorn (pure-Python asyncio; sends 408 on slow headers)."
        ),
    ] = Server.granian,
) -> None:
    """Serve the API; with no DATABASE_URL, start an embedded PostgreSQL first."""
    problem = port_problem(host, port)
    if problem:
        console().print(f"[red]error:[/] {problem}")
        raise typer.Exit(1)

    import asyncio
    import os

    from service.auth.admin import first_start_token
    from service.db import migrate
    from service.db.embedded import start_embedded
    from service.logs import configure_logging
    from service.publisher import seed_examples
    from service.resources import examples_dir
    from service.settings import Settings

    if data_dir is not None:
        os.environ["REGISTRY_DATA_DIR"] = str(data_dir)  # the app's keys live there too
    settings = Settings()
    configure_logging(settings.log_level)
    ring = _signing_keys(settings)
    embedded = None
    url = settings.database_url
    if not url:
        directory = data_dir or settings.data_dir
        console().print(f"Starting embedded PostgreSQL in [bold]{directory}[/]")
        embedded = start_embedded(directory)
        url = embedded.url
    os.environ["REGISTRY_DATABASE_URL"] = url
    try:
        if migrate_db:
            asyncio.run(migrate.upgrade(url))
        if seed:
            asyncio.run(seed_examples(Settings(), examples_dir()))
        if embedded is not None and settings.bootstrap_token is None:
            _announce(asyncio.run(first_start_token(url)))
        console().print(f"Profiles signed with key [bold]{ring.active.kid}[/] ({ring.source})")
        console().print(f"Agent Registry on [bold]http://{host}:{port}[/] (Ctrl-C stops)")
        # Both drain on SIGTERM and SIGINT and return: a clean exit (0), after the embedded
        # PostgreSQL below has been stopped too (service/serving.py).
        if server is Server.granian:
            from service.serving import serve_granian

            serve_granian(host, port, workers, settings)
        else:
            from service.serving import serve_uvicorn

            serve_uvicorn(host, port, workers, settings)
    finally:
        if embedded is not None:
            if embedded.stop():
                console().print("Embedded PostgreSQL stopped.")
            else:
                console().print("Embedded PostgreSQL left running: another registry uses it.")


def _signing_keys(settings: Settings) -> KeyRing:
    """Create the key file before the workers start, so they all sign with the same key."""
    from service.signing.keys import load_or_create

    secret = settings.signing_keys.get_secret_value() if settings.signing_keys else None
    ring, _ = load_or_create(settings.signing_keys_path, secret)
    return ring
