"""`GET /v1/search`: one search over agents, skills and toolsets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from service.auth.dependencies import READ_ERRORS, ReadScopeDep
from service.dependencies import SessionDep, SettingsDep
from service.formats.kinds import Kind
from service.problems import problem_responses
from service.search.repository import SearchRepository
from service.search.schemas import SearchPage, Sort
from service.search.service import SearchFeatures, SearchService

router = APIRouter(prefix="/v1", tags=["search"])


def get_search_service(
    request: Request, session: SessionDep, settings: SettingsDep
) -> SearchService:
    state = request.app.state
    if not hasattr(state, "search_features"):
        state.search_features = SearchFeatures()
    return SearchService(
        SearchRepository(session),
        settings.default_namespace,
        state.search_features,
        rank_window=settings.search_rank_window,
    )


@router.get(
    "/search",
    operation_id="search",
    summary="Search agents, skills and toolsets: ranked words, similar names, filters",
    response_model=SearchPage,
    responses=problem_responses(*READ_ERRORS, 400, 422),
)
async def search(
    service: Annotated[SearchService, Depends(get_search_service)],
    scope: ReadScopeDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words in the name, description or instructions (web-search syntax:"
            ' `"quoted phrase"`, `-excluded`, `or`); names also match when misspelt.',
        ),
    ] = None,
    kind: Annotated[list[Kind] | None, Query()] = None,
    namespace: Annotated[str | None, Query(max_length=64)] = None,
    skill: Annotated[
        str | None,
        Query(max_length=200, description="Only artifacts whose latest version uses this skill."),
    ] = None,
    tool: Annotated[
        str | None,
        Query(max_length=200, description="Only artifacts granting this tool (`Bash`, `Read`…)."),
    ] = None,
    model: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[
        Sort | None,
        Query(description="`relevance` (default with `q`), `name` (default without), `published`."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> SearchPage:
    criteria = service.criteria(
        query=q,
        kinds=list(kind or []),
        namespace=namespace,
        skill=skill,
        tool=tool,
        model=model,
        sort=sort,
        readable=scope.namespaces,
    )
    return await service.search(criteria, cursor, limit)
