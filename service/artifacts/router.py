"""HTTP routes for agents and skills: parse the request, call the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from service.artifacts.repository import ArtifactRepository
from service.artifacts.schemas import (
    ArtifactDetail,
    ArtifactPage,
    Kind,
    ValidationReport,
    VersionDetail,
)
from service.artifacts.service import ArtifactService
from service.dependencies import SessionDep, SettingsDep
from service.errors import PayloadTooLarge, UnsupportedMediaType
from service.problems import problem_responses

MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown", "text/plain"})
PLURAL: dict[Kind, str] = {"agent": "agents", "skill": "skills"}


MARKDOWN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/markdown": {"schema": {"type": "string"}}},
        "description": "The agent or skill file, exactly as it should be stored (UTF-8).",
    }
}


async def read_markdown(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused with 415/413 before it is read in full when it cannot be accepted."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in MARKDOWN_TYPES:
        raise UnsupportedMediaType(
            f"send the file as text/markdown, not {media_type or 'no content type'}",
            accepted=sorted(MARKDOWN_TYPES),
        )
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit}", limit=limit)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"the body is over the limit of {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def get_service(session: SessionDep, settings: SettingsDep) -> ArtifactService:
    return ArtifactService(ArtifactRepository(session), settings.default_namespace)


ServiceDep = Annotated[ArtifactService, Depends(get_service)]
MarkdownBody = Annotated[bytes, Depends(read_markdown)]


def build_router(kind: Kind) -> APIRouter:
    """The same routes for each kind, with operationIds that name the kind."""
    plural = PLURAL[kind]
    router = APIRouter(prefix=f"/v1/{plural}", tags=[plural])

    @router.put(
        "/{name:path}/versions/{version}",
        operation_id=f"publish_{kind}_version",
        summary=f"Publish a {kind} version",
        status_code=201,
        response_model=VersionDetail,
        responses={
            200: {"model": VersionDetail, "description": "Identical bytes were already published"},
            201: {"description": "Published"},
            **problem_responses(409, 413, 415, 422),
        },
        openapi_extra=MARKDOWN_BODY,
    )
    async def publish(
        name: str, version: str, body: MarkdownBody, service: ServiceDep, response: Response
    ) -> VersionDetail:
        published = await service.publish(kind, name, version, body, actor="anonymous")
        detail = published.detail
        response.status_code = 201 if published.created else 200
        response.headers["Location"] = (
            f"/v1/{plural}/{_path_name(detail)}/versions/{detail.version}"
        )
        return detail

    @router.get(
        "/{name:path}/versions/{version}/raw",
        operation_id=f"get_{kind}_version_raw",
        summary=f"The exact bytes of a {kind} version",
        response_class=Response,
        responses={
            200: {"content": {"text/markdown": {"schema": {"type": "string"}}}},
            **problem_responses(404),
        },
    )
    async def get_raw(name: str, version: str, service: ServiceDep) -> Response:
        content, digest = await service.get_raw(kind, name, version)
        return Response(
            content,
            media_type="text/markdown; charset=utf-8",
            headers={"ETag": f'"{digest}"', "Digest": digest},
        )

    @router.get(
        "/{name:path}/versions/{version}",
        operation_id=f"get_{kind}_version",
        summary=f"A {kind} version: metadata, digest, parsed frontmatter and body",
        response_model=VersionDetail,
        responses=problem_responses(404),
    )
    async def get_version(name: str, version: str, service: ServiceDep) -> VersionDetail:
        return await service.get_version(kind, name, version)

    @router.get(
        "",
        operation_id=f"list_{plural}",
        summary=f"List and search {plural}",
        response_model=ArtifactPage,
        responses=problem_responses(400, 422),
    )
    async def search(
        service: ServiceDep,
        q: Annotated[
            str | None,
            Query(max_length=200, description="Text in the name or description."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
    ) -> ArtifactPage:
        return await service.search(kind, q, limit, cursor)

    @router.get(
        "/{name:path}",
        operation_id=f"get_{kind}",
        summary=f"A {kind} and its versions, newest first",
        response_model=ArtifactDetail,
        responses=problem_responses(404),
    )
    async def get_artifact(name: str, service: ServiceDep) -> ArtifactDetail:
        return await service.get_artifact(kind, name)

    return router


def _path_name(detail: VersionDetail) -> str:
    return f"{detail.namespace}/{detail.name}"


validate_router = APIRouter(prefix="/v1", tags=["validate"])


@validate_router.post(
    "/validate",
    operation_id="validate",
    summary="Run every publish check on a file; store nothing",
    response_model=ValidationReport,
    responses=problem_responses(413, 415, 422),
    openapi_extra=MARKDOWN_BODY,
)
async def validate(
    body: MarkdownBody,
    service: ServiceDep,
    kind: Annotated[Kind, Query(description="What the file is.")] = "agent",
    name: Annotated[
        str | None, Query(max_length=200, description="The name it would be published under.")
    ] = None,
    version: Annotated[str | None, Query(max_length=200)] = None,
) -> ValidationReport:
    return await service.validate(kind, body, name, version)
