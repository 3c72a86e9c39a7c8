"""The `registry` command line: the root app and its commands, one module per command.

Importing this package is cheap (typer only): every command imports what it needs when it
runs, so `registry --help` answers without loading FastAPI, SQLAlchemy or pgserver.
"""

from __future__ import annotations

from service.cli import commands
from service.cli.base import app

commands.register_all()

__all__ = ["app", "main"]


def main() -> None:
    app()
