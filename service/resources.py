"""Files shipped inside the package (migrations, alembic.ini, the examples), found with importlib.resources.

Nothing here depends on the working directory or on a source checkout: an installed wheel
carries the same files under the same names.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _directory(package: str, *parts: str) -> Path:
    resource = files(package).joinpath(*parts)
    # A wheel installed in site-packages is plain files; a zipped install is not supported
    # because Alembic and the seed walk real directories.
    path = Path(str(resource))
    if not path.exists():
        raise FileNotFoundError(
            f"{package}/{'/'.join(parts)} is missing from the installed package"
        )
    return path


def alembic_ini() -> Path:
    return _directory("service.db", "alembic.ini")


def migrations_dir() -> Path:
    return _directory("service.db", "migrations")


def examples_dir() -> Path:
    """The two example agents and six skills (a copy of the shared fixtures), used by `--seed`."""
    return _directory("service", "examples")
