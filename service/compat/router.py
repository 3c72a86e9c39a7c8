"""Namespace compatibility policy routes; the per-artifact ones are artifacts/compatibility.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from service.audit.actor import Actor
from service.auth.dependencies import READ_ERRORS, WRITE_ERRORS, ReadAccess, require
from service.compat.policy import PolicyService
from service.compat.repository import PolicyRepository
from service.compat.schemas import NamespacePolicy, PolicyRequest
from service.dependencies import SessionDep, SettingsDep
from service.problems import problem_responses


def get_policies(session: SessionDep, settings: SettingsDep) -> PolicyService:
    return PolicyService(PolicyRepository(session), settings.default_namespace)


PoliciesDep = Annotated[PolicyService, Depends(get_policies)]


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
