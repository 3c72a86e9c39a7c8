"""Search rules: normalise filters, pin a snapshot on the first page, shape highlights."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.cursors import ISSUED, decode_cursor, encode_cursor, position
from service.errors import InvalidCursor, RequestInvalid
from service.formats import names
from service.formats.problems import error
from service.search.repository import (
    MARK_START,
    MARK_STOP,
    RANK_WINDOW,
    Criteria,
    Hit,
    SearchRepository,
)
from service.search.schemas import Highlight, SearchPage, SearchResult


@dataclass
class SearchFeatures:
    """What this database offers search, learnt on first use and kept for the app's life."""

    trigrams: bool | None = None


class SearchService:
    def __init__(
        self,
        repository: SearchRepository,
        default_namespace: str,
        features: SearchFeatures | None = None,
        rank_window: int = RANK_WINDOW,
    ) -> None:
        self.repository = repository
        self.default_namespace = default_namespace
        self.features = features or SearchFeatures()
        self.rank_window = rank_window

    def criteria(
        self,
        *,
        query: str | None,
        kinds: list[str],
        namespace: str | None,
        skill: str | None,
        tool: str | None,
        model: str | None,
        sort: str | None,
        readable: frozenset[str] | None = None,
    ) -> Criteria:
        """`readable`: only these namespaces (what the caller may read); None: every one."""
        text = (query or "").strip() or None
        chosen = sort or ("relevance" if text else "name")
        if chosen == "relevance" and text is None:
            raise RequestInvalid(
                "sort=relevance needs a query", errors=[_problem("query.sort", "needs `q`")]
            )
        skills: tuple[str, ...] = ()
        if skill is not None:
            try:
                skill_namespace, skill_name = names.split_qualified(skill, self.default_namespace)
            except names.InvalidName as exc:
                raise RequestInvalid(str(exc), errors=[_problem("query.skill", str(exc))]) from exc
            skills = (f"{skill_namespace}/{skill_name}",)
        return Criteria(
            query=text,
            kinds=tuple(sorted(set(kinds))),
            namespace=namespace,
            skills=skills,
            tool=tool,
            model=model,
            sort=chosen,  # type: ignore[arg-type]  # checked by the router's Literal
            readable=None if readable is None else tuple(sorted(readable)),
        )

    async def search(self, criteria: Criteria, cursor: str | None, limit: int) -> SearchPage:
        fingerprint = _fingerprint(criteria)
        pinned: int | None = None
        after = None
        common = False
        if cursor:
            state = decode_cursor(cursor, "at", "after", "q")
            if state["q"] != fingerprint:
                raise InvalidCursor("this cursor belongs to another search; start again without it")
            pinned, after = position(state["at"]), _after(criteria.sort, state["after"])
            common = state.get("w") is True
        # Whether the words are common (relevance then ranks a window of the matches, other
        # orders walk their index) is decided once, on the first page; the cursor carries it,
        # so every page ranks the same set.
        probe = cursor is None and criteria.query is not None
        at, found = await self.repository.position(
            pinned, (criteria, self.rank_window) if probe else None
        )
        common = common or found
        windowed = common and criteria.sort == "relevance"
        if self.features.trigrams is None:
            self.features.trigrams = await self.repository.has_trigrams()
        hits = await self.repository.search(
            criteria,
            at=at,
            after=after,
            limit=limit + 1,
            trigrams=self.features.trigrams,
            window=self.rank_window if windowed else None,
            common=common,
        )
        page, more = hits[:limit], len(hits) > limit
        next_cursor = None
        if more:
            last = page[-1].key(criteria.sort)
            state = {"at": at, "after": last, "q": fingerprint} | ({"w": True} if common else {})
            next_cursor = encode_cursor(state)
        return SearchPage(
            results=[_result(hit) for hit in page], next=next_cursor, approximate=windowed
        )


# The types of a page's last key by sort (`Hit.key`), which a cursor's `after` carries.
_KEY_TYPES: dict[str, tuple[type | tuple[type, ...], ...]] = {
    "relevance": ((int, float), int),
    "name": (str, str, str, int),
    "published": (str, int),
}


def _after(sort: str, after: Any) -> list[Any]:
    """A cursor's `after` (the last key its page showed), checked to be one of `sort`'s."""
    types = _KEY_TYPES[sort]
    if (
        not isinstance(after, list)
        or len(after) != len(types)
        or any(
            isinstance(v, bool) or not isinstance(v, t) for v, t in zip(after, types, strict=True)
        )
    ):
        raise InvalidCursor(ISSUED)
    if sort == "published":
        try:
            datetime.fromisoformat(after[0])
        except ValueError as exc:
            raise InvalidCursor(ISSUED) from exc
    return after


def _result(hit: Hit) -> SearchResult:
    highlights = [
        highlight
        for field, marked in (
            ("description", hit.description_highlight),
            ("instructions", hit.instructions_highlight),
        )
        if marked and (highlight := _highlight(field, marked)) is not None
    ]
    return SearchResult(
        kind=hit.kind,
        namespace=hit.namespace,
        name=hit.name,
        version=hit.version,
        description=hit.description,
        publishedAt=hit.published_at,
        deprecated=hit.deprecated,
        score=round(hit.score, 6),
        highlights=highlights,
    )


def _highlight(field: str, marked: str) -> Highlight | None:
    """ts_headline's marked fragment -> plain text and the offsets of each match."""
    text: list[str] = []
    matches: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for char in marked:
        if char == MARK_START:
            start = length
        elif char == MARK_STOP and start is not None:
            matches.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    if not matches:
        return None
    return Highlight(field=field, text="".join(text), matches=matches)


def _fingerprint(criteria: Criteria) -> str:
    """A cursor only continues the search it came from."""
    parts = [criteria.query, criteria.kinds, criteria.namespace, criteria.skills]
    parts += [criteria.tool, criteria.model, criteria.sort, criteria.readable]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def _problem(loc: str, message: str) -> dict[str, str]:
    return error(loc, "invalid_parameter", message).as_dict()
