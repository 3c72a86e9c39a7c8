"""Request-scoped dependencies: settings and a database session, both from app.state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from service.profiles.cache import ProfileCache
from service.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; a write commits in the service before the response is sent."""
    async with request.app.state.sessions() as session:
        yield session


def get_profile_cache(request: Request) -> ProfileCache:
    cache: ProfileCache = request.app.state.profile_cache
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
ProfileCacheDep = Annotated[ProfileCache, Depends(get_profile_cache)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
