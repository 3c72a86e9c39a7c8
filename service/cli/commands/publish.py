"""`registry publish`: publish skills, then agents, over HTTP."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.base import DEFAULT_URL, RegistryUrl, SourcePaths, command, console


@command()
def publish(
    paths: SourcePaths,
    url: RegistryUrl = DEFAULT_URL,
    version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Version for files that declare none (`version:` or metadata.version).",
        ),
    ] = None,
    namespace: Annotated[
        str | None, typer.Option(metavar="NAMESPACE", help="Publish under this namespace.")
    ] = None,
) -> None:
    """Publish skills, then agents. Re-publishing identical bytes succeeds; every problem is listed."""
    from service.publisher import PublishClient, collect_files

    files = collect_files(paths)
    with PublishClient(url, console()) as client:
        ok = client.publish_all(files, version=version, namespace=namespace)
    raise typer.Exit(0 if ok else 1)
