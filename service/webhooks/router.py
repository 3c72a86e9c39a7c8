"""Admin routes for webhook subscriptions, their delivery log and redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

# Webhook subscriptions are registry administration: admin over every namespace.
from service.auth.dependencies import WRITE_ERRORS, require_admin
from service.dependencies import SessionDep, SettingsDep
from service.problems import problem_responses
from service.webhooks.repository import WebhookRepository
from service.webhooks.schemas import (
    Delivery,
    DeliveryList,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
)
from service.webhooks.service import WebhookService

# Webhooks are admin-managed: `admin` over every namespace (they can watch any of them).
router = APIRouter(
    prefix="/v1/webhooks",
    tags=["webhooks"],
    dependencies=[Depends(require_admin)],
    responses=problem_responses(*WRITE_ERRORS),
)


def get_webhook_service(session: SessionDep, settings: SettingsDep) -> WebhookService:
    return WebhookService(WebhookRepository(session), allow_private=settings.webhook_allow_private)


ServiceDep = Annotated[WebhookService, Depends(get_webhook_service)]


def _nudge(request: Request) -> None:
    dispatcher = getattr(request.app.state, "webhook_dispatcher", None)
    if dispatcher is not None:
        dispatcher.wake.set()


@router.post(
    "",
    operation_id="create_webhook",
    summary="Subscribe a URL to feed events; the answer holds the signing secret, once",
    status_code=201,
    response_model=WebhookCreated,
    responses=problem_responses(422),
)
async def create_webhook(body: WebhookCreate, service: ServiceDep) -> WebhookCreated:
    return await service.create(body)


@router.get("", operation_id="list_webhooks", summary="Every subscription (secrets not shown)")
async def list_webhooks(service: ServiceDep) -> WebhookList:
    return await service.list()


@router.get(
    "/{webhook_id}",
    operation_id="get_webhook",
    summary="One subscription (its secret is not shown again)",
    responses=problem_responses(404),
)
async def get_webhook(webhook_id: str, service: ServiceDep) -> Webhook:
    return await service.get(webhook_id)


@router.delete(
    "/{webhook_id}",
    operation_id="delete_webhook",
    summary="Unsubscribe; pending deliveries are dropped",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted"}, **problem_responses(404)},
)
async def delete_webhook(webhook_id: str, service: ServiceDep) -> Response:
    await service.delete(webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    operation_id="list_webhook_deliveries",
    summary="The delivery log: status, attempts, last answer, newest first",
    responses=problem_responses(404, 422),
)
async def list_webhook_deliveries(
    webhook_id: str, service: ServiceDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> DeliveryList:
    return await service.deliveries(webhook_id, limit)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    operation_id="redeliver_webhook_delivery",
    summary="Send a delivery again now (delivered, failed or pending)",
    status_code=202,
    responses=problem_responses(404, 422),
)
async def redeliver_webhook_delivery(
    webhook_id: str,
    delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    service: ServiceDep,
    request: Request,
) -> Delivery:
    return await service.redeliver(webhook_id, delivery_id, then=lambda: _nudge(request))
