"""The FastAPI application: `create_app(settings)` wires routers, errors and the database."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.sdk.trace import TracerProvider
from starlette.types import Receive, Scope, Send

from service import health
from service.artifacts.compatibility import COMPAT_ROUTES
from service.artifacts.router import build_router, validate_router
from service.auth import audit_router as audit
from service.auth import router as auth
from service.auth.dependencies import ReadAccess
from service.auth.oidc import OidcVerifier
from service.auth.ratelimit import FailedLoginLimiter
from service.auth.tokens import hash_token
from service.body_limit import BodyLimitMiddleware
from service.bundles import router as bundles
from service.catalogue import docs as catalogue_docs
from service.catalogue import router as catalogue
from service.catalogue import session as catalogue_session
from service.changes.router import router as changes_router
from service.compat.router import namespace_router
from service.compat.snapshot import SnapshotCache
from service.db.engine import (
    create_driver_pool,
    create_engine,
    create_listener_engine,
    session_factory,
)
from service.db.faults import OutageMemory
from service.head_requests import as_get
from service.logs import RequestLogMiddleware
from service.metrics import Metrics
from service.metrics import router as metrics_router
from service.openapi_document import install_openapi
from service.problems import NulGuardMiddleware, install_problem_handlers
from service.profiles import router as profiles
from service.profiles import signature as profile_signature
from service.profiles.cache import ProfileCache
from service.profiles.fastpath import ProfileFastPath, ReadTokens
from service.profiles.invalidation import InvalidationListener
from service.search.router import router as search_router
from service.search.service import SearchFeatures
from service.settings import Settings
from service.signing import router as signing
from service.signing.keys import load_or_create
from service.signing.signer import ProfileSigner
from service.telemetry import trace_database, trace_requests, tracer_provider_from
from service.webhooks import router as webhooks
from service.webhooks.lifecycle import webhook_dispatch

API_VERSION = "1.0.0"
log = logging.getLogger("service.app")


_frozen = False


def freeze_startup_objects(app: FastAPI) -> None:
    """Once per process, at the end of startup: what startup made (imports, models, routes,
    ~220,000 objects) moves out of the collector's reach (`gc.freeze`), so a full collection,
    which stops the one worker, walks only what came later.

    FastAPI builds each included router's routes (dependants, validators, serializers: ~12,000
    objects here) on the first request routed through it, after the freeze, which left them to
    every later full collection; the OpenAPI document walks every route, so building it first
    (it is kept for `/openapi.json`; ~0.3 s) builds them before. With the caches kept in forms
    the collector does not track (service.profiles.cache, service.compat.snapshot), a full
    collection after 2,000 publishes and 100,000 versions walks ~9,000 objects, 1 ms (it was
    ~36,000, 4-5 ms; 10-15 ms while publishes ran).

    The trade-off: a frozen object is never collected, so were it to end in a reference cycle
    after startup, the cycle's memory would stay held. What is frozen lives as long as the
    process (a one-off leak at most); the thresholds are Python's own."""
    global _frozen
    if not _frozen:
        _frozen = True
        app.openapi()
        gc.collect()
        gc.freeze()


class RegistryApp(FastAPI):
    """FastAPI, with the profile fast path in front of its whole middleware stack when `front` is
    set (service.profiles.fastpath): a warm answer costs less than those layers would."""

    front: ProfileFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope, send = as_get(scope, send)  # service.head_requests
        if self.front is not None and scope["type"] == "http":
            scope["app"] = self
            await self.front(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    """`tracer_provider`: trace into it (else one from OTEL_EXPORTER_OTLP_ENDPOINT, else none)."""
    settings = settings or Settings()
    tracing = tracer_provider or tracer_provider_from(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url:
            raise RuntimeError(
                "no database: set DATABASE_URL, or start with `registry serve` (embedded PostgreSQL)"
            )
        secret = settings.signing_keys.get_secret_value() if settings.signing_keys else None
        ring, created = load_or_create(settings.signing_keys_path, secret)
        app.state.signer = ProfileSigner(ring)
        log.info(
            "signing key %s %s",
            ring.active.kid,
            f"created in {ring.source}" if created else f"loaded from {ring.source}",
        )
        engine = create_engine(settings, settings.database_url)
        if tracing is not None:
            trace_database(engine, tracing)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.release_snapshots = SnapshotCache()  # of this database's versions
        # First fetches of exact profile versions (service.profiles.fastpath) read through this.
        app.state.driver_pool = create_driver_pool(settings, settings.database_url)
        app.state.profile_cache.clear()
        app.state.outage = OutageMemory(settings.db_outage_memory_seconds)
        listener = InvalidationListener(
            create_listener_engine(settings, settings.listen_database_url or settings.database_url),
            app.state.profile_cache,
        )
        app.state.invalidation = listener
        listener.start()
        try:
            async with webhook_dispatch(app, settings):
                # Last: after the dispatcher's HTTP client (its imports) and before any task runs.
                freeze_startup_objects(app)
                yield
        finally:
            await listener.stop()
            await app.state.driver_pool.close()
            await engine.dispose()
            log.info("database pool closed")

    app = RegistryApp(
        title="Agent Registry",
        version=API_VERSION,
        summary="Versioned AI agent definitions, validated on publish, served as resolved profiles.",
        lifespan=lifespan,
        docs_url=None,  # the catalogue serves /docs and /redoc from vendored assets
        redoc_url=None,
    )
    app.state.settings = settings
    bootstrap = settings.bootstrap_token
    app.state.bootstrap_hash = hash_token(bootstrap.get_secret_value()) if bootstrap else None
    app.state.failed_logins = FailedLoginLimiter(settings.auth_failures_per_minute)
    app.state.oidc = OidcVerifier(
        allow_insecure=settings.oidc_allow_insecure_issuers,
        leeway=settings.oidc_leeway_seconds,
        refresh_cooldown=settings.oidc_jwks_refresh_cooldown,
    )
    app.state.profile_cache = ProfileCache(settings.profile_cache_bytes)
    app.state.read_tokens = ReadTokens(settings.read_token_cache_seconds)
    # Traced: first fetches go through the route, so each query gets its database span.
    app.state.traced = tracing is not None
    app.state.metrics = Metrics(app.state)
    app.state.search_features = SearchFeatures()
    install_problem_handlers(app)
    if tracing is None:
        # In front of everything: warm profiles skip every layer below (and log themselves).
        app.front = ProfileFastPath(partial(FastAPI.__call__, app), front=True)
    else:
        # Innermost, inside the instrumentation: a warm profile is still one trace.
        app.add_middleware(ProfileFastPath)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.include_router(health.router)
    app.include_router(metrics_router)
    app.include_router(validate_router)
    app.include_router(build_router("agent", COMPAT_ROUTES))
    app.include_router(build_router("skill", COMPAT_ROUTES))
    app.include_router(namespace_router)
    app.include_router(build_router("agent"))
    # Before the skill routes, whose `GET /v1/skills/{name:path}` would take these paths.
    app.include_router(bundles.router)
    app.include_router(build_router("skill"))
    app.include_router(build_router("toolset"))
    app.include_router(signing.router)
    app.include_router(profile_signature.router)
    app.include_router(profiles.router)
    app.include_router(auth.router)
    app.include_router(audit.router)
    app.include_router(search_router)
    app.include_router(changes_router)
    app.include_router(webhooks.router)
    app.include_router(catalogue_docs.build_router(app.openapi_url or "/openapi.json"))
    # With REGISTRY_ANONYMOUS_READ=false the pages need a token too, like every other read.
    app.include_router(catalogue.build_router(), dependencies=[ReadAccess])
    # Outside ReadAccess: it is how a browser gets read access.
    app.include_router(catalogue_session.router)
    app.mount(catalogue.STATIC_PREFIX, StaticFiles(directory=catalogue.HERE / "static"), "static")
    install_openapi(app)
    if tracing is not None:
        trace_requests(app, tracing)
    return app


def create_app_from_env() -> FastAPI:
    """Entry point for `uvicorn --factory` (and `registry serve`)."""
    return create_app(Settings())
