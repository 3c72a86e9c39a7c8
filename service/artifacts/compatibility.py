"""Diffs and per-artifact compatibility policies: `…/{name}/diff/{from}...{to}`, `…/policy`.

Routes of the same per-kind table shape as `router.ROUTES`, for agents and skills; app.py mounts
them before the artifact routes, whose `GET /{name}` would take `x/diff/...`. The policies and
the check themselves live in `service.compat`, below artifacts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Response

from service.artifacts.router import KindRoute, ServiceDep
from service.artifacts.service import ArtifactService
from service.audit.actor import Actor
from service.auth.dependencies import READ_ERRORS, WRITE_ERRORS
from service.compat.diff import text_diff, version_diff
from service.compat.router import PoliciesDep
from service.compat.schemas import ArtifactPolicy, PolicyRequest, VersionDiff
from service.compat.snapshot import Snapshot, snapshot_of
from service.formats.kinds import DOCUMENT_KINDS, DocumentKind, Kind
from service.problems import problem_responses

# Both ends are exact versions, so the diff never changes; a day keeps room for fixes to it.
DIFF_CACHE = "public, max-age=86400"


class DiffService:
    """Comparing stored versions: load both, reduce them to snapshots, diff them."""

    def __init__(self, artifacts: ArtifactService) -> None:
        self.artifacts = artifacts

    async def snapshots(
        self, kind: Kind, qualified_name: str, old: str, new: str
    ) -> tuple[Snapshot, Snapshot]:
        identity, before = await self.artifacts.find_version(kind, qualified_name, old)
        _, after = await self.artifacts.find_version(kind, qualified_name, new)
        return snapshot_of(kind, identity, before), snapshot_of(kind, identity, after)

    async def diff(self, kind: Kind, qualified_name: str, old: str, new: str) -> dict[str, Any]:
        return version_diff(*await self.snapshots(kind, qualified_name, old, new))

    async def text(self, kind: Kind, qualified_name: str, old: str, new: str) -> str:
        return text_diff(*await self.snapshots(kind, qualified_name, old, new))


def get_diffs(artifacts: ServiceDep) -> DiffService:
    return DiffService(artifacts)


DiffsDep = Annotated[DiffService, Depends(get_diffs)]


async def diff(
    kind: Kind,
    *,
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


async def get_policy(kind: DocumentKind, *, name: str, policies: PoliciesDep) -> ArtifactPolicy:
    return await policies.artifact(kind, name)


async def set_policy(
    kind: DocumentKind,
    *,
    name: str,
    request_body: PolicyRequest,
    policies: PoliciesDep,
    actor: Actor,
) -> ArtifactPolicy:
    return await policies.set_artifact(kind, name, request_body.compatibility, actor=actor)


async def delete_policy(
    kind: DocumentKind, *, name: str, policies: PoliciesDep, actor: Actor
) -> ArtifactPolicy:
    return await policies.set_artifact(kind, name, None, actor=actor)


POLICY = "/{name:path}/policy"
POLICY_KINDS: frozenset[Kind] = frozenset(DOCUMENT_KINDS)
# Policies govern what may be published: `admin` on the artifact's namespace.
COMPAT_ROUTES: tuple[KindRoute, ...] = (
    KindRoute(
        "GET",
        "/{name:path}/diff/{from}...{to}",
        "diff_{kind}_versions",
        "Two versions of a {kind} side by side: fields, grants, skills, instructions",
        diff,
        {
            "response_model": VersionDiff,
            "responses": {
                200: {
                    "description": "The diff; with `format=text`, the unified diff of the two files",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                **problem_responses(*READ_ERRORS, 404, 422),
            },
        },
        kinds=POLICY_KINDS,
    ),
    KindRoute(
        "GET",
        POLICY,
        "get_{kind}_policy",
        "The compatibility policy publishing applies to a {kind}, and where it comes from",
        get_policy,
        {"response_model": ArtifactPolicy, "responses": problem_responses(*READ_ERRORS, 404)},
        kinds=POLICY_KINDS,
    ),
    KindRoute(
        "PUT",
        POLICY,
        "set_{kind}_policy",
        "Override the namespace's compatibility policy for one {kind}",
        set_policy,
        {"response_model": ArtifactPolicy, "responses": problem_responses(*WRITE_ERRORS, 404, 422)},
        permission="admin",
        kinds=POLICY_KINDS,
    ),
    KindRoute(
        "DELETE",
        POLICY,
        "delete_{kind}_policy",
        "Remove a {kind}'s own policy: its namespace's applies again",
        delete_policy,
        {"response_model": ArtifactPolicy, "responses": problem_responses(*WRITE_ERRORS, 404)},
        permission="admin",
        kinds=POLICY_KINDS,
    ),
)
