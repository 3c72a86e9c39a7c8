"""All SQL the catalogue needs beyond the artifact and profile repositories: counts, feeds, facets."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Select,
    Text,
    and_,
    case,
    func,
    literal,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from service.artifacts.repository import _escape_like
from service.db.models import Artifact, ArtifactVersion, SearchDocument, VersionDependency
from service.search.repository import CUSTOM_PLANS

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class Counts:
    agents: int
    skills: int
    toolsets: int
    versions: int
    namespaces: int


@dataclass(frozen=True, slots=True)
class Event:
    """A version published, yanked or deprecated, for the home page's feeds."""

    kind: str
    namespace: str
    name: str
    version: str
    at: datetime
    what: str  # published, yanked, deprecated
    note: str | None


@dataclass(frozen=True, slots=True)
class Filters:
    query: str | None = None
    kind: str | None = None
    namespace: str | None = None
    tool: str | None = None
    skill: str | None = None


@dataclass(frozen=True, slots=True)
class Dependent:
    kind: str
    namespace: str
    name: str
    version: str
    uses: str
    direct: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the artifact and what its latest version says about itself (from its
    search document: no stored profile is read to list it)."""

    kind: str
    namespace: str
    name: str
    version_count: int
    latest: str | None
    description: str | None
    model: str | None
    skills: list[str]  # qualified names of every skill it uses
    grants: list[str] | None  # effective grant rules (declared rules for a skill); None: all


# Below this many matches a filtered search gathers them all and sorts; above, it walks the
# artifacts in order (at 20,000 artifacts: at most ~2,600 probes to fill a page of 26).
FEW_MATCHES = 200


class CatalogueRepository:
    def __init__(self, session: AsyncSession, readable: Collection[str] | None = None) -> None:
        """`readable`: the namespaces the reader may see (None: every one); every query here
        keeps to them, so a page never shows, links or counts what the reader cannot read."""
        self.session = session
        self.readable = None if readable is None else sorted(readable)

    def _visible(self, statement: S) -> S:
        """`statement` (which selects from `Artifact`) kept to the readable namespaces."""
        if self.readable is None:
            return statement
        return statement.where(Artifact.namespace.in_(self.readable))

    async def counts(self) -> Counts:
        by_kind = dict(
            (
                await self.session.execute(
                    self._visible(select(Artifact.kind, func.count()).group_by(Artifact.kind))
                )
            ).all()
        )
        all_versions = select(func.count()).select_from(ArtifactVersion)
        versions = await self.session.scalar(
            # Joined to the artifacts only to drop what the reader may not see: counting 100k
            # versions through the join took ~30 ms of the home page, alone a few.
            all_versions if self.readable is None else self._visible(all_versions.join(Artifact))
        )
        namespaces = await self.session.scalar(
            self._visible(select(func.count(func.distinct(Artifact.namespace))))
        )
        return Counts(
            agents=by_kind.get("agent", 0),
            skills=by_kind.get("skill", 0),
            toolsets=by_kind.get("toolset", 0),
            versions=versions or 0,
            namespaces=namespaces or 0,
        )

    async def namespaces(self) -> list[tuple[str, int]]:
        statement = self._visible(
            select(Artifact.namespace, func.count())
            .group_by(Artifact.namespace)
            .order_by(Artifact.namespace)
        )
        return [(namespace, count) for namespace, count in await self.session.execute(statement)]

    async def recently_published(self, limit: int) -> list[Event]:
        statement = self._visible(
            select(
                Artifact.kind,
                Artifact.namespace,
                Artifact.name,
                ArtifactVersion.version,
                ArtifactVersion.published_at,
            )
            .join(Artifact)
            .order_by(ArtifactVersion.published_at.desc(), ArtifactVersion.id.desc())
            .limit(limit)
        )
        rows = await self.session.execute(statement)
        return [Event(k, ns, n, v, at, "published", None) for k, ns, n, v, at in rows]

    async def recent_lifecycle(self, limit: int) -> list[Event]:
        """Versions most recently yanked or deprecated (a version both yanked and deprecated
        appears once for each)."""

        def changed(at: Any, note: Any, what: str) -> Any:
            return self._visible(
                select(
                    Artifact.kind,
                    Artifact.namespace,
                    Artifact.name,
                    ArtifactVersion.version,
                    at.label("at"),
                    literal(what).label("what"),
                    note.label("note"),
                )
                .join(Artifact)
                .where(at.is_not(None))
                .order_by(at.desc())
                .limit(limit)
            )

        both = union_all(
            changed(ArtifactVersion.yanked_at, ArtifactVersion.yank_reason, "yanked"),
            changed(
                ArtifactVersion.deprecated_at, ArtifactVersion.deprecation_message, "deprecated"
            ),
        ).subquery()
        statement = select(both).order_by(both.c.at.desc()).limit(limit)
        rows = await self.session.execute(statement)
        return [Event(*row) for row in rows]

    async def search(
        self, filters: Filters, limit: int, after: tuple[str, str, str] | None
    ) -> list[Hit]:
        """Artifacts matching every filter, by (kind, namespace, name): agents first. Each comes
        with its current search document: its highest non-yanked version, releases before
        prereleases (an artifact whose versions are all yanked has none: it is listed without
        one, and found by no filter on content)."""
        document = SearchDocument
        current = document.valid_to.is_(None)
        content: list[ColumnElement[bool]] = []
        if filters.query:
            # `namespace/name description`, lower-cased: the trigram index where pg_trgm exists.
            pattern = "%" + _escape_like(filters.query.lower()) + "%"
            content.append(func.lower(document.summary).like(pattern, escape="\\"))
        if filters.tool:
            content.append(document.tools.contains([filters.tool]))
        if filters.skill:
            content.append(document.skills.contains([filters.skill]))
        key = tuple_(Artifact.kind, Artifact.namespace, Artifact.name)
        scope: list[ColumnElement[bool]] = [key > tuple_(*after)] if after is not None else []
        if filters.kind:
            scope.append(Artifact.kind == filters.kind)
        if filters.namespace:
            scope.append(Artifact.namespace == filters.namespace)
        if self.readable is not None:
            # Before the page's LIMIT, so a page of what this reader may see is full.
            scope.append(Artifact.namespace.in_(self.readable))
        chosen = select(Artifact.id.label("artifact_id"), document.id.label("document_id"))
        if not content:
            # Every artifact in the order of its unique index: a page stops reading when full.
            chosen = chosen.select_from(Artifact).outerjoin(
                document, and_(document.artifact_id == Artifact.id, current)
            )
        elif (few := await self._few_matches(content, scope, FEW_MATCHES)) is None:
            # A common word or tool: walk the artifacts in index order and test each one's
            # document (OFFSET 0 keeps the lateral from being flattened into a join that would
            # first gather every match), so the page fills after a few probes.
            matching = (
                select(document.id)
                .where(document.artifact_id == Artifact.id, current, *content)
                .offset(0)
                .lateral("matching")
            )
            chosen = select(Artifact.id.label("artifact_id"), matching.c.id.label("document_id"))
            chosen = chosen.select_from(Artifact).join(matching, true())
        else:
            # Few matches (or none), already gathered through the documents' indexes: sort them.
            chosen = chosen.select_from(document).join(
                Artifact, Artifact.id == document.artifact_id
            )
            scope = [document.id.in_(few)]
        page = chosen.where(*scope).order_by(*key.clauses).limit(limit).subquery("page")
        counted = aliased(ArtifactVersion)
        count = (
            select(func.count(counted.id))
            .where(counted.artifact_id == Artifact.id)
            .correlate(Artifact)
            .scalar_subquery()
        )
        statement = (
            select(
                Artifact.kind,
                Artifact.namespace,
                Artifact.name,
                count,
                document.version,
                ArtifactVersion.description,
                document.model,
                func.coalesce(document.skills, literal([], ARRAY(Text))),
                case((document.id.is_(None), literal([], ARRAY(Text))), else_=document.grants),
            )
            .select_from(page)
            .join(Artifact, Artifact.id == page.c.artifact_id)
            .outerjoin(document, document.id == page.c.document_id)
            .outerjoin(ArtifactVersion, ArtifactVersion.id == document.version_id)
            .order_by(*key.clauses)
        )
        rows = await self.session.execute(statement)
        return [Hit(*row) for row in rows]

    async def _few_matches(
        self, content: list[ColumnElement[bool]], scope: list[ColumnElement[bool]], few: int
    ) -> list[int] | None:
        """The current documents passing these filters, read through their indexes, if there
        are fewer than `few`; None when there are more."""
        document = SearchDocument
        # Planned for these values, here and in the page's query (see search.repository).
        await self.session.execute(select(text(CUSTOM_PLANS)))
        statement = (
            select(document.id)
            .join(Artifact, Artifact.id == document.artifact_id)
            .where(document.valid_to.is_(None), *content, *scope)
            .limit(few)
        )
        found = list((await self.session.scalars(statement)).all())
        return found if len(found) < few else None

    async def dependents(
        self, kind: str, namespace: str, name: str, limit: int, count_up_to: int
    ) -> tuple[list[Dependent], int]:
        """The `limit` most recently published versions that use any version of this artifact,
        and how many there are, counted up to `count_up_to` (a popular skill has tens of
        thousands: the page shows the newest and says "1000+" rather than count them all)."""
        target = aliased(ArtifactVersion)
        targets = (
            select(target.id)
            .join(Artifact, Artifact.id == target.artifact_id)
            .where(Artifact.kind == kind, Artifact.namespace == namespace, Artifact.name == name)
            .subquery("targets")
        )
        edges = select(VersionDependency).where(VersionDependency.target_version_id == targets.c.id)
        if self.readable is not None:
            users = self._visible(select(ArtifactVersion.id).join(Artifact))
            edges = edges.where(VersionDependency.version_id.in_(users))
        total = await self.session.scalar(
            select(func.count()).select_from(edges.limit(count_up_to).subquery())
        )
        # The newest `limit` edges of each target version (an index range each), then of all.
        newest = edges.order_by(VersionDependency.version_id.desc()).limit(limit).lateral()
        recent = (
            select(newest)
            .select_from(targets)
            .join(newest, true())
            .order_by(newest.c.version_id.desc())
            .limit(limit)
            .subquery("recent")
        )
        statement = (
            select(
                Artifact.kind,
                Artifact.namespace,
                Artifact.name,
                ArtifactVersion.version,
                target.version,
                recent.c.direct,
            )
            .select_from(recent)
            .join(ArtifactVersion, ArtifactVersion.id == recent.c.version_id)
            .join(Artifact, Artifact.id == ArtifactVersion.artifact_id)
            .join(target, target.id == recent.c.target_version_id)
            .order_by(recent.c.version_id.desc())
        )
        rows = await self.session.execute(statement)
        return [Dependent(*row) for row in rows], total or 0
