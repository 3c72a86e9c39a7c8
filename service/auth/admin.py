"""Token and namespace administration straight on the database (the CLI's bootstrap path)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.exc import ProgrammingError

from service.audit.actor import Actor
from service.audit.repository import AuditRepository
from service.auth.oidc import OidcVerifier
from service.auth.repository import AuthRepository
from service.auth.schemas import TokenCreate
from service.auth.service import AuthService
from service.auth.trust import TrustService
from service.db.engine import create_engine, session_factory
from service.db.faults import unreachable
from service.db.unit_of_work import unit_of_work
from service.errors import MigrationsPending
from service.settings import Settings

T = TypeVar("T")
FIRST_START_NAME = "first-start admin"


async def _with_service(database_url: str, work: Callable[[AuthService], Awaitable[T]]) -> T:
    engine = create_engine(Settings(), database_url)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            service = AuthService(AuthRepository(session), AuditRepository(session), None)
            return await work(service)
    finally:
        await engine.dispose()


async def _with_trust(database_url: str, work: Callable[[TrustService], Awaitable[T]]) -> T:
    settings = Settings()
    verifier = OidcVerifier(
        allow_insecure=settings.oidc_allow_insecure_issuers,
        leeway=settings.oidc_leeway_seconds,
        refresh_cooldown=settings.oidc_jwks_refresh_cooldown,
    )
    engine = create_engine(settings, database_url)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            trust = TrustService(
                AuthRepository(session),
                AuditRepository(session),
                verifier,
                settings.oidc_token_minutes,
            )
            return await work(trust)
    finally:
        await engine.dispose()


def run(database_url: str, work: Callable[[AuthService], Awaitable[T]]) -> T:
    """Run `work` with an AuthService on `database_url`, from synchronous code."""
    return _sync(database_url, _with_service(database_url, work))


def run_trust(database_url: str, work: Callable[[TrustService], Awaitable[T]]) -> T:
    """Run `work` with a TrustService on `database_url`, from synchronous code."""
    return _sync(database_url, _with_trust(database_url, work))


def _sync(database_url: str, work: Coroutine[Any, Any, T]) -> T:
    """Database failures become one clear RegistryError (the driver's text can hold SQL)."""
    try:
        return asyncio.run(work)
    except ProgrammingError as exc:
        raise MigrationsPending(
            "the database has no registry tables yet: run `registry db upgrade` first"
        ) from exc
    except Exception as exc:
        failure = unreachable(database_url, exc)
        if failure is None:
            raise
        raise failure from exc


async def first_start_token(database_url: str) -> str | None:
    """On a registry with no token at all, create an admin token and return its secret."""

    async def create(service: AuthService) -> str | None:
        if await service.repository.any_token():
            return None
        request = TokenCreate(name=FIRST_START_NAME, namespaces=["*"], permissions=["admin"])
        created = await service.create_token(request, Actor.system("serve"), "serve")
        return created.token

    return await _with_service(database_url, create)
