"""`registry trust-policy create|list|delete`: OIDC trust policies, straight on the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from service.cli.base import app, command, typer_app

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from service.auth.trust import TrustService

T = TypeVar("T")
policy_app = typer_app(
    "OIDC trust policies (trusted publishing from CI), on the database directly."
)
app.add_typer(policy_app, name="trust-policy")


def _run(work: Callable[[TrustService], Awaitable[T]]) -> T:
    from service.auth.admin import run_trust
    from service.cli.commands.db import database_url
    from service.errors import RegistryError

    try:
        return run_trust(database_url(), work)
    except RegistryError as exc:
        problems = exc.extra.get("errors") or []
        for problem in problems:
            typer.echo(f"error: {problem['loc']}: {problem['message']}", err=True)
        if not problems:
            typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc


@command(policy_app, "create")
def create(
    issuer: Annotated[str, typer.Option(metavar="URL", help="The OIDC issuer (https).")],
    audience: Annotated[str, typer.Option(metavar="AUDIENCE", help="The token's `aud`.")],
    claim: Annotated[
        list[str],
        typer.Option(
            metavar="NAME=PATTERN",
            help="Repeatable: a claim and its exact value or glob, e.g. ref=refs/heads/*.",
        ),
    ],
    namespace: Annotated[
        list[str], typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Repeatable.")
    ],
    permission: Annotated[
        list[str],
        typer.Option("--permission", "-p", metavar="PERMISSION", help="publish, tag, yank, read."),
    ],
) -> None:
    """Trust the issuer's ID tokens whose claims match, for these namespaces and permissions."""
    from pydantic import ValidationError

    from service.audit.actor import Actor
    from service.auth.schemas import TrustPolicyCreate

    claims = dict(item.split("=", 1) for item in claim if "=" in item)
    if len(claims) != len(claim):
        typer.echo("error: --claim takes NAME=PATTERN, e.g. repository=acme/agents", err=True)
        raise typer.Exit(1)
    try:
        request = TrustPolicyCreate.model_validate(
            {
                "issuer": issuer,
                "audience": audience,
                "claims": claims,
                "namespaces": namespace,
                "permissions": permission,
            }
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            typer.echo(f"error: {field}: {error['msg']}", err=True)
        raise typer.Exit(1) from exc
    created = _run(lambda trust: trust.create_policy(request, Actor.system("cli")))
    typer.echo(created.id)


@command(policy_app, "list")
def list_policies() -> None:
    """Every trust policy, oldest first (the first that matches a token wins)."""
    for policy in _run(lambda trust: trust.list_policies()).items:
        conditions = " ".join(f"{k}={v}" for k, v in policy.claims.items())
        typer.echo(
            f"{policy.id}  {policy.issuer}  aud={policy.audience}  {conditions}  "
            f"[{','.join(policy.permissions)}] on [{','.join(policy.namespaces)}]"
        )


@command(policy_app, "delete")
def delete(
    policy_id: Annotated[
        str, typer.Argument(metavar="ID", help="The policy's id (`registry trust-policy list`).")
    ],
) -> None:
    """Delete a trust policy."""
    from service.audit.actor import Actor

    _run(lambda trust: trust.delete_policy(policy_id, Actor.system("cli")))
    typer.echo(f"deleted trust policy {policy_id}")
