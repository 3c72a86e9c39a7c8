"""Follow a source registry's changes feed and replay each event into this database.

Each event is applied in one transaction together with the position after it, so a crash (even
`kill -9`) resumes exactly after the last applied event. A published version is copied as its
exact bytes, checked against the digest the feed and the source name, published with the
source's time and checked to resolve to the same lock, so profiles are byte-identical.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.changes.schemas import ChangeEvent, ChangePage
from service.cursors import encode_cursor
from service.db.unit_of_work import unit_of_work
from service.mirror.replay import Fetched, MirrorError, apply_event, decode_content, origin_of
from service.mirror.repository import MirrorRepository

PLURAL = {"agent": "agents", "skill": "skills", "toolset": "toolsets"}


@dataclass
class Progress:
    applied: int = 0
    position: str | None = None


class Follower:
    def __init__(
        self,
        source: str,
        sessions: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        *,
        default_namespace: str,
        read_only: bool = True,
        on_event: Callable[[ChangeEvent], None] | None = None,
    ) -> None:
        self.remote = Source(source, http)
        self.source = self.remote.url
        self.sessions = sessions
        self.default_namespace = default_namespace
        self.read_only = read_only
        self.on_event = on_event or (lambda event: None)
        self.actor = f"mirror:{self.source}"

    async def run(self, *, follow: bool, interval: float = 1.0, page_size: int = 100) -> Progress:
        """Apply every event after the saved position; with `follow`, keep polling for more."""
        progress = Progress()
        async with self.sessions() as session:
            progress.position = await MirrorRepository(session).position(self.source)
        while True:
            page = await self.remote.page(progress.position, page_size)
            for event in page.changes:
                position = encode_cursor({"seq": event.seq})
                await self._apply_with_position(event, position)
                progress.applied += 1
                progress.position = position
                self.on_event(event)
            if not page.changes:
                if progress.position != page.next:
                    await self._save(page.next)
                    progress.position = page.next
                if not follow:
                    return progress
                await asyncio.sleep(interval)

    async def _save(self, position: str) -> None:
        async with unit_of_work(self.sessions) as session:
            repository = MirrorRepository(session)
            await repository.save_position(self.source, position, read_only=self.read_only)

    async def _apply_with_position(self, event: ChangeEvent, position: str) -> None:
        fetched = await self.remote.fetch_version(event) if event.event == "published" else None
        async with unit_of_work(self.sessions) as session:
            repository = MirrorRepository(session)
            await repository.begin_apply()
            await repository.save_position(self.source, position, read_only=self.read_only)
            await apply_event(
                session, event, fetched, default_namespace=self.default_namespace, actor=self.actor
            )


class Source:
    """The registry being followed, over HTTP."""

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self.url = url.rstrip("/")
        self.http = http

    async def page(self, since: str | None, limit: int) -> ChangePage:
        params: dict[str, Any] = {"limit": limit}
        if since:
            params["since"] = since
        return ChangePage.model_validate(await self.get_json("/v1/changes", params))

    async def fetch_version(self, event: ChangeEvent) -> Fetched:
        """The version's exact content: a skill as its folder (the deterministic archive, whose
        manifest the digest covers), anything else as its published bytes."""
        path = f"/v1/{PLURAL[event.kind]}/{event.namespace}/{event.name}/versions/{event.version}"
        detail = await self.get_json(path, {})
        blob = await self.get_bytes(path + ("/archive" if event.kind == "skill" else "/raw"))
        fetched = await decode_content(event, blob, origin=origin_of(detail))
        if detail.get("digest") != event.digest:
            raise MirrorError(
                f"{path}: the source says {detail.get('digest')}, its feed {event.digest}"
            )
        return fetched

    async def get_bytes(self, path: str) -> bytes:
        response = await self.http.get(self.url + path)
        if response.status_code != 200:
            raise MirrorError(f"GET {path} answered {response.status_code}")
        return response.content

    async def get_json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.get(self.url + path, params=params)
        if response.status_code != 200:
            raise MirrorError(f"GET {path} answered {response.status_code}: {response.text[:200]}")
        body: dict[str, Any] = response.json()
        return body
