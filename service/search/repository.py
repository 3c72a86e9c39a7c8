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

    async def position(self, at: int | None) -> tuple[int, bool]:
        """The feed position to search at (`at`, else the settled one: every change up to it
        committed), and whether a document current then has been replaced since (an index
        probe): only then does the search need to look at closed documents. One round trip,
        which also has this transaction plan each statement for its own values (`CUSTOM_PLANS`).
        """
        row = (
            await self.session.execute(
                text(
                    f"SELECT p.at, EXISTS (SELECT 1 FROM search_documents WHERE valid_to > p.at),"  # noqa: S608 (a constant)
                    f" {CUSTOM_PLANS}"
                    " FROM (SELECT coalesce(CAST(:at AS bigint), registry_settled_seq()) AS at) p"
                ),
                {"at": at},
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
        closed: bool = True,
    ) -> list[Hit]:
        params: dict[str, Any] = {"at": at, "limit": limit, "q": criteria.query or ""}
        filters = []
        if criteria.kinds:
            filters.append("d.kind = ANY(:kinds)")
            params["kinds"] = list(criteria.kinds)
        if criteria.namespace is not None:
            filters.append("d.namespace = :namespace")
            params["namespace"] = criteria.namespace
        if criteria.readable is not None:
            filters.append("d.namespace = ANY(CAST(:readable AS text[]))")
            params["readable"] = list(criteria.readable)
        if criteria.skills:
            filters.append("d.skills && CAST(:skills AS text[])")
            params["skills"] = list(criteria.skills)
        if criteria.tool is not None:
            filters.append("d.tools @> ARRAY[CAST(:tool AS text)]")
            params["tool"] = criteria.tool
        if criteria.model is not None:
            filters.append("d.model = :model")
            params["model"] = criteria.model
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
            matches = [(f" AND d.document @@ {WORDS}", f"ts_rank(d.title, {WORDS})")]
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
        where = "".join(f" AND {f}" for f in filters)
        order, keyset = _ORDER[criteria.sort]
        if after is not None:
            params.update({f"k{i}": value for i, value in enumerate(after)})
            if criteria.sort == "published":
                params["k0"] = datetime.fromisoformat(str(after[0]))
        keys = "d.id, d.artifact_id, d.kind, d.namespace, d.name, d.published_at"
        # One snapshot at feed position :at: the documents current then, whether or not a
        # publish has replaced them since (those few are found through `valid_to`, and only
        # looked for when there are any).
        validity = ["d.valid_to IS NULL"] + (["d.valid_to > :at"] if closed else [])
        found = [
            " UNION ALL ".join(
                f"SELECT {keys}, {score} AS score FROM search_documents d"  # noqa: S608
                f" WHERE {valid} AND d.valid_from <= :at{where}{match}"
                for valid in validity
            )
            for match, score in matches
        ]
        snapshot = found[0]
        if len(found) > 1:
            # A document matched both ways is one result, scored by both: the few similar names
            # are joined to the word matches by hash (sorting every word match cost more).
            columns = ", ".join(
                f"coalesce(w.{c}, s.{c}) AS {c}"
                for c in ("id", "artifact_id", "kind", "namespace", "name", "published_at")
            )
            snapshot = (
                f"SELECT {columns}, coalesce(w.score, 0) + coalesce(s.score, 0) AS score"  # noqa: S608
                f" FROM ({found[0]}) w FULL JOIN ({found[1]}) s ON s.id = w.id"
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
                   page.published_at, page.score, v.description,
                   v.deprecation_message AS deprecated,
                   {described} AS description_highlight,
                   {instructed} AS instructions_highlight
            FROM page JOIN search_documents d ON d.id = page.id
            JOIN artifact_versions v ON v.id = d.version_id
            ORDER BY {order}
        """  # noqa: S608
        rows = await self.session.execute(text(statement), params)
        return [Hit(**row._mapping) for row in rows]


def _headline(column: str) -> str:
    clean = f"replace(replace({column}, chr(57344), ''), chr(57345), '')"
    return f"ts_headline('english', {clean}, {WORDS}, '{_HEADLINE_OPTIONS}')"
