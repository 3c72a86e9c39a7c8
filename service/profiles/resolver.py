"""Resolution with I/O: load candidate versions and tags, run the pure cores, build profiles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from service.bundles.service import archive_url
from service.db.models import ArtifactVersion
from service.formats import names
from service.formats.problems import Problem, error, warning
from service.formats.refs import SkillRef
from service.formats.tools import RuleKind, parse_tool_rule
from service.profiles.repository import CandidateRow, ProfileRepository
from service.resolution.document import Profile, ProfileSkill, SkillFile
from service.resolution.grants import (
    GrantError,
    Grants,
    ResolvedToolset,
    SkillTools,
    effective_grants,
)
from service.resolution.graph import (
    Candidate,
    Requirement,
    Resolution,
    ResolutionError,
    UnknownSkill,
    Unsatisfiable,
    resolve,
)
from service.resolution.profile import AgentIdentity, build_profile
from service.resolution.refs import split_name_ref
from service.semver import Version

# A profile with more distinct skills than this is refused rather than loaded.
MAX_SKILLS = 200
SKILLS_LOC = "frontmatter.skills"
TOOLS_LOC = "frontmatter.tools"

Universe = dict[str, list[Candidate]]
Tags = dict[str, dict[str, Version]]


@dataclass(frozen=True)
class Declared:
    """A requirement as stored with a version: the qualified key, its constraint, where it was written."""

    key: str
    constraint: str | None
    loc: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.key, "constraint": self.constraint, "loc": self.loc}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Declared:
        return cls(str(data["name"]), data.get("constraint"), str(data.get("loc", SKILLS_LOC)))


@dataclass(frozen=True)
class AgentSource:
    """Everything about an agent version that resolution reads, from a new file or a stored row."""

    namespace: str
    name: str
    version: str
    digest: str
    published_at: dt.datetime
    frontmatter: Mapping[str, Any]
    body: str
    requires: Sequence[Declared]
    tool_rules: Sequence[str] | None  # None: `tools` omitted, the agent inherits every tool
    disallowed_rules: Sequence[str]
    yanked: bool = False
    deprecated: str | None = None
    provenance: Mapping[str, Any] | None = None

    @classmethod
    def from_row(cls, namespace: str, name: str, row: ArtifactVersion) -> AgentSource:
        return cls(
            namespace=namespace,
            name=name,
            version=row.version,
            digest=row.digest,
            published_at=row.published_at,
            frontmatter=row.frontmatter,
            body=row.body,
            requires=[Declared.from_json(item) for item in row.requires],
            tool_rules=row.tool_rules,
            disallowed_rules=row.disallowed_rules,
            yanked=row.yanked_at is not None,
            deprecated=row.deprecation_message,
            provenance=row.provenance,
        )


@dataclass
class Resolved:
    problems: list[Problem] = field(default_factory=list)
    lock: dict[str, Any] = field(default_factory=lambda: {"skills": {}, "toolsets": {}})
    dependencies: list[tuple[int, bool]] = field(default_factory=list)
    profile: Profile | None = None


class Resolver:
    def __init__(
        self,
        repository: ProfileRepository,
        default_namespace: str,
        *,
        readable: frozenset[str] | None = None,
    ) -> None:
        """`readable`: resolve as a caller who may read only these namespaces (None: every
        one); skills and toolsets elsewhere are not loaded, so they are reported as unknown."""
        self.repository = repository
        self.default_namespace = default_namespace
        self.readable = readable

    # Names -------------------------------------------------------------------------------

    def key(self, namespace: str, name: str) -> str:
        """Lock and graph key: the bare name in the default namespace, `ns/name` elsewhere."""
        return name if namespace == self.default_namespace else f"{namespace}/{name}"

    def pair(self, key: str) -> tuple[str, str]:
        return names.split_qualified(key, self.default_namespace)

    def _visible(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """The (namespace, name) of each key the caller may read: the others load as missing."""
        pairs = map(self.pair, keys)
        return [p for p in pairs if self.readable is None or p[0] in self.readable]

    def declared(self, refs: Iterable[SkillRef]) -> tuple[list[Declared], list[Problem]]:
        """Qualify each written reference; a bare name is in the default namespace."""
        declared: list[Declared] = []
        problems: list[Problem] = []
        for ref in refs:
            try:
                declared.append(Declared(self.key(*self.pair(ref.name)), ref.constraint, ref.loc))
            except names.InvalidName as exc:
                problems.append(error(ref.loc, "invalid_reference", str(exc)))
        return declared, problems

    # Skills ------------------------------------------------------------------------------

    async def resolve_skill(
        self,
        namespace: str,
        name: str,
        version: Version,
        digest: str,
        requires: Sequence[Declared],
        pins: Mapping[str, Any] | None = None,
    ) -> Resolved:
        """Check a new skill version's requirements resolve, with no cycle through itself.
        `pins`: a lock to resolve to exactly (see `resolve_agent`)."""
        key = self.key(namespace, name)
        if not requires:
            return Resolved()
        skills_pins: Mapping[str, Mapping[str, str]] = (pins or {}).get("skills", {})
        roots = _pinned(_requirements(requires), skills_pins)
        itself = Candidate(key, version, digest, tuple(roots))
        universe, rows, tags = await self._skill_universe([key, *(r.key for r in requires)], key)
        universe[key] = [c for c in universe.get(key, []) if c.version != version] + [itself]
        _pin(universe, skills_pins)
        checks = _resolve_all(roots, universe, key, tags, requires, "frontmatter.metadata")[1]
        if checks:
            return Resolved(problems=checks)
        try:
            resolution = resolve([Requirement(key, str(version))], universe, root=key, tags=tags)
        except ResolutionError as exc:
            return Resolved(problems=[exc.problem(_loc_for(exc, requires, "frontmatter.metadata"))])
        chosen = [c for c in resolution if c.name != key]
        return Resolved(
            lock={"skills": {c.name: _locked(c.version, c.digest) for c in chosen}, "toolsets": {}},
            dependencies=[
                (rows[(c.name, str(c.version))].id, c.name in {r.key for r in requires})
                for c in chosen
            ],
        )

    async def _skill_universe(
        self, keys: Iterable[str], loading_for: str
    ) -> tuple[Universe, dict[tuple[str, str], CandidateRow], Tags]:
        """Every version of every skill reachable from `keys`, loaded breadth first."""
        universe: Universe = {}
        rows: dict[tuple[str, str], CandidateRow] = {}
        tags: Tags = {}
        pending = set(keys)
        while pending:
            if len(universe) + len(pending) > MAX_SKILLS:
                raise _TooManySkills(loading_for)
            for key in pending:
                universe[key] = []
            await self._load("skill", pending, universe, rows, tags)
            pending = {
                req.name
                for key in pending
                for candidate in universe[key]
                for req in candidate.requires
            } - universe.keys()
        return universe, rows, tags

    async def _load(
        self,
        kind: str,
        keys: Iterable[str],
        universe: Universe,
        rows: dict[tuple[str, str], CandidateRow],
        tags: Tags,
    ) -> None:
        """Each key's versions (as candidates and rows) and tags, in one statement."""
        versions, tagged = await self.repository.universe(kind, self._visible(keys))
        for namespace, name, row in versions:
            key = self.key(namespace, name)
            universe[key].append(_candidate(key, row))
            rows[(key, row.version)] = row
        for namespace, name, tag, version in tagged:
            tags.setdefault(self.key(namespace, name), {})[tag] = Version.parse(version)

    # Agents ------------------------------------------------------------------------------

    async def resolve_agent(
        self, source: AgentSource, pins: Mapping[str, Any] | None = None, *, build: bool = True
    ) -> Resolved:
        """Resolve skills, toolsets and grants and build the profile.

        `pins` (a stored lock, or the source's lock of a copied version) replaces every
        constraint on a locked skill, declared or transitive, with the locked exact version.
        `build=False`: the file has errors of its own, so there is no profile to build (its
        fields would not fit one); resolution still runs so that every problem is reported.
        """
        agent_key = self.key(source.namespace, source.name)
        result = Resolved()
        skills_pins: Mapping[str, Mapping[str, str]] = (pins or {}).get("skills", {})
        roots = _pinned(_requirements(source.requires), skills_pins)
        try:
            universe, rows, tags = await self._skill_universe([r.name for r in roots], agent_key)
        except _TooManySkills as exc:
            result.problems.append(error(SKILLS_LOC, "too_many_skills", str(exc)))
            return result
        _pin(universe, skills_pins)
        resolution, problems = _resolve_all(
            roots, universe, agent_key, tags, source.requires, SKILLS_LOC
        )
        if resolution is None:
            result.problems += problems
            return result
        direct = {r.name for r in roots}
        result.lock["skills"] = resolution.lock()
        result.dependencies = [
            (rows[(c.name, str(c.version))].id, c.name in direct) for c in resolution
        ]
        toolsets = await self._toolsets(source, agent_key, (pins or {}).get("toolsets", {}), result)
        if toolsets is None:
            return result
        grants = self._grants(source, toolsets, resolution, rows, result)
        if grants is None:
            return result
        if not build:
            return result
        result.profile = build_profile(
            AgentIdentity(
                namespace=source.namespace,
                name=source.name,
                version=source.version,
                digest=source.digest,
                published_at=source.published_at,
                yanked=source.yanked,
                deprecated=source.deprecated,
                provenance=source.provenance,
            ),
            source.frontmatter,
            source.body,
            [
                _profile_skill(
                    c.name, self.pair(c.name)[0], rows[(c.name, str(c.version))], c.required_by
                )
                for c in resolution
            ],
            grants,
            toolsets=list({t.name: t for t in toolsets.values()}.values()),
        )
        return result

    async def _toolsets(
        self,
        source: AgentSource,
        agent_key: str,
        pins: Mapping[str, Mapping[str, str]],
        result: Resolved,
    ) -> dict[str, ResolvedToolset] | None:
        """Each `toolset:` rule's reference resolved to one toolset version, keyed by rule tool."""
        references: dict[str, tuple[str, str | None]] = {}
        for text in [*(source.tool_rules or ()), *source.disallowed_rules]:
            rule = parse_tool_rule(text)
            if rule.kind is RuleKind.TOOLSET:
                written, constraint = split_name_ref(text.removeprefix("toolset:"))
                references[rule.tool] = (self.key(*self.pair(written)), constraint)
        if not references:
            return {}
        keys = {key for key, _ in references.values()}
        universe: Universe = {key: [] for key in keys}
        rows: dict[tuple[str, str], CandidateRow] = {}
        tags: Tags = {}
        await self._load("toolset", keys, universe, rows, tags)
        resolved: dict[str, ResolvedToolset] = {}
        for tool, (key, constraint) in references.items():
            pinned = pins.get(key, {}).get("version", constraint)
            try:
                chosen = resolve([Requirement(key, pinned)], universe, root=agent_key, tags=tags)
            except ResolutionError as exc:
                result.problems.append(error(TOOLS_LOC, exc.code, _toolset_message(exc, key)))
                continue
            pick = chosen.order[0]
            row = rows[(key, str(pick.version))]
            rules = tuple(parse_tool_rule(r) for r in row.tool_rules or ())
            resolved[tool] = ResolvedToolset(key, pick.version, rules, pick.digest)
            result.lock["toolsets"][key] = _locked(pick.version, pick.digest)
            result.dependencies.append((row.id, True))
        return None if len(resolved) < len(references) else resolved

    def _grants(
        self,
        source: AgentSource,
        toolsets: Mapping[str, ResolvedToolset],
        resolution: Resolution,
        rows: Mapping[tuple[str, str], CandidateRow],
        result: Resolved,
    ) -> Grants | None:
        skills = [
            SkillTools(
                c.name,
                c.version,
                tuple(parse_tool_rule(r) for r in rows[(c.name, str(c.version))].tool_rules or ()),
            )
            for c in resolution
        ]
        agent_rules = (
            None if source.tool_rules is None else [parse_tool_rule(r) for r in source.tool_rules]
        )
        try:
            grants = effective_grants(
                agent_rules, [parse_tool_rule(r) for r in source.disallowed_rules], toolsets, skills
            )
        except GrantError as exc:
            result.problems.append(error(TOOLS_LOC, "invalid_toolset", str(exc)))
            return None
        for item in grants.ungranted:
            by = ", ".join(item.sources)
            why = (
                "a disallowedTools rule denies it"
                if item.reason == "denied"
                else "no tool rule covers it"
            )
            result.problems.append(
                warning(
                    TOOLS_LOC,
                    "skill_tool_not_granted",
                    f"{by} uses {item.rule.rule!r}, which the agent does not grant: {why}",
                )
            )
        return grants


class _TooManySkills(Exception):
    def __init__(self, root: str) -> None:
        super().__init__(f"{root} reaches more than {MAX_SKILLS} distinct skills")


def _requirements(requires: Iterable[Declared]) -> list[Requirement]:
    return [Requirement(d.key, d.constraint) for d in requires]


def _pinned(
    requirements: Iterable[Requirement], pins: Mapping[str, Mapping[str, str]]
) -> list[Requirement]:
    """Each requirement on a locked skill as the locked exact version (chosen even if yanked)."""
    return [
        Requirement(r.name, pins[r.name]["version"]) if r.name in pins else r for r in requirements
    ]


def _pin(universe: Universe, pins: Mapping[str, Mapping[str, str]]) -> None:
    """Pin the requirements every candidate makes, so skills reached through others resolve to
    the lock too (their `latest` may have moved since, or been yanked)."""
    if pins:
        for key, candidates in universe.items():
            universe[key] = [
                replace(c, requires=tuple(_pinned(c.requires, pins))) for c in candidates
            ]


def _candidate(key: str, row: CandidateRow) -> Candidate:
    return Candidate(
        key,
        Version.parse(row.version),
        row.digest,
        tuple(_requirements(Declared.from_json(item) for item in row.requires)),
        yanked=row.yanked,
        deprecated=row.deprecation_message,
    )


def _resolve_all(
    roots: Sequence[Requirement],
    universe: Universe,
    root: str,
    tags: Tags,
    requires: Sequence[Declared],
    fallback_loc: str,
) -> tuple[Resolution | None, list[Problem]]:
    """Resolve together; when that fails, report every requirement that fails on its own too,
    so a file with three unknown skills hears about all three at once."""
    try:
        return resolve(roots, universe, root=root, tags=tags), []
    except ResolutionError as joint:
        problems: list[Problem] = []
        for requirement in roots:
            try:
                resolve([requirement], universe, root=root, tags=tags)
            except ResolutionError as alone:
                problem = alone.problem(_loc_for(alone, requires, fallback_loc))
                if problem not in problems:
                    problems.append(problem)
        return None, problems or [joint.problem(_loc_for(joint, requires, fallback_loc))]


def _locked(version: Version, digest: str) -> dict[str, str]:
    return {"version": str(version), "digest": digest}


def _loc_for(exc: ResolutionError, requires: Sequence[Declared], fallback: str) -> str:
    """Point a failure at the line that named the skill, when the agent or skill named it."""
    name = getattr(exc, "name", None)
    return next((d.loc for d in requires if d.key == name), fallback)


def _toolset_message(exc: ResolutionError, key: str) -> str:
    if isinstance(exc, UnknownSkill):
        return f"toolset {key!r} does not exist in this registry"
    if isinstance(exc, Unsatisfiable):
        wanted = ", ".join(c.constraint for c in exc.constraints)
        have = ", ".join(exc.available) or "none"
        return f"no version of toolset {key!r} satisfies {wanted}; available: {have}"
    return exc.message.replace("skill", "toolset")


def _profile_skill(
    key: str, namespace: str, row: CandidateRow, required_by: Sequence[str]
) -> ProfileSkill:
    name = key.rsplit("/", 1)[-1]
    return ProfileSkill(
        name=key,
        version=row.version,
        digest=row.digest,
        description=row.description,
        instructions=row.body,
        allowedTools=list(row.tool_rules or ()),
        requiredBy=list(required_by),
        files=[SkillFile.model_validate(f.as_dict()) for f in row.files],
        archive=archive_url(namespace, name, row.version),
    )
