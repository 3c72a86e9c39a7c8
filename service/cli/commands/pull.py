"""`registry pull`: install an agent and its skills into `.claude/`, verified against the registry."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from service.cli.base import DEFAULT_URL, RegistryUrl, command


@command()
def pull(
    spec: Annotated[
        str, typer.Argument(metavar="NAME@REF", help="The agent: dev-python@^1, dev-python@1.0.0.")
    ],
    url: RegistryUrl = DEFAULT_URL,
    into: Annotated[
        Path,
        typer.Option(metavar="DIR", help="Install into DIR/.claude/ (default: here)."),
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that were changed here.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 unless the folder is what the registry serves."
        ),
    ] = False,
) -> None:
    """Install an agent into .claude/agents/ and its skills into .claude/skills/, verified.

    Exit codes: 0 done (or current), 1 not current (--check), unknown ref or failed
    verification, 2 local changes would be overwritten, 3 authentication, 4 registry unreachable.
    """
    import httpx

    from service.publisher import bearer
    from service.pull import Puller, PullError

    try:
        headers = bearer(os.environ.get("REGISTRY_TOKEN"))
    except ValueError as exc:
        typer.echo(f"registry pull: {exc}", err=True)
        raise typer.Exit(3) from None
    with httpx.Client(base_url=url, timeout=30.0, headers=headers) as http:
        puller = Puller(http, into)
        try:
            outcome = puller.check(spec) if check else puller.pull(spec, force=force)
        except PullError as exc:
            typer.echo(f"registry pull: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from exc
    where = puller.root
    if check:
        for problem in outcome.problems:
            typer.echo(problem)
        state = "current" if outcome.current else "not current"
        typer.echo(f"{outcome.agent}@{outcome.version} in {where}: {state}")
        raise typer.Exit(0 if outcome.current else 1)
    if outcome.current:
        typer.echo(f"{outcome.agent}@{outcome.version} is up to date in {where}")
        return
    for relative in outcome.written:
        typer.echo(f"wrote {relative}")
    for relative in outcome.removed:
        typer.echo(f"removed {relative}")
    typer.echo(
        f"pulled {outcome.agent}@{outcome.version} into {where}: {len(outcome.written)} written,"
        f" {len(outcome.removed)} removed"
    )
