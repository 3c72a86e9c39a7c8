"""Register the `bench` marker here too, so `--strict-markers` accepts it wherever it is declared."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bench: runs the load benchmark (bench/profile_load.py) against a real server"
    )
