"""`registry publish`: publish a tree (skills and toolsets, then agents) over HTTP, for CI logs."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.base import DEFAULT_URL, RegistryUrl, SourcePaths, command


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
    token: Annotated[
        str | None,
        typer.Option(
            envvar="REGISTRY_TOKEN",
            metavar="TOKEN",
            show_envvar=True,
            help="API token; in GitHub Actions with `id-token: write` and no token, trusted"
            " publishing (OIDC) is used.",
        ),
    ] = None,
    audience: Annotated[
        str,
        typer.Option(
            "--oidc-audience",
            envvar="REGISTRY_OIDC_AUDIENCE",
            metavar="AUDIENCE",
            show_envvar=True,
            help="Audience of the CI provider's ID token (trusted publishing).",
        ),
    ] = "agent-registry",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Run every check and compare digests; store nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Publish skills and toolsets, then agents. Safe to re-run: identical files are `unchanged`.

    Exit codes: 0 ok, 1 invalid, 2 conflict, 3 auth, 4 network or server.
    """
    from service.cli.report import Report
    from service.publisher import (
        EXIT_AUTH,
        PublishFailure,
        RegistryClient,
        collect_files,
        github_id_token,
    )

    report = Report("publish", as_json=as_json, stored=not dry_run)
    client: RegistryClient | None = None
    try:
        files = collect_files(paths)
        client = RegistryClient(url, token)
        if dry_run:
            report.finish(client.dry_run(files, version=version, namespace=namespace))
        if token is None and (id_token := github_id_token(audience)) is not None:
            client.exchange_oidc(id_token)
            report.note(
                "trusted publishing: exchanged the CI provider's ID token for a registry token"
            )
        elif token is None:
            raise PublishFailure(
                "no token: pass --token or set REGISTRY_TOKEN (or run in GitHub Actions with"
                " `permissions: id-token: write` and a trust policy)",
                EXIT_AUTH,
            )
        with report.progress(len(files)) as advance:
            outcomes = client.publish_all(
                files, version=version, namespace=namespace, report=lambda o: advance(o)
            )
        report.finish(outcomes)
    except PublishFailure as failure:
        report.fail(failure)
    finally:
        if client is not None:
            client.close()
