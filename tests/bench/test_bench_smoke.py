"""Smoke test of the load benchmark: a short, low-concurrency run against a real `registry serve`."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.bench
BENCH = Path(__file__).resolve().parents[2] / "bench" / "profile_load.py"


def _load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("profile_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["profile_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_every_scenario_without_errors() -> None:
    bench = _load_benchmark()
    # The given test server (CI), else the embedded PostgreSQL, as the rest of the suite does.
    database = os.environ.get("TEST_DATABASE_URL") or "embedded"
    config = bench.Config(
        seconds=0.2, warmup=0.05, concurrency=2, max_requests=2_000, database=database, quiet=True
    )
    started = time.monotonic()
    report = bench.run(config)
    elapsed = time.monotonic() - started

    assert [r.name for r in report.results] == list(bench.SCENARIO_NAMES)
    for result in report.results:
        assert result.errors == 0, (result.name, result.error_samples)
        assert result.requests > 0, result.name
        assert result.rps > 0 and result.p50_ms > 0, result.name
        assert result.p50_ms <= result.p95_ms <= result.p99_ms, result.name
        assert result.ratio_rps is not None, result.name
    assert report.server_exit == 0  # stopped by SIGINT, cleanly
    table = bench.markdown_table(report)
    assert all(name in table for name in bench.SCENARIO_NAMES)
    assert elapsed < 30, f"the smoke run took {elapsed:.1f} s"
