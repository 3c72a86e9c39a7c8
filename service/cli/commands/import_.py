"""`registry import`: restore an export into an empty registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.base import command, console, database_url


@command(name="import")
def import_(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A file `registry export` wrote.")],
    to: Annotated[
        str | None, database_url("The empty registry's PostgreSQL (migrated first).")
    ] = None,
) -> None:
    """Verify every digest in PATH, then replay it: byte-identical versions and profiles."""
    import asyncio

    from service.mirror.replay import MirrorError
    from service.portable.archive import ExportFileError
    from service.portable.progress import terminal_progress
    from service.portable.transfer import import_registry

    if not to:
        console().print(
            "[red]Give the registry's database: --to DATABASE_URL (or DATABASE_URL).[/]"
        )
        raise typer.Exit(2)
    try:
        count = asyncio.run(import_registry(path, to, terminal_progress(console())))
    except (MirrorError, ExportFileError, OSError) as exc:
        console().print(f"[red]import failed, nothing was imported: {exc}[/]")
        raise typer.Exit(1) from exc
    console().print(f"Imported {count} event(s) from {path}.")
