"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.faults import database_unavailable
from service.db.migrate import head_revision, is_at_head
from service.errors import DatabaseUnavailable, MigrationsPending
from service.problems import problem_responses

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    migration: str | None


@router.get("/healthz", operation_id="healthz", summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="The database is reachable and migrated to head",
    responses=problem_responses(503),
)
async def readyz(request: Request) -> Readiness:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            at_head = await is_at_head(connection)
    except Exception as exc:
        if database_unavailable(exc):
            raise DatabaseUnavailable("the database is not reachable") from exc
        raise
    if not at_head:
        raise MigrationsPending("run `registry db upgrade`", expected=head_revision())
    return Readiness(status="ready", migration=head_revision())
