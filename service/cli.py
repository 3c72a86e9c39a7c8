"""The `registry` command: serve, migrate, publish and validate."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from service.db import migrate
from service.db.embedded import start_embedded
from service.logs import configure_logging
from service.publisher import PublishClient, collect_files, seed_examples
from service.settings import Settings

app = typer.Typer(help="Agent Registry: versioned agent definitions.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True)

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
DEFAULT_URL = "http://127.0.0.1:8000"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Embedded PostgreSQL data directory (REGISTRY_DATA_DIR)."),
    ] = None,
    migrate_db: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply pending migrations first.")
    ] = True,
    seed: Annotated[
        bool, typer.Option("--seed/--no-seed", help="Publish the bundled examples as 1.0.0.")
    ] = False,
) -> None:
    """Serve the API; with no DATABASE_URL, start an embedded PostgreSQL first."""
    settings = Settings()
    configure_logging(settings.log_level)
    embedded = None
    url = settings.database_url
    if not url:
        directory = data_dir or settings.data_dir
        console.print(f"Starting embedded PostgreSQL in [bold]{directory}[/]")
        embedded = start_embedded(directory)
        url = embedded.url
    os.environ["REGISTRY_DATABASE_URL"] = url
    try:
        if migrate_db:
            asyncio.run(migrate.upgrade(url))
        if seed:
            asyncio.run(seed_examples(Settings(), EXAMPLES_DIR))
        console.print(f"Agent Registry on [bold]http://{host}:{port}[/] (Ctrl-C stops)")
        uvicorn.run(
            "service.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
        )
    finally:
        if embedded is not None:
            embedded.stop()
            console.print("Embedded PostgreSQL stopped.")


def _database_url() -> str:
    url = Settings().database_url
    if url:
        return url
    settings = Settings()
    embedded = start_embedded(settings.data_dir)
    console.print(f"No DATABASE_URL: using the embedded PostgreSQL in {settings.data_dir}")
    os.environ["REGISTRY_DATABASE_URL"] = embedded.url
    return embedded.url


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default head)."""
    asyncio.run(migrate.upgrade(_database_url(), revision))
    console.print(f"Database at {revision}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target, e.g. base or -1.")]) -> None:
    """Revert migrations down to REVISION."""
    asyncio.run(migrate.downgrade(_database_url(), revision))
    console.print(f"Database at {revision}.")


@app.command()
def publish(
    paths: Annotated[list[Path], typer.Argument(help="Agent files, SKILL.md files or folders.")],
    url: Annotated[
        str, typer.Option(envvar="REGISTRY_URL", help="Registry base URL.")
    ] = DEFAULT_URL,
    version: Annotated[
        str | None,
        typer.Option(help="Version for files that declare none (`version:` or metadata.version)."),
    ] = None,
    namespace: Annotated[str | None, typer.Option(help="Publish under this namespace.")] = None,
) -> None:
    """Publish skills, then agents. Re-publishing identical bytes succeeds; every problem is listed."""
    files = collect_files(paths)
    with PublishClient(url, console) as client:
        ok = client.publish_all(files, version=version, namespace=namespace)
    raise typer.Exit(0 if ok else 1)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Agent files, SKILL.md files or folders.")],
    url: Annotated[
        str, typer.Option(envvar="REGISTRY_URL", help="Registry base URL.")
    ] = DEFAULT_URL,
) -> None:
    """Dry run: run every publish check on the files and store nothing."""
    files = collect_files(paths)
    with PublishClient(url, console) as client:
        ok = client.validate_all(files)
    raise typer.Exit(0 if ok else 1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
