"""The README's Configuration and Layout sections are references: they must not drift from the code.

Every setting (service/settings.py) and every environment variable a CLI option reads is a row of
the table with its default; every row names something the code reads; every `registry` command
and each of its options is in the CLI list; every package and top-level module is in the Layout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main
from pydantic import AliasChoices
from pydantic_core import PydanticUndefined

from service.cli import app
from service.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _table() -> dict[str, str]:
    """Each variable of the Configuration table -> its default as written (one row may hold
    several variables, with as many comma-separated defaults)."""
    rows: dict[str, str] = {}
    for line in _section("Configuration").splitlines():
        if not line.startswith("| `"):
            continue
        names_cell, default_cell = (cell.strip() for cell in line.strip("|").split(" | ")[:2])
        names = _NAME.findall(names_cell.split("(")[0])  # `(or REGISTRY_DATABASE_URL)`: an alias
        defaults = [part.strip() for part in default_cell.split(", ")]
        for index, name in enumerate(names):
            rows[name] = defaults[index] if len(defaults) == len(names) else default_cell
        for alias in _NAME.findall(names_cell.split("(", 1)[1] if "(" in names_cell else ""):
            rows[alias] = default_cell
    return rows


def _env_names(field: str, info: Any) -> list[str]:
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [f"REGISTRY_{field.upper()}"]


def _written(value: object) -> str | None:
    """A default as the table writes it, or None where prose describes it."""
    if value is None or value is PydanticUndefined:
        return None
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def _cli_options() -> dict[str, dict[str, list[str]]]:
    """`registry token create` -> {option's long names joined: [every name it has]}."""
    found: dict[str, dict[str, list[str]]] = {}

    def walk(command: Any, path: str) -> None:
        subs = getattr(command, "commands", {})
        for name, sub in subs.items():
            walk(sub, f"{path} {name}")
        if not subs:
            found[path] = {
                "/".join(param.opts): [*param.opts, *param.secondary_opts]
                for param in command.params
                if param.param_type_name == "option"
            }

    walk(typer.main.get_command(app), "registry")
    return found


def _cli_envvars() -> set[str]:
    names: set[str] = set()

    def walk(command: Any) -> None:
        for sub in getattr(command, "commands", {}).values():
            walk(sub)
        for param in getattr(command, "params", []):
            if isinstance(param.envvar, str):
                names.add(param.envvar)

    walk(typer.main.get_command(app))
    return names


def test_every_setting_is_in_the_configuration_table_with_its_default() -> None:
    table = _table()
    missing, wrong = [], []
    for field, info in Settings.model_fields.items():
        names = _env_names(field, info)
        documented = [name for name in names if name in table]
        if not documented:
            missing.append(names[0])
            continue
        expected = _written(info.default)
        if expected is not None and table[documented[0]] != expected:
            wrong.append(f"{documented[0]}: README {table[documented[0]]}, code {expected}")
    assert missing == [], f"settings missing from the README's Configuration table: {missing}"
    assert wrong == [], wrong


def test_every_cli_environment_variable_is_in_the_table_and_every_row_is_read() -> None:
    table = _table()
    settings = {
        name for field, info in Settings.model_fields.items() for name in _env_names(field, info)
    }
    cli = _cli_envvars()
    assert cli - set(table) == set(), "CLI environment variables missing from the table"
    assert set(table) - settings - cli == set(), "table rows nothing reads"


def test_every_command_and_option_is_in_the_cli_list() -> None:
    spans = re.findall(r"`(registry [^`]+)`", _section("Configuration").split("\nCLI", 1)[1])
    missing: list[str] = []
    for path, options in _cli_options().items():
        group, _, leaf = path.rpartition(" ")
        naming = [
            span
            for span in spans
            if span.startswith(f"{group} ")
            and leaf in span.removeprefix(f"{group} ").split()[0].split("|")
        ]
        if not naming:
            missing.append(path)
            continue
        words = set(re.findall(r"--?[a-z][a-z-]*", " ".join(naming)))
        missing.extend(
            f"{path} {names[0]}" for names in options.values() if not words.intersection(names)
        )
    assert missing == [], f"not in the README's CLI list: {missing}"


def test_the_layout_names_every_package_and_module() -> None:
    """A newcomer finds code through the README's Layout: every package of service/ and tests/
    and every module at service/'s top is named there."""
    layout = _section("Layout")
    # An entry is a line starting at the margin plus its indented continuation lines.
    tests_entry = next(e for e in re.split(r"\n(?=\S)", layout) if e.startswith("tests/"))
    root = README.parent

    def packages(folder: str) -> list[str]:
        found = (root / folder).iterdir()
        return sorted(path.name for path in found if (path / "__init__.py").exists())

    missing = [
        f"service/{name}/" for name in packages("service") if f"service/{name}/" not in layout
    ]
    missing += [f"tests/{name}/" for name in packages("tests") if f"{name}/" not in tests_entry]
    missing += [
        f"service/{path.name}"
        for path in sorted((root / "service").glob("*.py"))
        if path.name != "__init__.py" and path.name not in layout
    ]
    assert missing == []
