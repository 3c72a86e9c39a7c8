"""Follow a source registry's changes feed and replay each event into this database.

Each event is applied in one transaction together with the position after it, so a crash (even
`kill -9`) resumes exactly after the last applied event. A published version is copied as its
exact bytes, checked against the digest the feed and the source name, published with the
source's time and checked to resolve to the same lock, so profiles are byte-identical.
Following, it waits out an unavailable source or database, then goes on from the saved position.
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
from service.db.faults import database_unavailable
from service.db.unit_of_work import unit_of_work
from service.mirror.replay import Fetched, MirrorError, apply_event, decode_content, origin_of
from service.mirror.repository import MirrorRepository

PLURAL = {"agent": "agents", "skill": "skills", "toolset": "toolsets"}
MAX_WAIT = 10.0  # seconds between tries while the source or the database is unavailable


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
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.remote = Source(source, http)
        self.source = self.remote.url
        self.sessions = sessions
        self.default_namespace = default_namespace
        self.read_only = read_only
        self.on_event = on_event or (lambda event: None)
        self.on_wait = on_wait or (lambda why: None)
        self.actor = f"mirror:{self.source}"

    async def run(self, *, follow: bool, interval: float = 1.0, page_size: int = 100) -> Progress:
        """Apply every event after the saved position; with `follow`, keep polling for more,
        waiting out a source or a database that is unavailable for now (a 503, a refused
        connection, a lost one): each wait twice the last, at most `MAX_WAIT` seconds."""
        progress = Progress()
        failures = 0
        while True:
            try:
                if failures or progress.position is None:
                    # The saved position is the truth: a commit whose answer was lost may
                    # have applied the event, which must not be applied twice.
                    async with self.sessions() as session:
                        progress.position = await MirrorRepository(session).position(self.source)
                caught_up = await self._page(progress, page_size)
            except Exception as exc:
                why = _unavailable(exc)
                if not follow or why is None:
                    raise
                failures += 1
                asked = exc.retry_after if isinstance(exc, SourceBusy) else 0.0
                wait = min(max(interval * 2**failures, asked), MAX_WAIT)
                self.on_wait(f"{why}; trying again in {wait:.1f} s")
                await asyncio.sleep(wait)
                continue
            failures = 0
            if caught_up:
                if not follow:
                    return progress
                await asyncio.sleep(interval)

    async def _page(self, progress: Progress, page_size: int) -> bool:
        """Apply the next page of events; True when there were none (caught up)."""
        page = await self.remote.page(progress.position, page_size)
        for event in page.changes:
            position = encode_cursor({"seq": event.seq})
            await self._apply_with_position(event, position)
            progress.applied += 1
            progress.position = position
            self.on_event(event)
        if page.changes:
            return False
        if progress.position != page.next:
            await self._save(page.next)
            progress.position = page.next
        return True

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


def _unavailable(exc: Exception) -> str | None:
    """Why the source or this database cannot be used for now (passes when it comes back);
    None for anything else (the copy and the source disagree, a bug)."""
    if isinstance(exc, SourceBusy):
        return str(exc)
    if isinstance(exc, httpx.TransportError):
        return f"the source is not reachable ({type(exc).__name__})"
    if not isinstance(exc, MirrorError | httpx.HTTPError) and database_unavailable(exc):
        return "this mirror's database is not reachable"
    return None


class SourceBusy(MirrorError):
    """The source answered 502, 503 or 504: down for now (its database, a restart)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # what it asked for (Retry-After seconds), or 0


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
        return (await self._get(path, {})).content

    async def get_json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = (await self._get(path, params)).json()
        return body

    async def _get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        response = await self.http.get(self.url + path, params=params)
        status = response.status_code
        if status in (502, 503, 504):
            asked = response.headers.get("retry-after", "")
            retry_after = float(asked) if asked.isascii() and asked.isdigit() else 0.0
            raise SourceBusy(f"GET {path} answered {status}", retry_after)
        if status in (401, 403):
            raise MirrorError(
                f"GET {path} answered {status}: the source does not let this caller read it"
                " (give a token that may: --token or REGISTRY_TOKEN)"
            )
        if status != 200:
            raise MirrorError(f"GET {path} answered {status}: {response.text[:200]}")
        return response
