"""`registry policy show|set|clear`: compatibility policies of namespaces, agents and skills."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from service.cli.base import (
    DEFAULT_URL,
    RegistryUrl,
    app,
    bearer_or_exit,
    command,
    console,
    typer_app,
)

policy_app = typer_app("Compatibility policies: none, warn (default) or enforce.")
app.add_typer(policy_app, name="policy")

Namespace = Annotated[
    str | None, typer.Option("--namespace", metavar="NAMESPACE", help="A namespace's policy.")
]
Agent = Annotated[str | None, typer.Option("--agent", metavar="NAME", help="An agent's policy.")]
Skill = Annotated[str | None, typer.Option("--skill", metavar="NAME", help="A skill's policy.")]
Token = Annotated[
    str | None,
    typer.Option(
        envvar="REGISTRY_TOKEN", metavar="TOKEN", help="API token (admin).", show_envvar=True
    ),
]


def _path(namespace: str | None, agent: str | None, skill: str | None) -> str:
    chosen = [
        f"namespaces/{namespace}" if namespace else None,
        f"agents/{agent}" if agent else None,
        f"skills/{skill}" if skill else None,
    ]
    given = [path for path in chosen if path]
    if len(given) != 1:
        console().print("[red]name exactly one of --namespace, --agent or --skill[/]")
        raise typer.Exit(2)
    return f"/v1/{given[0]}/policy"


def _call(
    url: str, token: str | None, method: str, path: str, body: dict[str, str] | None = None
) -> None:
    import json

    import httpx

    headers = bearer_or_exit(token)
    try:
        with httpx.Client(base_url=url, timeout=30.0, headers=headers) as http:
            response = http.request(method, path, json=body)
    except httpx.HTTPError as exc:  # as publish and pull say it, with their exit code
        console().print(
            f"[red]error:[/] no registry at {url} ({type(exc).__name__}) — start `registry serve`"
            " or set REGISTRY_URL",
            highlight=False,
        )
        raise typer.Exit(4) from exc
    if response.status_code >= 400:
        detail = response.json().get("detail", response.text) if response.content else ""
        console().print(f"[red]{response.status_code}[/] {detail}")
        raise typer.Exit(1)
    typer.echo(json.dumps(response.json()))


@command(policy_app, "show")
def show(
    namespace: Namespace = None,
    agent: Agent = None,
    skill: Skill = None,
    url: RegistryUrl = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Print the policy that applies, and where it comes from."""
    _call(url, token, "GET", _path(namespace, agent, skill))


@command(policy_app, "set")
def set_policy(
    compatibility: Annotated[
        Literal["none", "warn", "enforce"],
        typer.Argument(metavar="POLICY", help="none, warn or enforce."),
    ],
    namespace: Namespace = None,
    agent: Agent = None,
    skill: Skill = None,
    url: RegistryUrl = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Set a namespace's policy, or override it for one agent or skill."""
    _call(url, token, "PUT", _path(namespace, agent, skill), {"compatibility": compatibility})


@command(policy_app, "clear")
def clear(
    agent: Agent = None, skill: Skill = None, url: RegistryUrl = DEFAULT_URL, token: Token = None
) -> None:
    """Remove an agent's or skill's own policy: its namespace's applies again."""
    _call(url, token, "DELETE", _path(None, agent, skill))
