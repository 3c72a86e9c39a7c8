"""`registry token create|list|revoke`: API tokens, straight on the database (for bootstrap)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from service.cli.base import app, command, typer_app

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from service.auth.service import AuthService

T = TypeVar("T")


def run_admin(work: Callable[[AuthService], Awaitable[T]]) -> T:
    """Run `work` on the database (DATABASE_URL or the embedded one); a failure is one line."""
    from service.auth import admin
    from service.cli.commands.db import database_url
    from service.errors import RegistryError

    try:
        return admin.run(database_url(), work)
    except RegistryError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc


token_app = typer_app("API tokens, on the database directly (DATABASE_URL or the embedded one).")
app.add_typer(token_app, name="token")


@command(token_app, "create")
def create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="What it is for, e.g. ci-team-a.")],
    namespace: Annotated[
        list[str],
        typer.Option(
            "--namespace", "-n", metavar="NAMESPACE", help="Repeatable; `*` = every namespace."
        ),
    ],
    permission: Annotated[
        list[str],
        typer.Option(
            "--permission",
            "-p",
            metavar="PERMISSION",
            help="Repeatable: read, publish, tag, yank, admin.",
        ),
    ],
    expires_in_days: Annotated[
        int | None,
        typer.Option(min=1, metavar="DAYS", help="Expire after this many days (default: never)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every field as JSON.")] = False,
) -> None:
    """Create a token; its secret goes to stdout, once (only its hash is stored)."""
    import datetime as dt

    from pydantic import ValidationError

    from service.audit.actor import Actor
    from service.auth.schemas import TokenCreate

    expires = (
        dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None
    )
    try:
        request = TokenCreate.model_validate(
            {"name": name, "namespaces": namespace, "permissions": permission, "expiresAt": expires}
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            typer.echo(f"error: {field}: {error['msg']}", err=True)
        raise typer.Exit(1) from exc
    created = run_admin(lambda service: service.create_token(request, Actor.system("cli"), "cli"))
    if as_json:
        typer.echo(created.model_dump_json(indent=2))
        return
    scope = f"[{', '.join(created.permissions)}] on [{', '.join(created.namespaces)}]"
    typer.echo(f"created token {created.id} ({created.name}: {scope})", err=True)
    typer.echo(created.token)


@command(token_app, "list")
def list_tokens(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Every token's id, name, scope and state (never the secrets)."""
    import json

    tokens = run_admin(lambda service: service.list_tokens())
    if as_json:
        typer.echo(json.dumps(tokens.model_dump(mode="json")["items"], indent=2))
        return
    for token in tokens.items:
        if token.revokedAt:
            state = "revoked"
        elif token.expiresAt:
            state = f"expires {token.expiresAt:%Y-%m-%d %H:%M}Z"
        else:
            state = "active"
        typer.echo(
            f"{token.id}  {token.hint}…  {token.name}  "
            f"[{','.join(token.permissions)}] on [{','.join(token.namespaces)}]  {state}"
        )


@command(token_app, "revoke")
def revoke(token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id.")]) -> None:
    """Revoke a token: it stops working at once."""
    from service.audit.actor import Actor

    revoked = run_admin(lambda service: service.revoke_token(token_id, Actor.system("cli")))
    typer.echo(f"revoked token {revoked.id} ({revoked.name})")
