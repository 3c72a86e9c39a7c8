"""The `registry` command line: the root app and its commands, one module per command.

Importing this package is cheap (typer only): every command imports what it needs when it
runs, so `registry --help` answers without loading FastAPI, SQLAlchemy or pgserver.
"""

from __future__ import annotations

import typer

from service.cli import commands
from service.cli.base import app

commands.register_all()

__all__ = ["app", "main"]


def main() -> None:
    from service.errors import RegistryError

    try:
        app()
    except RegistryError as exc:
        # An expected failure the service layer words for people (a database it cannot reach,
        # say: never SQL or a trace), escaping a command that has no message of its own.
        typer.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
