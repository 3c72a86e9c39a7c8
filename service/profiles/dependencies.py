"""The profile cache as a request dependency (it lives on app.state, built by the lifespan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.profiles.cache import ProfileCache


async def get_profile_cache(request: Request) -> ProfileCache:
    cache: ProfileCache = request.app.state.profile_cache
    return cache


ProfileCacheDep = Annotated[ProfileCache, Depends(get_profile_cache)]
