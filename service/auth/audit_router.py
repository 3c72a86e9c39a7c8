"""`GET /v1/audit`: the audit log, newest first, filtered, for admins (guarded by service.auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.audit.repository import AuditRepository
from service.audit.schemas import AuditEntry, AuditPage
from service.auth.dependencies import WRITE_ERRORS, AdminActor
from service.cursors import BIGINT, ISSUED
from service.db.models import AuditRecord
from service.dependencies import SessionDep, SettingsDep
from service.errors import InvalidCursor
from service.formats import names
from service.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get(
    "/audit",
    operation_id="list_audit",
    summary="Every write and every refused one, newest first (admin only)",
    response_model=AuditPage,
    responses=problem_responses(*WRITE_ERRORS, 400, 422),
)
async def list_audit(
    admin: AdminActor,
    session: SessionDep,
    settings: SettingsDep,
    namespace: Annotated[str | None, Query(max_length=64)] = None,
    artifact: Annotated[
        str | None,
        Query(max_length=200, description="An artifact's name, or `namespace/name`."),
    ] = None,
    by: Annotated[
        str | None,
        Query(alias="actor", max_length=200, description="A token's name or id, an OIDC subject."),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    if artifact is not None and "/" in artifact:
        try:
            namespace, artifact = names.split_qualified(artifact, settings.default_namespace)
        except names.InvalidName:
            return AuditPage(items=[])
    before_id = None
    if cursor is not None:
        # ASCII digits only (`²` and `١٢` are digits to str.isdigit), within a bigint.
        if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > BIGINT:
            raise InvalidCursor(ISSUED)
        before_id = int(cursor)
    rows = await AuditRepository(session).page(
        namespace=namespace, artifact=artifact, actor=by, before_id=before_id, limit=limit + 1
    )
    page = rows[:limit]
    more = len(rows) > limit
    return AuditPage(
        items=[_entry(row) for row in page],
        nextCursor=str(page[-1].id) if more and page else None,
    )


def _entry(row: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        actorKind=row.actor_kind,
        actorId=row.actor_id,
        actorClaims=row.actor_claims,
        action=row.action,
        kind=row.kind,
        namespace=row.namespace,
        name=row.name,
        version=row.version,
        digest=row.digest,
        requestId=row.request_id,
        clientAddress=row.client_address,
        details=row.details,
    )
