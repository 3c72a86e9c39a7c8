"""`registry validate`: every publish check on the files, nothing stored."""

from __future__ import annotations

import typer

from service.cli.base import DEFAULT_URL, RegistryUrl, SourcePaths, command, console


@command()
def validate(paths: SourcePaths, url: RegistryUrl = DEFAULT_URL) -> None:
    """Dry run: run every publish check on the files and store nothing."""
    from service.publisher import PublishClient, collect_files

    files = collect_files(paths)
    with PublishClient(url, console()) as client:
        ok = client.validate_all(files)
    raise typer.Exit(0 if ok else 1)
