"""Start and stop the webhook dispatcher with the application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from service.settings import Settings
from service.webhooks.dispatcher import Dispatcher


@contextlib.asynccontextmanager
async def webhook_dispatch(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    if not settings.webhook_dispatcher:
        yield
        return
    async with httpx.AsyncClient() as http:
        dispatcher = Dispatcher(app.state.sessions, settings, http, app.state.metrics)
        app.state.webhook_dispatcher = dispatcher
        task = asyncio.create_task(dispatcher.run(), name="webhook-dispatcher")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
