"""Follow a source registry's changes feed and replay each event into this database.

Each event is applied in one transaction together with the position after it, so a crash (even
`kill -9`) resumes exactly after the last applied event. A published version is copied as its
exact bytes, checked against the digest the feed and the source name, published with the
source's time and checked to resolve to the same lock, so profiles are byte-identical.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.artifacts.publishing import PublishService
from service.artifacts.repository import ArtifactRepository
from service.artifacts.schemas import Kind
from service.artifacts.service import ArtifactService
from service.bundles.archive import ArchiveError, Limits, read_archive
from service.bundles.manifest import Bundle
from service.changes.schemas import ChangeEvent, ChangePage
from service.cursors import encode_cursor
from service.errors import NotFound
from service.mirror.repository import MirrorRepository
from service.profiles.cache import ProfileCache
from service.profiles.repository import ProfileRepository

PLURAL = {"agent": "agents", "skill": "skills", "toolset": "toolsets"}


class MirrorError(Exception):
    """The source and the mirror disagree (digest, lock) or the source answered wrongly."""


@dataclass(frozen=True)
class Fetched:
    content: bytes
    bundle: Bundle | None
    published_at: dt.datetime
    lock: dict[str, Any]


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
        self.source = source.rstrip("/")
        self.sessions = sessions
        self.http = http
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
            params: dict[str, Any] = {"limit": page_size}
            if progress.position:
                params["since"] = progress.position
            page = ChangePage.model_validate(await self._get_json("/v1/changes", params))
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
        async with self.sessions() as session:
            repository = MirrorRepository(session)
            await repository.save_position(self.source, position, read_only=self.read_only)
            await session.commit()

    async def _apply_with_position(self, event: ChangeEvent, position: str) -> None:
        fetched = await self._fetch_version(event) if event.event == "published" else None
        async with self.sessions() as session:
            repository = MirrorRepository(session)
            await repository.begin_apply()
            await repository.save_position(self.source, position, read_only=self.read_only)
            await self._apply(session, event, fetched)
            await session.commit()

    async def _apply(
        self,
        session: AsyncSession,
        event: ChangeEvent,
        fetched: Fetched | None,
    ) -> None:
        kind: Kind = event.kind
        name = f"{event.namespace}/{event.name}"
        artifacts = ArtifactRepository(session)
        profiles = ProfileRepository(session)
        if event.event == "published":
            assert fetched is not None and event.version is not None
            publisher = PublishService(artifacts, profiles, self.default_namespace)
            published = await publisher.publish(
                kind,
                name,
                event.version,
                fetched.content,
                actor=self.actor,
                bundle=fetched.bundle,
                published_at=fetched.published_at,
            )
            if published.detail.digest != event.digest:
                raise MirrorError(f"{kind} {name}@{event.version}: stored digest differs")
            if published.detail.lock != fetched.lock:
                raise MirrorError(
                    f"{kind} {name}@{event.version} resolved to another lock here than at the"
                    f" source: {published.detail.lock} != {fetched.lock}"
                )
            return
        service = ArtifactService(artifacts, profiles, self.default_namespace, ProfileCache(0))
        details = event.details
        version = event.version or ""
        if event.event == "tag.moved":
            await service.set_tag(kind, name, details["tag"], version, actor=self.actor)
        elif event.event == "tag.deleted":
            # Already gone is fine: a --writable mirror may have removed it itself.
            with contextlib.suppress(NotFound):
                await service.delete_tag(kind, name, details["tag"], actor=self.actor)
        elif event.event in ("yanked", "unyanked"):
            yanked = event.event == "yanked"
            reason = details.get("reason")
            await service.set_yanked(kind, name, version, reason, yanked=yanked, actor=self.actor)
        elif event.event in ("deprecated", "undeprecated"):
            message = details.get("message") if event.event == "deprecated" else None
            await service.set_deprecated(kind, name, version, message, actor=self.actor)

    async def _fetch_version(self, event: ChangeEvent) -> Fetched:
        """The version's exact content: a skill as its folder (the deterministic archive, whose
        manifest the digest covers), anything else as its published bytes."""
        path = f"/v1/{PLURAL[event.kind]}/{event.namespace}/{event.name}/versions/{event.version}"
        detail = await self._get_json(path, {})
        bundle = None
        if event.kind == "skill":
            archive = await self._get_bytes(path + "/archive")
            try:
                bundle = await asyncio.to_thread(read_archive, archive, Limits())
            except ArchiveError as exc:
                raise MirrorError(f"{path}/archive is not a readable skill folder: {exc}") from exc
            content, digest = bundle.skill_md, bundle.digest
        else:
            content = await self._get_bytes(path + "/raw")
            digest = "sha256:" + hashlib.sha256(content).hexdigest()
        if digest != event.digest or digest != detail.get("digest"):
            raise MirrorError(
                f"{path}: the content digests to {digest}; the feed says {event.digest}"
            )
        return Fetched(
            content=content,
            bundle=bundle,
            published_at=dt.datetime.fromisoformat(str(detail["publishedAt"])),
            lock=dict(detail.get("lock") or {}),
        )

    async def _get_bytes(self, path: str) -> bytes:
        response = await self.http.get(self.source + path)
        if response.status_code != 200:
            raise MirrorError(f"GET {path} answered {response.status_code}")
        return response.content

    async def _get_json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.get(self.source + path, params=params)
        if response.status_code != 200:
            raise MirrorError(f"GET {path} answered {response.status_code}: {response.text[:200]}")
        body: dict[str, Any] = response.json()
        return body
