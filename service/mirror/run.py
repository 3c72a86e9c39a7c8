"""The `registry mirror` process: migrate the target, then follow the source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from service.changes.schemas import ChangeEvent
from service.db import migrate
from service.db.engine import create_engine, session_factory
from service.mirror.follower import Follower
from service.mirror.replay import MirrorError
from service.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console


async def run_mirror(
    source: str,
    database_url: str,
    *,
    follow: bool,
    interval: float,
    writable: bool,
    out: Console,
    headers: Mapping[str, str] | None = None,
) -> int:
    settings = Settings(database_url=database_url)
    await migrate.upgrade(database_url)
    engine = create_engine(settings, database_url)

    def show(event: ChangeEvent) -> None:
        subject = f"{event.kind} {event.namespace}/{event.name}@{event.version or '-'}"
        out.print(f"{event.seq:>8} {event.event:<13} {subject}", highlight=False)

    try:
        async with httpx.AsyncClient(timeout=30, headers=headers) as http:
            follower = Follower(
                source,
                session_factory(engine),
                http,
                default_namespace=settings.default_namespace,
                read_only=not writable,
                on_event=show,
                on_wait=lambda why: out.print(f"[yellow]waiting: {why}[/]", highlight=False),
            )
            progress = await follower.run(follow=follow, interval=interval)
    except MirrorError as exc:
        out.print(f"[red]mirror stopped: {exc}[/]")
        return 1
    except httpx.HTTPError as exc:
        out.print(f"[red]mirror stopped: the source is not reachable ({exc})[/]")
        return 1
    finally:
        await engine.dispose()
    out.print(f"Applied {progress.applied} event(s); up to date with {source}.")
    return 0
