"""Request-scoped dependencies: settings and a database session, both from app.state."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.faults import database_unavailable
from service.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; a write commits in the service before the response is sent."""
    session: AsyncSession = request.app.state.sessions()
    try:
        yield session
    finally:
        try:
            await session.close()
        except Exception as exc:
            # The connection died under the request, whose answer (a 503, or a profile from
            # memory) is already decided: drop the connection instead of failing again.
            if not database_unavailable(exc):
                raise
            with contextlib.suppress(Exception):
                await session.invalidate()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
