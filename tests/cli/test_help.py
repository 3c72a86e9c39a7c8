"""`registry … --help` is cheap (no web, database or embedded-PostgreSQL imports) and reads plainly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import typer.core
import typer.main

from service.cli import app

# What a command needs only when it runs; each costs hundreds of milliseconds to import.
HEAVY = (
    "fastapi",
    "sqlalchemy",
    "uvicorn",
    "granian",
    "pgserver",
    "alembic",
    "httpx",
    "asyncpg",
    "rich",
)

# Runs in a fresh interpreter: walks the real command tree, prints every help page and what
# got imported on the way.
PROBE = textwrap.dedent(
    """
    import json, sys
    import typer.core, typer.main
    from service.cli import app

    pages = {}

    def walk(command, name, parent):
        context = command.context_class(command, info_name=name, parent=parent)
        pages[context.command_path] = command.get_help(context)
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, sub_name, context)

    walk(typer.main.get_command(app), "registry", None)
    print(json.dumps({"pages": pages, "modules": sorted(sys.modules)}))
    """
)


@pytest.fixture(scope="module")
def probe() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_help_of_every_command_imports_nothing_heavy(probe: dict[str, object]) -> None:
    modules = probe["modules"]
    assert isinstance(modules, list)
    loaded = {name.split(".")[0] for name in modules}
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
    assert not [name for name in modules if name in {"service.app", "service.publisher"}]


def test_help_reads_like_a_normal_cli(probe: dict[str, object]) -> None:
    pages = probe["pages"]
    assert isinstance(pages, dict)
    assert {"registry", "registry serve", "registry publish", "registry db upgrade"} <= set(pages)
    for path, page in pages.items():
        assert "<bool>" not in page and "<str>" not in page and "<list" not in page, page
        assert "{" not in page.splitlines()[0], page
        assert page.startswith(f"Usage: {path} [OPTIONS]"), page
    assert pages["registry publish"].splitlines()[0] == "Usage: registry publish [OPTIONS] PATH..."
    assert "  --url URL " in pages["registry publish"]
    assert "[env var: REGISTRY_URL;" in pages["registry publish"]


def test_commands_are_listed_by_name() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    names = group.list_commands(group.context_class(group, info_name="registry"))
    assert names == sorted(names)
    assert {"serve", "publish", "validate", "db"} <= set(names)


def test_every_argument_and_option_says_what_it_is() -> None:
    """`--help` is the reference a newcomer reads: no argument or option without its line."""
    silent: list[str] = []

    def walk(command: object, path: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")
        silent.extend(
            f"{path} {param.name}"
            for param in getattr(command, "params", [])
            if not getattr(param, "help", None)
        )

    walk(typer.main.get_command(app), "registry")
    assert silent == []
