"""`registry db upgrade|downgrade`: Alembic migrations on DATABASE_URL or the embedded database."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.base import app, command, console, typer_app

db_app = typer_app("Database migrations.")
app.add_typer(db_app, name="db")


def database_url() -> str:
    """DATABASE_URL, or the embedded PostgreSQL in the data directory (started if needed)."""
    import os

    from service.db.embedded import start_embedded
    from service.settings import Settings

    settings = Settings()
    if settings.database_url:
        return settings.database_url
    embedded = start_embedded(settings.data_dir)
    console().print(f"No DATABASE_URL: using the embedded PostgreSQL in {settings.data_dir}")
    os.environ["REGISTRY_DATABASE_URL"] = embedded.url
    return embedded.url


@command(db_app, "upgrade")
def upgrade(
    revision: Annotated[
        str, typer.Argument(metavar="REVISION", help="Target revision (default: head).")
    ] = "head",
) -> None:
    """Apply migrations up to REVISION."""
    import asyncio

    from service.db import migrate

    asyncio.run(migrate.upgrade(database_url(), revision))
    console().print(f"Database at {revision}.")


@command(db_app, "downgrade")
def downgrade(
    revision: Annotated[
        str, typer.Argument(metavar="REVISION", help="Target revision, e.g. base or -1.")
    ],
) -> None:
    """Revert migrations down to REVISION."""
    import asyncio

    from service.db import migrate

    asyncio.run(migrate.downgrade(database_url(), revision))
    console().print(f"Database at {revision}.")
