"""The root `registry` app, the help format every command shares, and the options they reuse."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_URL = "http://127.0.0.1:8000"
CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


def _argument_usage(param: Any) -> str:
    name = str(param.metavar or param.name.upper())
    name = name if param.required else f"[{name}]"
    return name + ("..." if param.nargs != 1 else "")


class Command(TyperCommand):
    """Help as a normal CLI prints it: `Usage: registry publish [OPTIONS] PATH...`, no type tags."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [
            _argument_usage(param)
            for param in self.get_params(ctx)
            if param.param_type_name == "argument"
        ]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)
        arguments = [
            (_argument_usage(param), getattr(param, "help", None) or "")
            for param in params
            if param.param_type_name == "argument"
        ]
        options = [
            record
            for param in params
            if param.param_type_name == "option" and (record := param.get_help_record(ctx))
        ]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Group(TyperGroup):
    """Commands listed by name, whichever module registered them first."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(self.commands)


def typer_app(help: str) -> typer.Typer:
    """A `registry` (sub)command group with the shared help format."""
    return typer.Typer(
        help=help,
        cls=Group,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )


app = typer_app("Agent Registry: versioned agent definitions, validated on publish.")


def command(
    group: typer.Typer = app, name: str | None = None
) -> Callable[[CommandFunction], CommandFunction]:
    """Register a command on `group` (the root app by default) with the shared help format."""
    return group.command(name, cls=Command)


@cache
def console() -> Console:
    """Messages for people go to stderr, so stdout stays clean for data.

    soft_wrap: a line is never broken at 80 columns when stderr is a pipe or a CI log.
    """
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


RegistryUrl = Annotated[
    str,
    typer.Option(
        "--url", envvar="REGISTRY_URL", metavar="URL", help="Registry base URL.", show_envvar=True
    ),
]


ApiToken = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="REGISTRY_TOKEN",
        metavar="TOKEN",
        help="API token, for a registry that does not serve anonymous reads.",
        show_envvar=True,
    ),
]


def bearer_or_exit(token: str | None) -> dict[str, str]:
    """The Authorization header for `token` (service.publisher.bearer), or exit 1 saying what is
    wrong with it (never showing it)."""
    from service.publisher import bearer

    try:
        return bearer(token)
    except ValueError as exc:
        console().print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None


def database_url(help: str) -> Any:
    """`--to DATABASE_URL` (or the DATABASE_URL environment variable): the PostgreSQL written to."""
    return typer.Option("--to", metavar="DATABASE_URL", envvar="DATABASE_URL", help=help)


SourcePaths = Annotated[
    list[Path],
    typer.Argument(metavar="PATH", help="Agent files, SKILL.md files or folders of them."),
]
