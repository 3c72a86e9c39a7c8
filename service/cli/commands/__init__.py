"""Every module in this package is a `registry` command; `register_all()` imports them all.

To add a command, add one module here, e.g. `token.py`:

    from service.cli.base import command, typer_app, app

    @command()
    def pull(...) -> None:            # `registry pull`
        from service.pull import ...  # heavy imports inside the function: --help stays fast

    token_app = typer_app("Manage API tokens.")   # or a group: `registry token create`
    app.add_typer(token_app, name="token")

    @command(token_app)
    def create(...) -> None: ...

No other file needs editing; commands are listed by name in `registry --help`.
"""

from __future__ import annotations

import importlib
import pkgutil


def register_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
