"""`registry export`: a registry's whole history into one verifiable file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.base import DEFAULT_URL, ApiToken, RegistryUrl, bearer_or_exit, command, console


@command()
def export(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The file to write (.tar.gz).")],
    url: RegistryUrl = DEFAULT_URL,
    token: ApiToken = None,
) -> None:
    """Export every version (exact bytes, skill folders), tag, yank and deprecation, in order."""
    import asyncio

    import httpx

    from service.mirror.replay import MirrorError
    from service.portable.progress import terminal_progress
    from service.portable.transfer import export_registry

    try:
        count = asyncio.run(
            export_registry(url, path, terminal_progress(console()), headers=bearer_or_exit(token))
        )
    except (MirrorError, OSError) as exc:  # OSError: PATH cannot be written
        console().print(f"[red]export failed: {exc}[/]")
        raise typer.Exit(1) from exc
    except httpx.HTTPError as exc:
        console().print(f"[red]export failed: no registry at {url} ({type(exc).__name__})[/]")
        raise typer.Exit(1) from exc
    console().print(f"Exported {count} event(s) from {url} to {path}.")
