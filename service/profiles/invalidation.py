"""Keep every replica's profile cache coherent through PostgreSQL `LISTEN/NOTIFY`.

A write that changes what a profile answer shows (yank, deprecation, tag move, new version)
sends `pg_notify` inside its own transaction, so the notice goes out exactly when the change
commits. Each process listens on one dedicated connection and applies the notices to its
`ProfileCache`. While the listener is not listening it may miss notices, so each time it starts
listening it clears the cache: the next answers are read fresh from the database. A heartbeat
bounds how long a silent network (no FIN, no RST) can pass for a listening connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.db.faults import database_unavailable
from service.profiles.cache import ProfileCache

CHANNEL = "registry_profile_changes"
log = logging.getLogger("service.profiles.invalidation")


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """`version` set: that version's state changed; None: what tags and ranges choose changed."""

    namespace: str
    name: str
    version: str | None = None

    def payload(self) -> str:
        return json.dumps([self.namespace, self.name, self.version], separators=(",", ":"))

    @classmethod
    def parse(cls, payload: str) -> ProfileChange:
        namespace, name, version = json.loads(payload)
        return cls(str(namespace), str(name), None if version is None else str(version))

    def apply(self, cache: ProfileCache) -> int:
        if self.version is None:
            return cache.invalidate_moving(self.namespace, self.name)
        return cache.invalidate_version(self.namespace, self.name, self.version)


class InvalidationListener:
    """One task per process: LISTEN, apply notices, reconnect (and clear the cache) after a loss."""

    def __init__(
        self,
        engine: AsyncEngine,
        cache: ProfileCache,
        *,
        retry_seconds: float = 1.0,
        heartbeat_seconds: float = 5.0,
    ) -> None:
        self.engine = engine  # a NullPool engine: this connection never returns to a pool
        self.cache = cache
        cache.listening = False  # until the first LISTEN is in place
        self.retry_seconds = retry_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.connected = asyncio.Event()
        self._listened_before = False
        self.reconnects = 0  # /metrics
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="profile-cache-invalidation")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.engine.dispose()

    async def _run(self) -> None:
        while True:
            try:
                async with self.engine.connect() as connection:
                    await self._listen(connection)
            except Exception as exc:
                if not database_unavailable(exc):
                    log.exception("profile cache invalidation listener failed")
            self.cache.listening = False
            self.connected.clear()
            await asyncio.sleep(self.retry_seconds)

    async def _listen(self, connection: AsyncConnection) -> None:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        lost = asyncio.Event()

        def on_notice(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            try:
                ProfileChange.parse(payload).apply(self.cache)
            except (ValueError, TypeError):
                log.warning("unreadable cache notice", extra={"fields": {"payload": payload}})

        def on_lost(_connection: Any) -> None:
            self.cache.listening = False  # at once: the fast path stops serving from memory
            self.connected.clear()
            lost.set()

        raw.add_termination_listener(on_lost)
        try:
            await raw.add_listener(CHANNEL, on_notice)
            # Notices sent while nobody listened are lost, before the first LISTEN too: start
            # again from an empty cache, and keep no answer read before now (`ProfileCache.put`).
            self.cache.clear()
            if self._listened_before:
                self.reconnects += 1
            self._listened_before = True
            self.cache.listening = True
            self.connected.set()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self.heartbeat_seconds)
                except TimeoutError:
                    # A silent network (no FIN, no RST) would never end the wait: ask, bounded.
                    await raw.fetchval("SELECT 1", timeout=self.heartbeat_seconds)
        except BaseException:
            # Not listening from now on, and no goodbye: over a silent network a graceful close
            # (and the cancel request of the heartbeat that timed out) would wait forever.
            on_lost(raw)
            raw.terminate()
            raise
