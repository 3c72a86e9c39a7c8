"""All SQL of search: one snapshot of the search documents, filtered, ranked, keyset-paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from service.search.schemas import Sort

# English stems ("reviews" finds "review") or the words as written (names, "testing"); one of
# them when both read the same (an `x | x` query costs twice to rank). A scalar subquery: parsed
# once per query (not per row), and still usable by the GIN index.
WORDS = (
    "(SELECT CASE WHEN e = s THEN e ELSE e || s END"
    " FROM websearch_to_tsquery('english', :q) e, websearch_to_tsquery('simple', :q) s)"
)
# A prepared statement run more than five times may get a generic plan, made without the
# query's values: for `name % :q` that plan computed a trigram similarity for every document
# (100-140 ms a search at 100k versions, against ~10 ms planned for the value). Planning each
# search costs a few milliseconds; this transaction-local setting pays it.
CUSTOM_PLANS = "set_config('plan_cache_mode', 'force_custom_plan', true)"
# Matched words are wrapped in two private-use characters, turned into offsets in Python.
MARK_START, MARK_STOP = "\ue000", "\ue001"
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=30, MinWords=10, MaxFragments=2,"
    ' FragmentDelimiter=" … "'
)
# How much of the instructions a highlight is cut from (ts_headline reparses the text).
INSTRUCTIONS_HIGHLIGHT_CHARS = 8000
# The ranking window (REGISTRY_SEARCH_RANK_WINDOW): when the words match a quarter or more of
# all artifacts (and more than this many), relevance ranks only this many of them, the most
# recently published. Ranking a word found in every document read and scored 20,000 documents
# per search at 100k versions (bench/README.md); the newest matches are found by walking the
# documents newest first, which, that common a word, reads about as many as it keeps.
RANK_WINDOW = 1000
COMMON_FRACTION = 4  # "a quarter": the walk reads at most about 4 documents per match kept
# Newest first, by keys a document never changes: a snapshot's window is the same on every page.
_WINDOW_ORDER = "published_at DESC, artifact_id"

_ORDER: dict[Sort, tuple[str, str]] = {
    # ORDER BY, and the keyset condition "after the cursor row" in the same order.
    "relevance": (
        "score DESC, artifact_id",
        "(score < :k0 OR (score = :k0 AND artifact_id > :k1))",
    ),
    "name": (
        "namespace, name, kind, artifact_id",
        "(namespace, name, kind, artifact_id) > (:k0, :k1, :k2, :k3)",
    ),
    "published": (
        "published_at DESC, artifact_id",
        "(published_at < :k0 OR (published_at = :k0 AND artifact_id > :k1))",
    ),
}


@dataclass(frozen=True, slots=True)
class Criteria:
    query: str | None
    kinds: tuple[str, ...]
    namespace: str | None
    skills: tuple[str, ...]  # any of these qualified names (`namespace/name`)
    tool: str | None
    model: str | None
    sort: Sort
    readable: tuple[str, ...] | None = None  # only these namespaces (what the caller may read)


@dataclass(frozen=True, slots=True)
class Hit:
    artifact_id: int
    kind: str
    namespace: str
    name: str
    version: str
    published_at: datetime
    score: float
    description: str
    deprecated: str | None
    description_highlight: str | None
    instructions_highlight: str | None

    def key(self, sort: Sort) -> list[Any]:
        if sort == "relevance":
            return [self.score, self.artifact_id]
        if sort == "name":
            return [self.namespace, self.name, self.kind, self.artifact_id]
        return [self.published_at.isoformat(), self.artifact_id]


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def position(
        self, at: int | None, common: tuple[Criteria, int] | None = None
    ) -> tuple[int, bool]:
        """The feed position to search at (`at`, else the settled one: every change up to it
        committed). With `common` (criteria, window), also whether its words match so many
        artifacts that relevance ranks a window of them (`_common`). One round trip, which also
        has this transaction plan each statement for its own values (`CUSTOM_PLANS`).
        """
        params: dict[str, Any] = {"at": at}
        probe = "false" if common is None else _common(*common, params)
        row = (
            await self.session.execute(
                text(
                    f"SELECT p.at, {probe}, {CUSTOM_PLANS}"  # noqa: S608 (constants)
                    " FROM (SELECT coalesce(CAST(:at AS bigint), registry_settled_seq()) AS at) p"
                ),
                params,
            )
        ).one()
        return int(row[0] or 0), bool(row[1])

    async def has_trigrams(self) -> bool:
        found = await self.session.scalar(
            text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        )
        return bool(found)

    async def search(
        self,
        criteria: Criteria,
        *,
        at: int,
        after: list[Any] | None,
        limit: int,
        trigrams: bool,
        window: int | None = None,
        common: bool = False,
    ) -> list[Hit]:
        """A page of results at feed position `at`. `window`: rank only that many word matches,
        the newest; None ranks every match. `common`: the words match so many documents (see
        `_common`) that a page sorted by name or date is found by walking the documents in
        that order rather than reading every match."""
        params: dict[str, Any] = {"at": at, "limit": limit, "q": criteria.query or ""}
        where = _filters(criteria, params)
        # Each way of matching is its own branch with its own score, so each can use its own
        # index (an OR of the two makes PostgreSQL scan every document) and each computes only
        # its own score (a trigram similarity per word match cost more than the ranking).
        matches = [("", "0")]
        if criteria.query:
            # Matched over name, description and instructions (`document`), ranked over name and
            # description (`title`, a tenth of the size and not TOASTed): a common word matches
            # most documents and each match is ranked (bench/README.md). A match in the
            # instructions alone scores 0 and follows the others. ts_rank, not ts_rank_cd: half
            # the cost per document.
            matches = [(f" AND d.document @@ {WORDS}", _WORD_SCORE)]
            if trigrams and len(criteria.query.split()) == 1:
                # The whole name (`dev-pyhton`), or one word of a compound name (`terrafrom`
                # in `aws-terraform-modules`): both operators use the trigram index. Names have
                # no spaces: a query of several words is matched by its words only (its many
                # trigrams made the index return most names to recheck: 160 ms at 100k).
                matches.append(
                    (
                        " AND (d.name % :q OR :q <% d.name)",
                        "greatest(similarity(d.name, :q), word_similarity(:q, d.name))",
                    )
                )
        windowed = window is not None and criteria.query is not None
        # Sorted by name or date, the word score orders nothing: it is computed for the page's
        # rows alone (every match of a common word was ranked for 20 shown).
        deferred = criteria.query is not None and criteria.sort != "relevance"
        if deferred:
            matches[0] = (matches[0][0], "0")
        order, keyset = _ORDER[criteria.sort]
        if after is not None:
            params.update({f"k{i}": value for i, value in enumerate(after)})
            if criteria.sort == "published":
                params["k0"] = datetime.fromisoformat(str(after[0]))
        keys = "d.id, d.artifact_id, d.kind, d.namespace, d.name, d.published_at"
        # One snapshot at feed position :at: the documents current then, whether or not a
        # publish has replaced them since (those few are found through `valid_to`, and only
        # looked for when there are any: a one-time filter, probed in this statement's own
        # snapshot, since a publish may commit between the position's statement and this one).
        validity = ["d.valid_to IS NULL", f"d.valid_to > :at AND {_CLOSED_SINCE}"]

        def matching(match: str, columns: str) -> str:
            return " UNION ALL ".join(
                f"SELECT {columns} FROM search_documents d"  # noqa: S608
                f" WHERE {valid} AND d.valid_from <= :at{where}{match}"
                for valid in validity
            )

        found = [matching(match, f"{keys}, {score} AS score") for match, score in matches]
        if windowed:
            # The newest `window` word matches, found by walking the documents newest first
            # (`ts_match_vq` is `@@` that the word index cannot serve, so the planner walks the
            # `published_at` index and stops when the window is full), then ranked. The same
            # window on every page: the snapshot's documents, ordered by keys they never change.
            params["window"] = window
            walk = matching("", f"{keys}, d.document, d.title")
            found[0] = (
                f"SELECT id, artifact_id, kind, namespace, name, published_at,"  # noqa: S608
                f" ts_rank(title, {WORDS}) AS score FROM (SELECT * FROM ({walk}) n"
                f" WHERE ts_match_vq(n.document, {WORDS})"
                f" ORDER BY {_WINDOW_ORDER} LIMIT :window) m"
            )
        elif deferred and common:
            # In the sort's own order (an index of it), each kind of document, stopping at a
            # page: exact, since the page is the first `limit` of these and the similar names.
            walk_keyset = f" AND {keyset}" if after is not None else ""
            found[0] = " UNION ALL ".join(
                f"(SELECT {keys}, 0 AS score FROM search_documents d"  # noqa: S608
                f" WHERE {valid} AND d.valid_from <= :at{where}"
                f" AND ts_match_vq(d.document, {WORDS}){walk_keyset} ORDER BY {order} LIMIT :limit)"
                for valid in validity
            )
        snapshot = found[0]
        if len(found) > 1:
            # A document matched both ways is one result, scored by both: the few similar names
            # are joined to the word matches by hash (sorting every word match cost more). A
            # similar name whose words match but fell outside the ranking window is scored for
            # its words here (without a window, such a name is a word match already).
            columns = ", ".join(
                f"coalesce(w.{c}, s.{c}) AS {c}"
                for c in ("id", "artifact_id", "kind", "namespace", "name", "published_at")
            )
            word_score = "0"
            if windowed:
                match, score = matches[1]
                words = f"CASE WHEN d.document @@ {WORDS} THEN {_WORD_SCORE} ELSE 0 END"
                found[1] = matching(match, f"{keys}, {score} AS score, {words} AS words")
                word_score = "s.words"
            snapshot = (
                f"SELECT {columns},"  # noqa: S608
                f" coalesce(w.score, {word_score}) + coalesce(s.score, 0) AS score"
                f" FROM ({found[0]}) w FULL JOIN ({found[1]}) s ON s.id = w.id"
            )
        page_score = "page.score"
        if deferred:
            page_score = (
                f"page.score + CASE WHEN d.document @@ {WORDS} THEN {_WORD_SCORE} ELSE 0 END"
            )
        described, instructed = "NULL", "NULL"
        if criteria.query:
            described = _headline("v.description")
            instructed = _headline(f"left(v.body, {INSTRUCTIONS_HIGHLIGHT_CHARS})")
        # Only the fixed fragments above are interpolated; every value is a bind parameter.
        statement = f"""
            WITH snapshot AS ({snapshot}),
            page AS (
                SELECT id, artifact_id, kind, namespace, name, published_at,
                       score::float8 AS score
                FROM snapshot
                {"WHERE " + keyset if after is not None else ""}
                ORDER BY {order}
                LIMIT :limit
            )
            SELECT page.artifact_id, page.kind, page.namespace, page.name, d.version,
                   page.published_at, {page_score} AS score, v.description,
                   v.deprecation_message AS deprecated,
                   {described} AS description_highlight,
                   {instructed} AS instructions_highlight
            FROM page JOIN search_documents d ON d.id = page.id
            JOIN artifact_versions v ON v.id = d.version_id
            ORDER BY {order}
        """  # noqa: S608
        rows = await self.session.execute(text(statement), params)
        return [Hit(**row._mapping) for row in rows]


_WORD_SCORE = f"ts_rank(d.title, {WORDS})"
# Whether any document current at :at has been replaced since (an index probe, run once).
_CLOSED_SINCE = "EXISTS (SELECT 1 FROM search_documents c WHERE c.valid_to > :at)"


# Each filter's condition on a search document `d`, by the bind parameter it takes.
_FILTERS = {
    "kinds": "d.kind = ANY(:kinds)",
    "namespace": "d.namespace = :namespace",
    "readable": "d.namespace = ANY(CAST(:readable AS text[]))",
    "skills": "d.skills && CAST(:skills AS text[])",
    "tool": "d.tools @> ARRAY[CAST(:tool AS text)]",
    "model": "d.model = :model",
}


def _filters(criteria: Criteria, params: dict[str, Any]) -> str:
    """The criteria's filters as ` AND …` conditions on `d`; their values added to `params`."""
    values = {
        "kinds": list(criteria.kinds) or None,
        "namespace": criteria.namespace,
        "readable": None if criteria.readable is None else list(criteria.readable),
        "skills": list(criteria.skills) or None,
        "tool": criteria.tool,
        "model": criteria.model,
    }
    given = {name: value for name, value in values.items() if value is not None}
    params.update(given)
    return "".join(f" AND {_FILTERS[name]}" for name in given)


def _common(criteria: Criteria, window: int, params: dict[str, Any]) -> str:
    """SQL: do the words (and filters) match more than `window` current artifacts and at least
    a `COMMON_FRACTION`th of all documents (the planner's estimate of the table)? Counted
    through the word index up to that many: a rare word costs little, a common one a bounded
    count."""
    params.update(q=criteria.query or "", window=window)
    where = _filters(criteria, params)
    least = (
        f"greatest(CAST(:window AS bigint) + 1, (SELECT reltuples::bigint / {COMMON_FRACTION}"  # noqa: S608
        " FROM pg_class WHERE oid = 'search_documents'::regclass))"
    )
    return (
        f"((SELECT count(*) FROM (SELECT 1 FROM search_documents d"  # noqa: S608
        f" WHERE d.valid_to IS NULL{where} AND d.document @@ {WORDS} LIMIT {least}) m)"
        f" >= {least})"
    )


def _headline(column: str) -> str:
    clean = f"replace(replace({column}, chr(57344), ''), chr(57345), '')"
    return f"ts_headline('english', {clean}, {WORDS}, '{_HEADLINE_OPTIONS}')"
