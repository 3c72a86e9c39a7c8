"""One log line per request, X-Request-ID, quiet /readyz, /metrics, OpenTelemetry traces."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from service.app import create_app
from service.logs import JsonFormatter, TerminalFormatter
from service.settings import Settings
from tests.helpers import agent_file, client_for, put


def _access_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [r.fields for r in caplog.records if r.name == "service.access"]  # type: ignore[attr-defined]


async def test_one_line_per_request_with_id_route_status_latency_and_actor(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.access")
    response = await client.get(
        "/v1/search", params={"q": "x"}, headers={"X-Request-ID": "trace-me-42"}
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-me-42"
    missing = await client.get("/v1/agents/nobody", headers={"X-Request-ID": "x" * 500})
    assert missing.status_code == 404
    generated = missing.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # an unusable id is replaced
    await client.get("/no/such/route")

    first, second, third = _access_records(caplog)
    assert first["request_id"] == "trace-me-42"
    assert first["route"] == "/v1/search" and first["path"] == "/v1/search"
    assert first["status"] == 200 and first["method"] == "GET"
    assert isinstance(first["ms"], float) and first["ms"] >= 0
    assert first["actor"] == "anonymous"
    assert second["request_id"] == generated and second["status"] == 404
    assert second["route"] == "/v1/agents/{name:path}"
    assert third["route"] == "unmatched" and third["path"] == "/no/such/route"


def test_json_for_machines_and_readable_lines_on_a_terminal() -> None:
    record = logging.LogRecord("service.access", logging.INFO, __file__, 1, "request", (), None)
    record.fields = {  # type: ignore[attr-defined]
        "request_id": "abc",
        "method": "GET",
        "path": "/v1/search",
        "route": "/v1/search",
        "status": 200,
        "ms": 3.25,
        "actor": "anonymous",
    }
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "abc" and entry["status"] == 200 and entry["level"] == "info"
    line = TerminalFormatter().format(record)
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d info  GET /v1/search 200 3.25 ms  request_id=abc route=/v1/search"
        r" actor=anonymous",
        line,
    ), line


async def test_readyz_says_nothing_about_migrations(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        response = await client.get("/readyz")
        assert response.status_code == 200 and response.json()["status"] == "ready"
    chatter = [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]
    assert chatter == []


def _sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{"):
            metric, value = line.rsplit(" ", 1)
            got = ",".join(sorted(metric[len(name) + 1 : -1].split(",")))
            if got == wanted:
                return float(value)
    return 0.0


async def test_metrics_count_requests_by_route_and_status(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    for _ in range(3):
        await client.get("/v1/search")
    await client.get("/v1/agents/nobody")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    search = {"method": "GET", "route": "/v1/search", "status": "200"}
    assert (
        _sample(after, "registry_http_requests_total", **search)
        - _sample(before, "registry_http_requests_total", **search)
        == 3
    )
    missing = {"method": "GET", "route": "/v1/agents/{name:path}", "status": "404"}
    assert _sample(after, "registry_http_requests_total", **missing) >= 1
    assert (
        _sample(
            after,
            "registry_http_request_duration_seconds_count",
            method="GET",
            route="/v1/search",
        )
        >= 3
    )


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    settings: Settings, spans: InMemorySpanExporter, clean_db: None
) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    app: FastAPI = create_app(settings, tracer_provider=provider)
    async with client_for(app, "http://t") as http:
        yield http
    provider.shutdown()


async def test_a_profile_fetch_is_one_trace_with_its_database_span(
    traced: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    assert (await put(traced, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    spans.clear()
    response = await traced.get("/v1/profiles/tester@1.0.0")
    assert response.status_code == 200
    finished = spans.get_finished_spans()
    assert len({span.context.trace_id for span in finished}) == 1
    [server] = [span for span in finished if span.kind is SpanKind.SERVER]
    assert server.attributes is not None
    assert server.attributes.get("http.route") == "/v1/profiles/{spec:path}"
    database = [s for s in finished if (s.attributes or {}).get("db.system") == "postgresql"]
    assert database, [s.name for s in finished]
    assert all(s.parent is not None for s in database)
    by_id = {span.context.span_id: span for span in finished}
    for span in database:  # each database span hangs under the request's server span
        parent = span.parent
        while parent is not None and parent.span_id != server.context.span_id:
            parent = by_id[parent.span_id].parent
        assert parent is not None


async def test_no_tracing_without_an_endpoint(settings: Settings) -> None:
    from service.telemetry import tracer_provider_from

    assert settings.otel_exporter_otlp_endpoint is None
    assert tracer_provider_from(settings) is None
    configured = Settings(
        database_url=settings.database_url, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318"
    )
    provider = tracer_provider_from(configured)
    assert provider is not None
    provider.shutdown()
