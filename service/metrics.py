"""Prometheus metrics of one process, in a registry of its own (no import-time singleton)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

router = APIRouter(tags=["operations"])


class StateCollector(Collector):
    """Read at scrape time from the app's state, so the hot path only bumps plain integers:
    the profile cache, the database pool and the cache-invalidation listener."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        cache = getattr(self.state, "profile_cache", None)
        if cache is not None:
            for name, value, text in (
                ("hits", cache.hits, "Profile requests answered from the in-process cache."),
                ("misses", cache.misses, "Profile requests the cache could not answer."),
                ("evictions", cache.evictions, "Cached profiles dropped to stay within size."),
            ):
                yield CounterMetricFamily(f"registry_profile_cache_{name}", text, value=value)
            yield GaugeMetricFamily(
                "registry_profile_cache_bytes", "Bytes held by the profile cache.", cache.bytes_used
            )
            yield GaugeMetricFamily(
                "registry_profile_cache_entries", "Entries in the profile cache.", len(cache)
            )
        engine = getattr(self.state, "engine", None)
        if engine is not None:
            pool = engine.sync_engine.pool
            yield GaugeMetricFamily(
                "registry_db_pool_in_use", "Pooled connections checked out.", pool.checkedout()
            )
            yield GaugeMetricFamily(
                "registry_db_pool_size", "Connections the pool holds open.", pool.size()
            )
        drivers = getattr(self.state, "driver_pool", None)
        if drivers is not None:
            yield GaugeMetricFamily(
                "registry_db_fastpath_pool_in_use",
                "First-fetch connections (profile fast path) checked out.",
                drivers.in_use,
            )
            yield GaugeMetricFamily(
                "registry_db_fastpath_pool_open",
                "First-fetch connections (profile fast path) open.",
                drivers.open,
            )
        listener = getattr(self.state, "invalidation", None)
        if listener is not None:
            yield CounterMetricFamily(
                "registry_cache_notify_reconnects",
                "Times the LISTEN connection was re-established after a loss (cache cleared).",
                value=listener.reconnects,
            )


class Metrics:
    def __init__(self, state: Any = None) -> None:
        self.registry = CollectorRegistry()
        if state is not None:
            self.registry.register(StateCollector(state))
        self.requests = Counter(
            "registry_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "registry_http_request_duration_seconds",
            "Time from request to the end of the response, by route template and method.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.webhook_deliveries = Counter(
            "registry_webhook_attempts",
            "Webhook delivery attempts, by outcome (delivered, retry, failed).",
            ["outcome"],
            registry=self.registry,
        )

        # The labelled children by (method, route, status): `labels()` per request costs more
        # than the increment itself. Routes are templates, so the set stays small.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        children = self._children.get((method, route, status))
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[(method, route, status)] = children
        children[0].inc()
        children[1].observe(seconds)


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics of this process",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    collected: Metrics = request.app.state.metrics
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
