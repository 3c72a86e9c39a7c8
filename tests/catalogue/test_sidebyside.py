"""The diff page's side-by-side rows, from the diff API's unified diff (pure, property-tested)."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from service.catalogue.sidebyside import Row, side_by_side

LINES = st.lists(st.sampled_from(["a", "b", "c", "--- x", "+++ y", "@@ -1 +1 @@", " ", ""]))


def _unified(a: list[str], b: list[str]) -> str:
    return "".join(difflib.unified_diff([f"{x}\n" for x in a], [f"{x}\n" for x in b], "a", "b"))


def test_a_change_pairs_the_removed_line_with_the_added_one_and_marks_gaps() -> None:
    old = [f"line {n}" for n in range(1, 13)]
    new = [*old[:1], "line two", *old[2:], "line 13"]
    rows = side_by_side(_unified(old, new))
    assert rows[1] == Row("replace", 2, "line 2", 2, "line two")
    assert Row("gap") in rows
    assert rows[-1] == Row("insert", None, None, 13, "line 13")


@given(LINES, LINES)
def test_every_row_shows_the_lines_at_its_numbers_in_order(a: list[str], b: list[str]) -> None:
    rows = side_by_side(_unified(a, b))
    assert (rows == []) == (a == b)
    old = [(r.old_number, r.old) for r in rows if r.old_number is not None]
    new = [(r.new_number, r.new) for r in rows if r.new_number is not None]
    assert all(a[n - 1] == text for n, text in old)
    assert all(b[n - 1] == text for n, text in new)
    assert [n for n, _ in old] == sorted({n for n, _ in old})
    assert [n for n, _ in new] == sorted({n for n, _ in new})
    changed_old = {n for r in rows if r.tag in ("delete", "replace") for n in [r.old_number]}
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    removed = {
        i + 1
        for tag, i1, i2, _, _ in matcher.get_opcodes()
        if tag != "equal"
        for i in range(i1, i2)
    }
    assert changed_old == removed
