"""Imports between service/'s packages only point down: no cycles, and the pure cores do no I/O.

A unit is a top-level package (`service/artifacts/`) or module (`service/errors.py`). Every
`import service.…` in any function or block counts, TYPE_CHECKING ones included.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[1] / "service"
# Pure cores: data in, data out. They may use each other, never a database, web or HTTP library.
PURE = {"formats", "resolution", "semver"}
IO_LIBRARIES = {"fastapi", "starlette", "sqlalchemy", "asyncpg", "httpx", "uvicorn", "alembic"}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "service"


def _is_unit(name: str) -> bool:
    return (SERVICE / name).is_dir() or (SERVICE / f"{name}.py").is_file()


def _imports() -> dict[tuple[str, str], set[str]]:
    """(importing unit, imported top-level name or unit) -> the module-level edges behind it."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in SERVICE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SERVICE.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                if node.module == "service":
                    names = [f"service.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = _unit(name) if name.startswith("service.") else name.split(".")[0]
                found[(_unit(module), target)].add(f"{module} -> {name}")
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in _imports():
        if source != target and _is_unit(target):
            graph[source].add(target)
    return graph


def test_package_imports_form_no_cycle() -> None:
    graph = package_graph()
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle = error.args[1]
        edges = _imports()
        why = [
            line
            for source, target in itertools.pairwise(cycle)
            for line in sorted(edges[(source, target)])
        ]
        raise AssertionError(f"import cycle {' -> '.join(cycle)}:\n" + "\n".join(why)) from None


def test_pure_cores_import_no_io_and_nothing_above_them() -> None:
    for (source, target), lines in _imports().items():
        if source not in PURE:
            continue
        assert target not in IO_LIBRARIES, sorted(lines)
        if _is_unit(target):
            assert target in PURE or target == source, sorted(lines)


# The one module that ends transactions on data (service.db.unit_of_work); everything else adds
# rows. Schema migrations (service.db.migrate, Alembic) hold their own lock and transactions.
ENDS_TRANSACTIONS = {SERVICE / "db" / "unit_of_work.py", SERVICE / "db" / "migrate.py"}
TRANSACTION_ENDS = {"commit", "rollback"}


def test_only_the_unit_of_work_commits_or_rolls_back() -> None:
    found = []
    for path in SERVICE.rglob("*.py"):
        if "migrations" in path.parts or path in ENDS_TRANSACTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in TRANSACTION_ENDS
            ):
                found.append(
                    f"{path.relative_to(SERVICE.parent)}:{node.lineno} .{node.func.attr}()"
                )
    assert found == [], "end transactions through service.db.unit_of_work:\n" + "\n".join(found)
