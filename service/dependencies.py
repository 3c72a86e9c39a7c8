"""Request-scoped dependencies: settings and the request's unit of work, both from app.state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.unit_of_work import close, transaction
from service.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: its transaction commits when the handler returns and rolls
    back when it raises. The dependency has function scope, so this runs before the response
    is sent: a client that sees 201 can read what it wrote, and a failed commit is answered
    as a problem (409 or 503), never as the success it would have been."""
    session: AsyncSession = request.app.state.sessions()
    try:
        async with transaction(session):
            yield session
    finally:
        await close(session)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
