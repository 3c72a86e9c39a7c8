"""A unified diff (the diff API's `instructions`) laid out as side-by-side rows for a page (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import zip_longest
from typing import Literal

RowTag = Literal["equal", "replace", "delete", "insert", "gap"]
_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True, slots=True)
class Row:
    tag: RowTag
    old_number: int | None = None
    old: str | None = None
    new_number: int | None = None
    new: str | None = None


def side_by_side(unified: str) -> list[Row]:
    """Rows of a unified diff: context on both sides, removals paired with the additions that
    follow them, and a `gap` row where unchanged lines were left out between hunks."""
    rows: list[Row] = []
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    old_line = new_line = 0
    in_hunk = False

    def flush() -> None:
        for before, after in zip_longest(removed, added):
            tag: RowTag = "replace" if before and after else ("delete" if before else "insert")
            rows.append(
                Row(
                    tag,
                    before[0] if before else None,
                    before[1] if before else None,
                    after[0] if after else None,
                    after[1] if after else None,
                )
            )
        removed.clear()
        added.clear()

    for line in unified.splitlines():
        hunk = _HUNK.match(line)
        if hunk:
            flush()
            if rows:
                rows.append(Row("gap"))
            old_line, new_line = int(hunk.group(1)), int(hunk.group(2))
            in_hunk = True
        elif not in_hunk:
            continue  # the `---`/`+++` file headers
        elif line.startswith("-"):
            removed.append((old_line, line[1:]))
            old_line += 1
        elif line.startswith("+"):
            added.append((new_line, line[1:]))
            new_line += 1
        elif line.startswith(" "):
            flush()
            rows.append(Row("equal", old_line, line[1:], new_line, line[1:]))
            old_line += 1
            new_line += 1
    flush()
    return rows
