"""OpenTelemetry tracing: a span per request (FastAPI) with a child per SQL statement.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set (then spans go there over OTLP/HTTP, with the
standard `OTEL_*` variables for service name, headers and sampling) or a tracer provider is
handed to `create_app` (the tests give one with an in-memory exporter). The provider belongs to
the app, not the process: nothing global is set.
"""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine

from service.settings import Settings

SERVICE_NAME = "agent-registry"


def tracer_provider_from(settings: Settings) -> TracerProvider | None:
    if not settings.otel_exporter_otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TIMEOUT…) itself.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def trace_requests(app: FastAPI, provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, exclude_spans=["receive"])


def trace_database(engine: AsyncEngine, provider: TracerProvider) -> None:
    """Per engine (not `SQLAlchemyInstrumentor().instrument()`, a process-wide singleton that
    would instrument only the first app of a process)."""
    tracer = provider.get_tracer("service.db")
    usage = NoOpMeterProvider().get_meter("service.db").create_up_down_counter("unused")
    EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]
