"""All SQL of webhooks: subscriptions, the delivery outbox, claiming and settling attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Change, WebhookDelivery, WebhookSubscription


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: int
    attempts: int
    url: str
    secret: str
    subscription_id: str
    change: Change


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, subscription: WebhookSubscription) -> None:
        self.session.add(subscription)
        await self.session.flush()

    async def get(self, webhook_id: str) -> WebhookSubscription | None:
        return await self.session.get(WebhookSubscription, webhook_id)

    async def all(self) -> list[WebhookSubscription]:
        statement = select(WebhookSubscription).order_by(WebhookSubscription.created_at)
        return list(await self.session.scalars(statement))

    async def remove(self, webhook_id: str) -> bool:
        result = await self.session.execute(
            delete(WebhookSubscription)
            .where(WebhookSubscription.id == webhook_id)
            .returning(WebhookSubscription.id)
        )
        return result.first() is not None

    async def deliveries(self, webhook_id: str, limit: int) -> list[WebhookDelivery]:
        statement = (
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == webhook_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
        return list(await self.session.scalars(statement))

    async def requeue(self, webhook_id: str, delivery_id: int) -> WebhookDelivery | None:
        statement = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == webhook_id)
            .values(status="pending", next_attempt_at=func.now(), delivered_at=None)
            .returning(WebhookDelivery)
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(statement)

    async def claim(self, limit: int, lease_seconds: float) -> list[Claimed]:
        """Take due deliveries, pushing their next attempt past the lease: another replica (or
        this one after a crash) retries only if this attempt never settles."""
        due = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= func.now()
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(due.scalar_subquery()))
            .values(
                attempts=WebhookDelivery.attempts + 1,
                last_attempt_at=func.now(),
                next_attempt_at=func.now() + text("make_interval(secs => :lease)"),
            )
            .returning(WebhookDelivery.id, WebhookDelivery.attempts)
            .execution_options(synchronize_session=False),
            {"lease": lease_seconds},
        )
        attempts = {int(row[0]): int(row[1]) for row in claimed}
        if not attempts:
            return []
        rows = await self.session.execute(
            select(WebhookDelivery.id, WebhookSubscription, Change)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(Change, Change.seq == WebhookDelivery.change_seq)
            .where(WebhookDelivery.id.in_(list(attempts)))
            .order_by(WebhookDelivery.id)
        )
        return [
            Claimed(delivery_id, attempts[delivery_id], sub.url, sub.secret, sub.id, change)
            for delivery_id, sub, change in rows
        ]

    async def settle(self, delivery_id: int, **values: Any) -> None:
        await self.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
        )
