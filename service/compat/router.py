"""`GET /v1/{agents|skills}/{name}/diff/{from}...{to}`: two versions side by side."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from service.artifacts.router import PLURAL, get_service
from service.artifacts.schemas import Kind
from service.artifacts.service import ArtifactService
from service.compat.schemas import VersionDiff
from service.compat.service import DiffService
from service.problems import problem_responses

# Both ends are exact versions, so the diff never changes; a day keeps room for fixes to it.
DIFF_CACHE = "public, max-age=86400"


def get_diffs(artifacts: Annotated[ArtifactService, Depends(get_service)]) -> DiffService:
    return DiffService(artifacts)


DiffsDep = Annotated[DiffService, Depends(get_diffs)]


def build_diff_router(kind: Kind) -> APIRouter:
    """Mounted before the artifact router, whose `GET /{name}` would take `x/diff/...`."""
    plural = PLURAL[kind]
    router = APIRouter(prefix=f"/v1/{plural}", tags=[plural])

    @router.get(
        "/{name:path}/diff/{from}...{to}",
        operation_id=f"diff_{kind}_versions",
        summary=f"Two versions of a {kind} side by side: fields, grants, skills, instructions",
        response_model=VersionDiff,
        responses={
            200: {
                "description": "The diff; with `format=text`, the unified diff of the two files",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            **problem_responses(404, 422),
        },
    )
    async def diff(
        name: str,
        from_: Annotated[str, Path(alias="from", description="An exact version.")],
        to: Annotated[str, Path(description="An exact version.")],
        diffs: DiffsDep,
        format: Annotated[
            Literal["json", "text"],
            Query(description="`text`: a plain unified diff of the published files."),
        ] = "json",
    ) -> Response:
        headers = {"Cache-Control": DIFF_CACHE}
        if format == "text":
            text = await diffs.text(kind, name, from_, to)
            return Response(text, media_type="text/plain; charset=utf-8", headers=headers)
        document = VersionDiff.model_validate(await diffs.diff(kind, name, from_, to))
        return Response(
            document.model_dump_json(by_alias=True).encode(),
            media_type="application/json",
            headers=headers,
        )

    return router
