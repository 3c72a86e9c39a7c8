"""Bodies of the webhook endpoints (JSON names are the public contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.changes.schemas import Event
from service.schemas import StorableText


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: StorableText = Field(max_length=2000, examples=["https://203.0.113.10/hooks/registry"])
    events: list[Event] = Field(min_length=1, examples=[["published", "yanked"]])
    namespace: StorableText | None = Field(
        None, max_length=64, description="Only this namespace's events; all when omitted."
    )


class Webhook(BaseModel):
    id: str
    url: str
    events: list[Event]
    namespace: str | None
    createdAt: datetime


class WebhookCreated(Webhook):
    secret: str = Field(description="Signs every delivery. Shown once, here; store it now.")


class WebhookList(BaseModel):
    webhooks: list[Webhook]


class Delivery(BaseModel):
    id: int
    event: Event
    seq: int = Field(description="The change's position in `GET /v1/changes`.")
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    lastStatusCode: int | None
    lastError: str | None
    createdAt: datetime
    lastAttemptAt: datetime | None
    nextAttemptAt: datetime | None = Field(description="When a pending delivery is tried next.")
    deliveredAt: datetime | None


class DeliveryList(BaseModel):
    deliveries: list[Delivery] = Field(description="Newest first.")
