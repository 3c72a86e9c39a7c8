"""`GET /v1/changes`: the ordered feed of every publish, tag move, yank and deprecation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from service.auth.dependencies import READ_ERRORS, ReadScopeDep
from service.changes.repository import ChangeRepository
from service.changes.schemas import ChangePage
from service.changes.service import ChangeService
from service.dependencies import SessionDep
from service.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["changes"])


def get_change_service(session: SessionDep) -> ChangeService:
    return ChangeService(ChangeRepository(session))


@router.get(
    "/changes",
    operation_id="list_changes",
    summary="Every write as an ordered event, from a resumable cursor",
    response_model=ChangePage,
    responses=problem_responses(*READ_ERRORS, 400, 422),
)
async def list_changes(
    service: Annotated[ChangeService, Depends(get_change_service)],
    scope: ReadScopeDep,
    since: Annotated[
        str | None,
        Query(max_length=400, description="A `next` from an earlier page; omit to start at 0."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ChangePage:
    return await service.page(since, limit, scope.namespaces)
