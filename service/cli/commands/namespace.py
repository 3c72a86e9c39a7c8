"""`registry namespace create|list`: namespaces, straight on the database."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.base import app, command, typer_app

namespace_app = typer_app(
    "Namespaces, on the database directly (DATABASE_URL or the embedded one)."
)
app.add_typer(namespace_app, name="namespace")


@command(namespace_app, "create")
def create(name: Annotated[str, typer.Argument(metavar="NAME", help="e.g. team-a.")]) -> None:
    """Create a namespace."""
    from service.audit.actor import Actor
    from service.cli.commands.token import run_admin
    from service.formats.names import name_problem

    if reason := name_problem(name):
        typer.echo(f"error: namespace {name!r} {reason}", err=True)
        raise typer.Exit(1)
    run_admin(lambda service: service.create_namespace(name, Actor.system("cli")))
    typer.echo(f"created namespace {name}")


@command(namespace_app, "list")
def list_namespaces() -> None:
    """Namespaces and how many artifacts each holds."""
    from service.cli.commands.token import run_admin

    for item in run_admin(lambda service: service.list_namespaces()).items:
        typer.echo(f"{item.name}  {item.artifacts} artifact(s)")
