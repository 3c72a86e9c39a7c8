"""`registry mirror`: follow another registry's changes feed into a database."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.base import ApiToken, bearer_or_exit, command, console, database_url


@command()
def mirror(
    source: Annotated[
        str,
        typer.Option("--from", metavar="URL", help="The registry to follow (its base URL)."),
    ],
    to: Annotated[
        str | None,
        database_url(
            "The mirror's PostgreSQL (migrated first); a `registry serve` on it serves the copy."
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep polling for new events instead of stopping.")
    ] = False,
    interval: Annotated[
        float, typer.Option(metavar="SECONDS", min=0.05, help="Poll interval with --follow.")
    ] = 1.0,
    writable: Annotated[
        bool,
        typer.Option(
            "--writable", help="Let the mirror take its own writes too (default: read-only)."
        ),
    ] = False,
    token: ApiToken = None,
) -> None:
    """Copy every version (exact bytes, digests checked), tag, yank and deprecation from a source
    registry, in feed order. Resumes where it stopped, even after a crash."""
    import asyncio

    if not to:
        console().print("[red]Give the mirror's database: --to DATABASE_URL (or DATABASE_URL).[/]")
        raise typer.Exit(2)
    from service.mirror.run import run_mirror

    code = asyncio.run(
        run_mirror(
            source,
            to,
            follow=follow,
            interval=interval,
            writable=writable,
            out=console(),
            headers=bearer_or_exit(token),
        )
    )
    raise typer.Exit(code)
