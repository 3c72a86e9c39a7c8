"""`…/versions/{v}/files`, `…/files/{path}` and `…/archive`: a skill version's folder over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from service.auth.dependencies import READ_ERRORS, ReadAccess
from service.bundles.repository import BundleRepository
from service.bundles.schemas import FileManifest
from service.bundles.service import BundleService, ServedFile
from service.dependencies import SessionDep, SettingsDep
from service.http_caching import IMMUTABLE, etag_matches
from service.problems import problem_responses

# Like every read, with REGISTRY_ANONYMOUS_READ=false a skill's files need a token for its namespace.
router = APIRouter(prefix="/v1/skills", tags=["skills"], dependencies=[ReadAccess])

# A publisher's file is served as data, never as a page of this origin.
UNTRUSTED = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched the ETag)"}
}


def get_bundles(session: SessionDep, settings: SettingsDep) -> BundleService:
    return BundleService(BundleRepository(session), settings.default_namespace)


BundlesDep = Annotated[BundleService, Depends(get_bundles)]


def _send(request: Request, served: ServedFile, extra: dict[str, str]) -> Response:
    headers = {"ETag": served.etag, "Cache-Control": IMMUTABLE, **extra}
    if etag_matches(request, served.etag):
        return Response(status_code=304, headers=headers)
    return Response(served.content, media_type=served.media_type, headers=headers)


@router.get(
    "/{name:path}/versions/{version}/files",
    operation_id="get_skill_version_files",
    summary="The files of a skill version: path, size, sha256, executable",
    response_model=FileManifest,
    responses=problem_responses(*READ_ERRORS, 404),
)
async def get_files(
    name: str, version: str, bundles: BundlesDep, response: Response
) -> FileManifest:
    manifest = await bundles.manifest(name, version)
    response.headers["Cache-Control"] = IMMUTABLE
    return manifest


@router.get(
    "/{name:path}/versions/{version}/files/{path:path}",
    operation_id="get_skill_version_file",
    summary="One file of a skill version: its exact bytes, with a media type guessed from its name",
    response_class=Response,
    responses={
        200: {
            "description": "The file's bytes; `ETag` is their sha256",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
        **NOT_MODIFIED,
        **problem_responses(*READ_ERRORS, 404),
    },
)
async def get_file(
    name: str, version: str, path: str, bundles: BundlesDep, request: Request
) -> Response:
    return _send(request, await bundles.file(name, version, path), UNTRUSTED)


@router.get(
    "/{name:path}/versions/{version}/archive",
    operation_id="get_skill_version_archive",
    summary="A skill version's folder as a deterministic tar.gz (the same bytes every time)",
    response_class=Response,
    responses={
        200: {
            "description": "tar.gz of the folder under `<name>/`; strong `ETag`, immutable",
            "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **NOT_MODIFIED,
        **problem_responses(*READ_ERRORS, 404),
    },
)
async def get_archive(name: str, version: str, bundles: BundlesDep, request: Request) -> Response:
    served, filename = await bundles.archive(name, version)
    return _send(request, served, {"Content-Disposition": f'attachment; filename="{filename}"'})
