"""Replaying one feed event into a database: shared by `registry mirror` and `registry import`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.artifacts.publishing import Origin, PublishService
from service.artifacts.repository import ArtifactRepository
from service.artifacts.service import ArtifactService
from service.audit.actor import Actor
from service.bundles.archive import ArchiveError, Limits, read_archive
from service.bundles.manifest import Bundle
from service.changes.schemas import ChangeEvent
from service.errors import NotFound, RegistryError
from service.formats.kinds import Kind
from service.profiles.cache import ProfileCache
from service.profiles.repository import ProfileRepository
from service.resolution.document import Provenance


class MirrorError(Exception):
    """The source and the copy disagree (digest, lock), or the source is not usable."""


@dataclass(frozen=True)
class Fetched:
    """A published version's content: `blob` as downloaded (a skill's folder archive, else the
    file), the file itself (`content`), the skill's folder, and what the source recorded (when
    and how it was published, its lock)."""

    blob: bytes
    content: bytes
    bundle: Bundle | None
    origin: Origin


def origin_of(recorded: Mapping[str, Any]) -> Origin:
    """When and how the source says a version was published, and its lock: from its version
    detail, or an export file's entry (`publishedAt`, `provenance`, `lock`)."""
    provenance = recorded.get("provenance")
    try:
        published_at = dt.datetime.fromisoformat(str(recorded["publishedAt"]))
        if provenance is not None:
            Provenance.model_validate(provenance)
    except (KeyError, ValueError) as exc:
        raise MirrorError(f"the source's publishedAt or provenance is not usable: {exc}") from exc
    # Stored records leave out what is unknown; a version detail shows it as null.
    kept = None if provenance is None else {k: v for k, v in provenance.items() if v is not None}
    return Origin(published_at, kept, dict(recorded.get("lock") or {}))


async def decode_content(event: ChangeEvent, blob: bytes, *, origin: Origin) -> Fetched:
    """Read a downloaded version and check it is exactly what the feed event names: a skill's
    digest is over its folder's manifest, anything else's over its bytes."""
    bundle = None
    if event.kind == "skill":
        try:
            bundle = await asyncio.to_thread(read_archive, blob, Limits())
        except ArchiveError as exc:
            raise MirrorError(f"{_subject(event)}: not a readable skill folder: {exc}") from exc
        content, digest = bundle.skill_md, bundle.digest
    else:
        content, digest = blob, "sha256:" + hashlib.sha256(blob).hexdigest()
    if digest != event.digest:
        raise MirrorError(f"{_subject(event)}: the content digests to {digest}, not {event.digest}")
    return Fetched(blob, content, bundle, origin)


async def apply_event(
    session: AsyncSession,
    event: ChangeEvent,
    fetched: Fetched | None,
    *,
    default_namespace: str,
    actor: str,
) -> None:
    """The write the event records, through the same services as the API (so the copy gets
    its own audit rows, feed events, search documents and webhook deliveries). One this
    registry refuses (a version of its own by that name, a rule the source did not have) is a
    MirrorError naming the event."""
    with _naming(event):
        kind: Kind = event.kind
        name = f"{event.namespace}/{event.name}"
        who = Actor.system(actor)
        artifacts = ArtifactRepository(session)
        profiles = ProfileRepository(session)
        if event.event == "published":
            assert fetched is not None and event.version is not None
            publisher = PublishService(artifacts, profiles, default_namespace)
            published = await publisher.publish(
                kind,
                name,
                event.version,
                fetched.content,
                actor=who,
                bundle=fetched.bundle,
                origin=fetched.origin,
            )
            if published.detail.digest != event.digest:
                raise MirrorError(f"{kind} {name}@{event.version}: stored digest differs")
            if published.detail.lock != fetched.origin.lock:
                raise MirrorError(
                    f"{kind} {name}@{event.version} resolved to another lock here than at the"
                    f" source: {published.detail.lock} != {fetched.origin.lock}"
                )
            return
        service = ArtifactService(artifacts, profiles, default_namespace, ProfileCache(0))
        details = event.details
        version = event.version or ""
        if event.event == "tag.moved":
            await service.set_tag(kind, name, details["tag"], version, actor=who)
        elif event.event == "tag.deleted":
            # Already gone is fine: a --writable mirror may have removed it itself.
            with contextlib.suppress(NotFound):
                await service.delete_tag(kind, name, details["tag"], actor=who)
        elif event.event in ("yanked", "unyanked"):
            yanked = event.event == "yanked"
            reason = details.get("reason")
            await service.set_yanked(kind, name, version, reason, yanked=yanked, actor=who)
        elif event.event in ("deprecated", "undeprecated"):
            message = details.get("message") if event.event == "deprecated" else None
            await service.set_deprecated(kind, name, version, message, actor=who)


@contextlib.contextmanager
def _naming(event: ChangeEvent) -> Iterator[None]:
    try:
        yield
    except RegistryError as exc:
        raise MirrorError(f"event {event.seq} ({event.event} {_subject(event)}): {exc}") from exc


def _subject(event: ChangeEvent) -> str:
    return f"{event.kind} {event.namespace}/{event.name}@{event.version}"
