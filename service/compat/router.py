"""Version diff and compatibility policy routes: `…/{name}/diff/{from}...{to}`, `…/policy`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from service.artifacts.router import PLURAL, get_service
from service.artifacts.service import ArtifactService
from service.audit.actor import Actor
from service.auth.dependencies import READ_ERRORS, WRITE_ERRORS, ReadAccess, require
from service.compat.policy import PolicyKind, PolicyService
from service.compat.repository import PolicyRepository
from service.compat.schemas import ArtifactPolicy, NamespacePolicy, PolicyRequest, VersionDiff
from service.compat.service import DiffService
from service.dependencies import SessionDep, SettingsDep
from service.problems import problem_responses

# Both ends are exact versions, so the diff never changes; a day keeps room for fixes to it.
DIFF_CACHE = "public, max-age=86400"


def get_diffs(artifacts: Annotated[ArtifactService, Depends(get_service)]) -> DiffService:
    return DiffService(artifacts)


def get_policies(session: SessionDep, settings: SettingsDep) -> PolicyService:
    return PolicyService(PolicyRepository(session), settings.default_namespace)


DiffsDep = Annotated[DiffService, Depends(get_diffs)]
PoliciesDep = Annotated[PolicyService, Depends(get_policies)]


def build_compat_router(kind: PolicyKind) -> APIRouter:
    """Mounted before the artifact router, whose `GET /{name}` would take `x/diff/...`."""
    plural = PLURAL[kind]
    router = APIRouter(prefix=f"/v1/{plural}", tags=[plural])
    # Policies govern what may be published: `admin` on the artifact's namespace.
    may_administer = Depends(require("admin", kind))

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
            **problem_responses(*READ_ERRORS, 404, 422),
        },
        dependencies=[ReadAccess],
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

    @router.get(
        "/{name:path}/policy",
        operation_id=f"get_{kind}_policy",
        summary=f"The compatibility policy publishing applies to a {kind}, and where it comes from",
        response_model=ArtifactPolicy,
        responses=problem_responses(*READ_ERRORS, 404),
        dependencies=[ReadAccess],
    )
    async def get_policy(name: str, policies: PoliciesDep) -> ArtifactPolicy:
        return await policies.artifact(kind, name)

    @router.put(
        "/{name:path}/policy",
        operation_id=f"set_{kind}_policy",
        summary=f"Override the namespace's compatibility policy for one {kind}",
        response_model=ArtifactPolicy,
        responses=problem_responses(*WRITE_ERRORS, 404, 422),
    )
    async def set_policy(
        name: str,
        request_body: PolicyRequest,
        policies: PoliciesDep,
        actor: Actor = may_administer,
    ) -> ArtifactPolicy:
        return await policies.set_artifact(kind, name, request_body.compatibility, actor=actor)

    @router.delete(
        "/{name:path}/policy",
        operation_id=f"delete_{kind}_policy",
        summary=f"Remove a {kind}'s own policy: its namespace's applies again",
        response_model=ArtifactPolicy,
        responses=problem_responses(*WRITE_ERRORS, 404),
    )
    async def delete_policy(
        name: str, policies: PoliciesDep, actor: Actor = may_administer
    ) -> ArtifactPolicy:
        return await policies.set_artifact(kind, name, None, actor=actor)

    return router


namespace_router = APIRouter(prefix="/v1/namespaces", tags=["namespaces"])


@namespace_router.get(
    "/{namespace}/policy",
    operation_id="get_namespace_policy",
    summary="A namespace's compatibility policy (`warn` unless an admin set one)",
    response_model=NamespacePolicy,
    responses=problem_responses(*READ_ERRORS, 404),
    dependencies=[ReadAccess],
)
async def get_namespace_policy(namespace: str, policies: PoliciesDep) -> NamespacePolicy:
    return await policies.namespace(namespace)


@namespace_router.put(
    "/{namespace}/policy",
    operation_id="set_namespace_policy",
    summary="Set a namespace's compatibility policy: none, warn or enforce",
    response_model=NamespacePolicy,
    responses=problem_responses(*WRITE_ERRORS, 404, 422),
)
async def set_namespace_policy(
    namespace: str,
    request_body: PolicyRequest,
    policies: PoliciesDep,
    actor: Annotated[Actor, Depends(require("admin", "namespace"))],
) -> NamespacePolicy:
    return await policies.set_namespace(namespace, request_body.compatibility, actor=actor)
