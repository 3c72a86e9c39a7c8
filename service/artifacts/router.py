"""HTTP routes for agents, skills and toolsets: parse the request, call a service, shape the response."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from service.artifacts.publishing import PublishService
from service.artifacts.repository import ArtifactRepository
from service.artifacts.schemas import (
    ArtifactDetail,
    ArtifactPage,
    DependentList,
    DeprecateRequest,
    Tagged,
    TagRequest,
    ValidationReport,
    VersionDetail,
    YankRequest,
)
from service.artifacts.service import ArtifactService
from service.audit.actor import Actor
from service.auth.dependencies import (
    READ_ERRORS,
    WRITE_ERRORS,
    ReadAccess,
    ReadScopeDep,
    require,
)
from service.auth.tokens import Permission
from service.body_limit import ARCHIVE_TYPES, media_type
from service.bundles.manifest import Bundle
from service.bundles.service import read_upload
from service.dependencies import SessionDep, SettingsDep
from service.errors import PayloadTooLarge, UnsupportedMediaType
from service.formats.kinds import Kind
from service.http_caching import IMMUTABLE, etag_matches
from service.problems import problem_responses
from service.profiles.dependencies import ProfileCacheDep
from service.profiles.repository import ProfileRepository
from service.resources import examples_dir

PLURAL: dict[Kind, str] = {"agent": "agents", "skill": "skills", "toolset": "toolsets"}
RAW_MEDIA_TYPES: dict[Kind, str] = {
    "agent": "text/markdown; charset=utf-8",
    "skill": "text/markdown; charset=utf-8",
    "toolset": "application/octet-stream",
}
MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown", "text/plain"})
TOOLSET_TYPES = frozenset(
    {"application/json", "application/yaml", "application/x-yaml", "text/yaml"}
)
TOOLSET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "tools"],
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "tools": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "version": {"type": "string"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


EXAMPLE_FILES: dict[Kind, tuple[str, ...]] = {
    "agent": ("agents", "dev-python.md"),
    "skill": ("skills", "git-workflow", "SKILL.md"),
}


def _example(kind: Kind) -> dict[str, Any]:
    """A real file from the packaged examples as the request body example."""
    parts = EXAMPLE_FILES.get(kind)
    if parts is None:
        return {}
    return {"example": examples_dir().joinpath(*parts).read_text(encoding="utf-8")}


def _file_body(kind: Kind) -> dict[str, Any]:
    content: dict[str, dict[str, Any]]
    if kind == "toolset":
        content = {
            "application/json": {
                "schema": TOOLSET_SCHEMA,
                "example": {
                    "name": "readonly",
                    "description": "Look, never touch",
                    "tools": ["Read", "Grep", "Glob"],
                },
            },
            "application/yaml": {"schema": {"type": "string"}},
        }
        text = "The toolset document (JSON or YAML), exactly as it should be stored."
    else:
        content = {"text/markdown": {"schema": {"type": "string"}, **_example(kind)}}
        text = f"The {kind} file (Markdown with YAML frontmatter, UTF-8), exactly as it should be stored."
    if kind == "skill":
        binary = {"schema": {"type": "string", "format": "binary"}}
        content |= {"application/gzip": binary, "application/zip": binary}
        text += (
            " Or the skill folder as a tar.gz or zip: `SKILL.md` at the root or inside one"
            " top-level folder, with `scripts/`, `references/`, `assets/` beside it."
        )
    return {"requestBody": {"required": True, "content": content, "description": text}}


def media_type_of(request: Request) -> str:
    return media_type(request.headers.get("content-type", ""))


def body_reader(accepted: frozenset[str], wanted: str) -> Callable[[Request], Awaitable[bytes]]:
    async def read_body(request: Request) -> bytes:
        """The body, refused with 415 when it cannot be accepted (its size is bounded before any
        route runs: service.body_limit)."""
        sent = media_type_of(request)
        if sent not in accepted:
            raise UnsupportedMediaType(
                f"send the file as {wanted}, not {sent or 'no content type'}",
                accepted=sorted(accepted),
            )
        return await request.body()

    return read_body


read_markdown = body_reader(MARKDOWN_TYPES, "text/markdown")
read_skill = body_reader(
    MARKDOWN_TYPES | ARCHIVE_TYPES,
    "text/markdown, or the folder as application/gzip or application/zip",
)
read_toolset = body_reader(TOOLSET_TYPES, "application/json or application/yaml")
read_any = body_reader(
    MARKDOWN_TYPES | TOOLSET_TYPES, "text/markdown, or application/json for a toolset"
)


async def get_service(
    session: SessionDep, settings: SettingsDep, cache: ProfileCacheDep
) -> ArtifactService:
    return ArtifactService(
        ArtifactRepository(session), ProfileRepository(session), settings.default_namespace, cache
    )


async def get_publisher(
    request: Request, session: SessionDep, settings: SettingsDep, cache: ProfileCacheDep
) -> PublishService:
    return PublishService(
        ArtifactRepository(session),
        ProfileRepository(session),
        settings.default_namespace,
        cache,
        request.app.state.release_snapshots,
    )


ServiceDep = Annotated[ArtifactService, Depends(get_service)]
PublisherDep = Annotated[PublishService, Depends(get_publisher)]


# Handlers: one per operation, shared by every kind. `kind` comes first and is bound when the
# route is registered (see `build_router`); the rest are keyword-only request parameters.


async def publish(
    kind: Kind,
    *,
    name: str,
    version: str,
    publisher: PublisherDep,
    request: Request,
    response: Response,
    settings: SettingsDep,
    actor: Actor,
    body: bytes,
) -> VersionDetail:
    bundle = None
    if kind == "skill":
        is_archive = media_type_of(request) in ARCHIVE_TYPES
        bundle = await read_upload(body, settings) if is_archive else Bundle.single(body)
        body = bundle.skill_md
        if len(body) > settings.max_body_bytes:
            # The limit of the file sent alone holds for it in a folder: agents inline it.
            raise PayloadTooLarge(
                f"SKILL.md is {len(body)} bytes; the limit is {settings.max_body_bytes}",
                limit=settings.max_body_bytes,
            )
    published = await publisher.publish(kind, name, version, body, actor=actor, bundle=bundle)
    detail = published.detail
    response.status_code = 201 if published.created else 200
    response.headers["Location"] = (
        f"/v1/{PLURAL[kind]}/{detail.namespace}/{detail.name}/versions/{detail.version}"
    )
    return detail


async def get_raw(
    kind: Kind, *, name: str, version: str, service: ServiceDep, request: Request
) -> Response:
    content, digest = await service.get_raw(kind, name, version)
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=RAW_MEDIA_TYPES[kind], headers=headers)


async def yank(
    kind: Kind,
    *,
    name: str,
    version: str,
    service: ServiceDep,
    actor: Actor,
    request_body: Annotated[YankRequest | None, Body()] = None,
) -> VersionDetail:
    reason = request_body.reason if request_body else None
    return await service.set_yanked(kind, name, version, reason, yanked=True, actor=actor)


async def unyank(
    kind: Kind, *, name: str, version: str, service: ServiceDep, actor: Actor
) -> VersionDetail:
    return await service.set_yanked(kind, name, version, None, yanked=False, actor=actor)


async def deprecate(
    kind: Kind,
    *,
    name: str,
    version: str,
    request_body: DeprecateRequest,
    service: ServiceDep,
    actor: Actor,
) -> VersionDetail:
    return await service.set_deprecated(kind, name, version, request_body.message, actor=actor)


async def undeprecate(
    kind: Kind, *, name: str, version: str, service: ServiceDep, actor: Actor
) -> VersionDetail:
    return await service.set_deprecated(kind, name, version, None, actor=actor)


async def get_version(kind: Kind, *, name: str, version: str, service: ServiceDep) -> VersionDetail:
    return await service.get_version(kind, name, version)


async def set_tag(
    kind: Kind,
    *,
    name: str,
    tag: str,
    request_body: TagRequest,
    service: ServiceDep,
    actor: Actor,
) -> Tagged:
    return await service.set_tag(kind, name, tag, request_body.version, actor=actor)


async def delete_tag(
    kind: Kind, *, name: str, tag: str, service: ServiceDep, actor: Actor
) -> Response:
    await service.delete_tag(kind, name, tag, actor=actor)
    return Response(status_code=204)


async def dependents(
    kind: Kind, *, name: str, service: ServiceDep, scope: ReadScopeDep
) -> DependentList:
    return await service.dependents(kind, name, scope.namespaces)


async def search(
    kind: Kind,
    *,
    service: ServiceDep,
    scope: ReadScopeDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text in the name or description."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> ArtifactPage:
    return await service.search(kind, q, limit, cursor, scope.namespaces)


async def get_artifact(kind: Kind, *, name: str, service: ServiceDep) -> ArtifactDetail:
    return await service.get_artifact(kind, name)


def _publish_options(kind: Kind) -> dict[str, Any]:
    return {"openapi_extra": _file_body(kind)}


def _raw_options(kind: Kind) -> dict[str, Any]:
    content = (
        {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
        if kind == "toolset"
        else {"text/markdown": {"schema": {"type": "string"}}}
    )
    return {
        "responses": {
            200: {"description": "The published bytes; `ETag` is their digest", "content": content},
            304: {"description": "Not modified (If-None-Match matched)"},
            **problem_responses(*READ_ERRORS, 404),
        }
    }


@dataclass(frozen=True)
class KindRoute:
    """One operation of the per-kind API; `{kind}` and `{plural}` are filled in per kind."""

    method: str
    path: str
    operation_id: str
    summary: str
    handler: Callable[..., Awaitable[Any]]
    options: Mapping[str, Any] = field(default_factory=dict)
    per_kind: Callable[[Kind], dict[str, Any]] | None = None
    permission: Permission | None = None  # None: a read, behind ReadAccess
    kinds: frozenset[Kind] = frozenset(PLURAL)


VERSION = "/{name:path}/versions/{version}"
# Routes with a suffix after `{name}` come before `GET /{name}`, whose name may hold a `/`.
ROUTES: tuple[KindRoute, ...] = (
    KindRoute(
        "PUT",
        VERSION,
        "publish_{kind}_version",
        "Publish a {kind} version",
        publish,
        {
            "status_code": 201,
            "response_model": VersionDetail,
            "responses": {
                200: {
                    "model": VersionDetail,
                    "description": "Identical bytes were already published",
                },
                201: {"description": "Published"},
                **problem_responses(*WRITE_ERRORS, 404, 409, 413, 415, 422),
            },
        },
        per_kind=_publish_options,
        permission="publish",
    ),
    KindRoute(
        "GET",
        VERSION + "/raw",
        "get_{kind}_version_raw",
        "The exact bytes of a {kind} version",
        get_raw,
        {"response_class": Response},
        per_kind=_raw_options,
    ),
    KindRoute(
        "POST",
        VERSION + "/yank",
        "yank_{kind}_version",
        "Yank a {kind} version: never chosen by a range or tag, still served exactly",
        yank,
        {
            "response_model": VersionDetail,
            "responses": problem_responses(*WRITE_ERRORS, 404, 409, 422),
        },
        permission="yank",
    ),
    KindRoute(
        "DELETE",
        VERSION + "/yank",
        "unyank_{kind}_version",
        "Restore a yanked {kind} version",
        unyank,
        {"response_model": VersionDetail, "responses": problem_responses(*WRITE_ERRORS, 404, 409)},
        permission="yank",
    ),
    KindRoute(
        "POST",
        VERSION + "/deprecate",
        "deprecate_{kind}_version",
        "Deprecate a {kind} version: still chosen, with a warning",
        deprecate,
        {
            "response_model": VersionDetail,
            "responses": problem_responses(*WRITE_ERRORS, 404, 409, 422),
        },
        permission="yank",
    ),
    KindRoute(
        "DELETE",
        VERSION + "/deprecate",
        "undeprecate_{kind}_version",
        "Withdraw a {kind} version's deprecation",
        undeprecate,
        {"response_model": VersionDetail, "responses": problem_responses(*WRITE_ERRORS, 404, 409)},
        permission="yank",
    ),
    KindRoute(
        "GET",
        VERSION,
        "get_{kind}_version",
        "A {kind} version: metadata, digest, parsed content, lock",
        get_version,
        {"response_model": VersionDetail, "responses": problem_responses(*READ_ERRORS, 404)},
    ),
    KindRoute(
        "PUT",
        "/{name:path}/tags/{tag}",
        "set_{kind}_tag",
        "Point a tag of a {kind} at a version (creates or moves it)",
        set_tag,
        {"response_model": Tagged, "responses": problem_responses(*WRITE_ERRORS, 404, 409, 422)},
        permission="tag",
    ),
    KindRoute(
        "DELETE",
        "/{name:path}/tags/{tag}",
        "delete_{kind}_tag",
        "Remove a tag of a {kind}",
        delete_tag,
        {
            "status_code": 204,
            "response_class": Response,
            "responses": {
                204: {"description": "Removed"},
                **problem_responses(*WRITE_ERRORS, 404, 409),
            },
        },
        permission="tag",
    ),
    KindRoute(
        "GET",
        "/{name:path}/dependents",
        "list_{kind}_dependents",
        "Agents and skills whose published versions use this {kind}",
        dependents,
        {"response_model": DependentList, "responses": problem_responses(*READ_ERRORS, 404)},
        kinds=frozenset({"skill", "toolset"}),
    ),
    KindRoute(
        "GET",
        "",
        "list_{plural}",
        "List and search {plural}",
        search,
        {"response_model": ArtifactPage, "responses": problem_responses(*READ_ERRORS, 400, 422)},
    ),
    KindRoute(
        "GET",
        "/{name:path}",
        "get_{kind}",
        "A {kind}, its tags and its versions, newest first",
        get_artifact,
        {"response_model": ArtifactDetail, "responses": problem_responses(*READ_ERRORS, 404)},
    ),
)
BODY_READERS: dict[Kind, Callable[..., Awaitable[bytes]]] = {
    "agent": read_markdown,
    "skill": read_skill,
    "toolset": read_toolset,
}


def bind_kind(
    handler: Callable[..., Awaitable[Any]], kind: Kind, **defaults: Any
) -> Callable[..., Awaitable[Any]]:
    """`handler` with `kind` bound, as FastAPI sees it: the other parameters, with `defaults`
    (per-kind dependencies such as `Depends(require("publish", kind))`) filled in."""
    signature = inspect.signature(handler, eval_str=True)
    parameters = [
        parameter.replace(default=defaults.get(parameter.name, parameter.default))
        for parameter in signature.parameters.values()
        if parameter.name != "kind"
    ]

    async def endpoint(**values: Any) -> Any:
        return await handler(kind, **values)

    endpoint.__name__ = handler.__name__
    endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return endpoint


def build_router(kind: Kind, routes: tuple[KindRoute, ...] = ROUTES) -> APIRouter:
    """The routes of a table for one kind, with operationIds that name the kind."""
    plural = PLURAL[kind]
    router = APIRouter(prefix=f"/v1/{plural}", tags=[plural])
    for route in routes:
        if kind not in route.kinds:
            continue
        defaults: dict[str, Any] = {}
        dependencies: list[Any] = []
        if route.permission is None:
            dependencies.append(ReadAccess)
        else:
            defaults["actor"] = Depends(require(route.permission, kind))
            defaults["body"] = Depends(BODY_READERS[kind])
        router.add_api_route(
            route.path,
            bind_kind(route.handler, kind, **defaults),
            methods=[route.method],
            operation_id=route.operation_id.format(kind=kind, plural=plural),
            summary=route.summary.format(kind=kind, plural=plural),
            dependencies=dependencies,
            **route.options,
            **(route.per_kind(kind) if route.per_kind else {}),
        )
    return router


validate_router = APIRouter(prefix="/v1", tags=["validate"])


@validate_router.post(
    "/validate",
    operation_id="validate",
    summary="Run every publish check on an agent, skill or toolset file; store nothing",
    response_model=ValidationReport,
    responses=problem_responses(*READ_ERRORS, 413, 415, 422),
    # Checked before the body is read; `scope` below is the same (cached) dependency's answer.
    dependencies=[ReadAccess],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                **_file_body("agent")["requestBody"]["content"],
                **_file_body("toolset")["requestBody"]["content"],
            },
        }
    },
)
async def validate(
    body: Annotated[bytes, Depends(read_any)],
    publisher: PublisherDep,
    scope: ReadScopeDep,
    kind: Annotated[Kind, Query(description="What the file is.")] = "agent",
    name: Annotated[
        str | None, Query(max_length=200, description="The name it would be published under.")
    ] = None,
    version: Annotated[str | None, Query(max_length=200)] = None,
) -> ValidationReport:
    return await publisher.validate(kind, body, name, version, readable=scope.namespaces)
