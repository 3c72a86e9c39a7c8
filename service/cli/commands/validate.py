"""`registry validate`: every publish check, offline by default; `--url` adds the registry's."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.base import SourcePaths, command


@command()
def validate(
    paths: SourcePaths,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="Also check references (skills, toolsets) against this registry.",
        ),
    ] = None,
    version: Annotated[
        str | None, typer.Option(metavar="VERSION", help="Version for files that declare none.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Run every publish check on the files and store nothing; no server needed.

    Exit codes: 0 valid, 1 invalid, 4 network or server (with --url).
    """
    from service.cli.report import Report
    from service.publisher import PublishFailure, RegistryClient, collect_files, validate_offline

    report = Report("validate", as_json=as_json, stored=False)
    try:
        files = collect_files(paths)
        if url is None:
            report.finish(validate_offline(files, version=version))
        client = RegistryClient(url)
        try:
            report.finish(client.validate_all(files, version=version, namespace=None))
        finally:
            client.close()
    except PublishFailure as failure:
        report.fail(failure)
