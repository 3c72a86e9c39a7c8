"""The FastAPI application: `create_app(settings)` wires routers, errors and the database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service import health
from service.artifacts.router import build_router, validate_router
from service.bundles import router as bundles
from service.catalogue import docs as catalogue_docs
from service.catalogue import router as catalogue
from service.compat.router import build_compat_router, namespace_router
from service.db.engine import create_engine, create_listener_engine, session_factory
from service.db.faults import OutageMemory
from service.logs import RequestLogMiddleware
from service.openapi_document import install_openapi
from service.problems import NulGuardMiddleware, install_problem_handlers
from service.profiles import router as profiles
from service.profiles.cache import ProfileCache
from service.profiles.invalidation import InvalidationListener
from service.settings import Settings
from service.signing import router as signing
from service.signing.keys import load_or_create
from service.signing.signer import ProfileSigner

API_VERSION = "1.0.0"
log = logging.getLogger("service.app")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

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
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.profile_cache = ProfileCache(settings.profile_cache_bytes)
        app.state.outage = OutageMemory(settings.db_outage_memory_seconds)
        listener = InvalidationListener(
            create_listener_engine(settings, settings.database_url), app.state.profile_cache
        )
        app.state.invalidation = listener
        listener.start()
        try:
            yield
        finally:
            await listener.stop()
            await engine.dispose()
            log.info("database pool closed")

    app = FastAPI(
        title="Agent Registry",
        version=API_VERSION,
        summary="Versioned AI agent definitions, validated on publish, served as resolved profiles.",
        lifespan=lifespan,
        docs_url=None,  # the catalogue serves /docs and /redoc from vendored assets
        redoc_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.include_router(health.router)
    app.include_router(validate_router)
    app.include_router(build_compat_router("agent"))
    app.include_router(build_compat_router("skill"))
    app.include_router(namespace_router)
    app.include_router(build_router("agent"))
    # Before the skill routes, whose `GET /v1/skills/{name:path}` would take these paths.
    app.include_router(bundles.router)
    app.include_router(build_router("skill"))
    app.include_router(build_router("toolset"))
    app.include_router(signing.router)
    app.include_router(profiles.router)
    app.include_router(catalogue_docs.build_router(app.openapi_url or "/openapi.json"))
    app.include_router(catalogue.build_router())
    app.mount(catalogue.STATIC_PREFIX, StaticFiles(directory=catalogue.HERE / "static"), "static")
    install_openapi(app)
    return app


def create_app_from_env() -> FastAPI:
    """Entry point for `uvicorn --factory` (and `registry serve`)."""
    return create_app(Settings())
