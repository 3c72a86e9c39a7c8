"""Export a registry over HTTP into a file; import a file into an empty registry's database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select

from service.changes.schemas import ChangeEvent
from service.db import migrate
from service.db.engine import create_engine, session_factory
from service.db.models import Artifact
from service.db.unit_of_work import unit_of_work
from service.mirror.follower import Source
from service.mirror.replay import Fetched, MirrorError, apply_event, decode_content, origin_of
from service.portable.archive import ExportFileError, Writer, read
from service.settings import Settings

T = TypeVar("T")
Progress = Callable[[Iterable[T], int, str], Iterator[T]]


def plain(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """No progress display (not a terminal)."""
    return iter(items)


async def export_registry(
    url: str,
    path: Path,
    progress: Progress[Any] = plain,
    *,
    headers: Mapping[str, str] | None = None,
) -> int:
    """Every event of the source's feed, in order, with each published version's exact content
    (verified against its digest on the way out). Written to a temporary name, then renamed."""
    partial = path.with_name(path.name + ".partial")
    async with httpx.AsyncClient(timeout=60, headers=headers) as http:
        source = Source(url, http)
        events: list[ChangeEvent] = []
        position = None
        while True:
            page = await source.page(position, 1000)
            if not page.changes:
                break
            events += page.changes
            position = page.next
        writer = Writer(partial, source.url)
        try:
            for event in progress(events, len(events), "exporting"):
                record = event.model_dump(mode="json")
                blob = None
                if event.event == "published":
                    fetched = await source.fetch_version(event)
                    record |= {
                        "publishedAt": fetched.origin.published_at.isoformat(),
                        "provenance": fetched.origin.provenance,
                        "lock": fetched.origin.lock,
                    }
                    blob = fetched.blob
                writer.add(record, blob)
            writer.close()
        except BaseException:
            writer.tar.close()
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, path)
    return len(events)


async def import_registry(path: Path, database_url: str, progress: Progress[Any] = plain) -> int:
    """Check the whole file first (every blob against its event's digest), then replay it into
    an empty registry in one transaction: nothing is written when anything is wrong, even an
    event that fails only when it is applied."""
    entries: list[tuple[ChangeEvent, Fetched | None]] = []
    for entry in read(path):
        event = ChangeEvent.model_validate(entry.event)
        fetched = None
        if event.event == "published":
            if entry.blob is None:
                raise ExportFileError(f"{event.kind} {event.name}@{event.version} has no content")
            fetched = await decode_content(event, entry.blob, origin=origin_of(entry.event))
        entries.append((event, fetched))
    settings = Settings(database_url=database_url)
    await migrate.upgrade(database_url)
    engine = create_engine(settings, database_url)
    try:
        # One transaction for the whole import: a failure anywhere rolls every event back.
        async with unit_of_work(session_factory(engine)) as session:
            if await session.scalar(select(func.count()).select_from(Artifact)):
                raise MirrorError(
                    "the target registry is not empty; import restores into an empty one"
                )
            for event, fetched in progress(entries, len(entries), "importing"):
                await apply_event(
                    session,
                    event,
                    fetched,
                    default_namespace=settings.default_namespace,
                    actor=f"import:{path.name}",
                )
    finally:
        await engine.dispose()
    return len(entries)
