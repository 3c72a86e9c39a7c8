"""Smoke test of `bench/run.py`: every step once, tiny and short, against real processes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.bench
BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) is not installed")
def test_the_harness_measures_every_path_against_the_reference(tmp_path: Path) -> None:
    run = _load("run")
    database = os.environ.get("TEST_DATABASE_URL")
    argv = ["--seconds", "1", "--rounds", "1", "--publish-seconds", "1", "--population", "40"]
    argv += ["--out", str(tmp_path / "RESULTS.md"), "--json", str(tmp_path / "results.json")]
    argv += ["--database-url", database.replace("+asyncpg", "")] if database else []
    started = time.monotonic()
    assert run.main(argv) == 0
    elapsed = time.monotonic() - started

    data = json.loads((tmp_path / "results.json").read_text())
    assert set(data["small"]) == set(run.TARGETS) == set(data["large"])
    for part in ("small", "large"):
        for name, row in data[part].items():
            assert row["bad"] == 0, (part, name)
            assert row["rps"] > 0 and row["ref_rps"] > 0 and row["p99"] >= row["p50"] > 0, name
            # The CPU of the process that answers: granian's worker, a child of registry serve.
            assert row["cpu_ms"] > 0.01, (part, name, row["cpu_ms"])
    assert data["server"] == "granian"  # registry serve's default
    assert data["publish"]["published"] > 0 and data["publish"]["failed"] == 0
    assert data["population"] == 40 and data["rss_small"] > 0
    assert data["sweep"]["bad"] == 0 and data["sweep"]["requests"] > 0
    assert data["sweep_cache"]["bytes"] <= 16 * 1024 * 1024
    assert set(data["plans"]) == set(run.PLANS) and all(data["plans"].values())
    report = (tmp_path / "RESULTS.md").read_text()
    assert all(f"| {name} |" in report for name in run.TARGETS)
    assert elapsed < 120, f"the smoke run took {elapsed:.0f} s"
