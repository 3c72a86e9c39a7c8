"""Webhook rules: who may subscribe to what, the secret, and the delivery log."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable

from service.db.models import WebhookDelivery, WebhookSubscription
from service.db.unit_of_work import after_commit
from service.errors import NotFound, RequestInvalid
from service.formats.problems import error
from service.webhooks.repository import WebhookRepository
from service.webhooks.schemas import (
    Delivery,
    DeliveryList,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
)
from service.webhooks.ssrf import UrlNotAllowed, check_reachable


class WebhookService:
    def __init__(self, repository: WebhookRepository, *, allow_private: bool) -> None:
        self.repository = repository
        self.allow_private = allow_private

    async def create(self, request: WebhookCreate) -> WebhookCreated:
        try:
            await check_reachable(request.url, allow_private=self.allow_private)
        except UrlNotAllowed as exc:
            problem = error("body.url", "url_not_allowed", str(exc)).as_dict()
            raise RequestInvalid(str(exc), errors=[problem]) from exc
        subscription = WebhookSubscription(
            id=str(uuid.uuid4()),
            url=request.url,
            events=sorted(set(request.events)),
            namespace=request.namespace,
            secret="whsec_" + secrets.token_urlsafe(32),
        )
        await self.repository.add(subscription)
        return WebhookCreated(**_webhook(subscription).model_dump(), secret=subscription.secret)

    async def list(self) -> WebhookList:
        return WebhookList(webhooks=[_webhook(s) for s in await self.repository.all()])

    async def get(self, webhook_id: str) -> Webhook:
        return _webhook(await self._subscription(webhook_id))

    async def delete(self, webhook_id: str) -> None:
        if not await self.repository.remove(webhook_id):
            raise _missing(webhook_id)

    async def deliveries(self, webhook_id: str, limit: int) -> DeliveryList:
        await self._subscription(webhook_id)
        rows = await self.repository.deliveries(webhook_id, limit)
        return DeliveryList(deliveries=[_delivery(row) for row in rows])

    async def redeliver(
        self, webhook_id: str, delivery_id: int, *, then: Callable[[], None]
    ) -> Delivery:
        """Due again now; `then` (waking the sender) runs once that is committed."""
        row = await self.repository.requeue(webhook_id, delivery_id)
        if row is None:
            raise NotFound(f"webhook {webhook_id} has no delivery {delivery_id}")
        after_commit(self.repository.session, then)
        return _delivery(row)

    async def _subscription(self, webhook_id: str) -> WebhookSubscription:
        subscription = await self.repository.get(webhook_id)
        if subscription is None:
            raise _missing(webhook_id)
        return subscription


def _missing(webhook_id: str) -> NotFound:
    return NotFound(f"no webhook {webhook_id!r}", webhook=webhook_id)


def _webhook(subscription: WebhookSubscription) -> Webhook:
    return Webhook(
        id=subscription.id,
        url=subscription.url,
        events=subscription.events,
        namespace=subscription.namespace,
        createdAt=subscription.created_at,
    )


def _delivery(row: WebhookDelivery) -> Delivery:
    return Delivery(
        id=row.id,
        event=row.event,
        seq=row.change_seq,
        status=row.status,
        attempts=row.attempts,
        lastStatusCode=row.last_status_code,
        lastError=row.last_error,
        createdAt=row.created_at,
        lastAttemptAt=row.last_attempt_at,
        nextAttemptAt=row.next_attempt_at if row.status == "pending" else None,
        deliveredAt=row.delivered_at,
    )
