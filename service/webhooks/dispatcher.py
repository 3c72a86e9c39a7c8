"""Send due webhook deliveries: signed POSTs, exponential backoff with jitter, a lease per try.

Runs as a task of every `registry serve` process; replicas share the work through
`FOR UPDATE SKIP LOCKED`. A delivery is claimed (its next attempt pushed past a lease) in one
transaction, sent, then settled in another: a crash between the two only means it is sent again
when the lease ends (at-least-once; receivers deduplicate on `Registry-Webhook-Id`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import time
from typing import Any

import httpx
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.changes.schemas import ChangeEvent
from service.db.faults import database_unavailable
from service.db.unit_of_work import unit_of_work
from service.metrics import Metrics
from service.settings import Settings
from service.webhooks.repository import Claimed, WebhookRepository
from service.webhooks.signing import SIGNATURE_HEADER, sign
from service.webhooks.ssrf import UrlNotAllowed, check_reachable

log = logging.getLogger("service.webhooks")
BATCH = 20


def backoff(attempts: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before try `attempts + 1`: base·2^(attempts-1), capped, with ±50 % jitter so
    deliveries that failed together do not all come back together."""
    delay: float = min(cap, base * 2.0 ** max(0, attempts - 1))
    return delay * rng.uniform(0.5, 1.5)


def payload(claimed: Claimed) -> bytes:
    change = ChangeEvent.model_validate(claimed.change, from_attributes=True)
    body: dict[str, Any] = {
        "id": claimed.delivery_id,
        "webhook": claimed.subscription_id,
        "event": change.event,
        "change": change.model_dump(mode="json"),
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        http: httpx.AsyncClient,
        metrics: Metrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.metrics = metrics
        self.sessions = sessions
        self.settings = settings
        self.http = http
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
        self.wake = asyncio.Event()

    async def run(self) -> None:
        """Forever: send what is due, then sleep until the poll interval or a nudge."""
        while True:
            try:
                sent = await self.send_due()
            except Exception as exc:
                # Never fatal to the server: deliveries wait in the outbox for the next poll.
                if database_unavailable(exc):
                    log.warning("webhook dispatch paused: the database is not reachable")
                elif isinstance(exc, ProgrammingError):
                    log.warning("webhook dispatch paused: the database is not migrated yet")
                else:
                    log.exception("webhook dispatch failed; trying again at the next poll")
                sent = 0
            if sent == 0:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self.wake.wait(), timeout=self.settings.webhook_poll_interval
                    )

    async def send_due(self) -> int:
        # Longer than one try can take, so a live attempt is never doubled; short enough that
        # a crash delays the retry only briefly.
        lease = 2 * self.settings.webhook_timeout + 1
        async with unit_of_work(self.sessions) as session:
            claimed = await WebhookRepository(session).claim(BATCH, lease)
        if claimed:
            await asyncio.gather(*(self._deliver(item) for item in claimed))
        return len(claimed)

    async def _deliver(self, claimed: Claimed) -> None:
        body = payload(claimed)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(claimed.secret, int(time.time()), body),
            "Registry-Webhook-Id": str(claimed.delivery_id),
            "Registry-Webhook-Event": claimed.change.event,
        }
        status: int | None = None
        error: str | None = None
        try:
            # The whole try, not each read: a receiver trickling its answer would otherwise
            # hold this batch (and so every other delivery) past the claim's lease.
            async with asyncio.timeout(self.settings.webhook_timeout):
                status = await self._post(claimed.url, body, headers)
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except UrlNotAllowed as exc:
            error = str(exc)
        except (TimeoutError, httpx.TimeoutException):
            error = f"no answer within {self.settings.webhook_timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        await self._settle(claimed, status, error)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """The receiver's status code: POSTed to an address the SSRF guard approved (the URL's
        host in `Host` and, for https, in SNI and the certificate check), the next one if it
        refuses the connection. The answer's body is never read."""
        target = httpx.URL(url)
        addresses = await check_reachable(url, allow_private=self.settings.webhook_allow_private)
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        for address in addresses[:-1]:
            with contextlib.suppress(httpx.ConnectError):
                return await self._send(target, address, body, headers, extensions)
        return await self._send(target, addresses[-1], body, headers, extensions)

    async def _send(
        self,
        target: httpx.URL,
        address: str,
        body: bytes,
        headers: dict[str, str],
        extensions: dict[str, str],
    ) -> int:
        async with self.http.stream(
            "POST",
            target.copy_with(host=address),
            content=body,
            headers={**headers, "Host": target.netloc.decode("ascii")},
            extensions=extensions,
            timeout=self.settings.webhook_timeout,
            follow_redirects=False,
        ) as response:
            return response.status_code

    async def _settle(self, claimed: Claimed, status: int | None, error: str | None) -> None:
        values: dict[str, Any] = {"last_status_code": status, "last_error": error}
        if error is None:
            values |= {"status": "delivered", "delivered_at": dt.datetime.now(dt.UTC)}
        elif claimed.attempts >= self.settings.webhook_max_attempts:
            values |= {"status": "failed"}
        else:
            delay = backoff(
                claimed.attempts,
                base=self.settings.webhook_backoff_seconds,
                cap=self.settings.webhook_backoff_cap_seconds,
                rng=self.rng,
            )
            values |= {"next_attempt_at": dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)}
        outcome = values.get("status", "retry")
        if self.metrics is not None:
            self.metrics.webhook_deliveries.labels(outcome).inc()
        log.info(
            "webhook delivery",
            extra={
                "fields": {
                    "delivery": claimed.delivery_id,
                    "webhook": claimed.subscription_id,
                    "attempt": claimed.attempts,
                    "status": status,
                    "outcome": outcome,
                    "error": error,
                }
            },
        )
        async with unit_of_work(self.sessions) as session:
            await WebhookRepository(session).settle(claimed.delivery_id, **values)
