"""A progress bar on a terminal (rich), nothing otherwise."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from service.portable.transfer import Progress, plain

if TYPE_CHECKING:
    from rich.console import Console


def terminal_progress(console: Console) -> Progress[Any]:
    if not console.is_terminal:
        return plain

    def track(items: Iterable[Any], total: int, label: str) -> Iterator[Any]:
        from rich.progress import track as rich_track

        return iter(rich_track(items, total=total, description=label, console=console))

    return track
