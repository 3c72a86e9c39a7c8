"""What each catalogue page shows, gathered through the registry's services and repositories."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from service.artifacts.compatibility import DiffService
from service.artifacts.schemas import ArtifactDetail, VersionDetail
from service.artifacts.service import ArtifactService
from service.bundles.schemas import FileManifest
from service.bundles.service import BundleService
from service.catalogue.repository import (
    CatalogueRepository,
    Counts,
    Dependent,
    Event,
    Filters,
    Hit,
)
from service.catalogue.sidebyside import Row, side_by_side
from service.cursors import decode_value, encode_cursor, texts
from service.errors import NotFound
from service.formats.kinds import Kind
from service.formats.tools import split_rules
from service.profiles.service import ProfileService

PAGE_SIZE = 25
FEED_SIZE = 8
DEPENDENTS_SHOWN = 100
DEPENDENTS_COUNTED = 1_000


@dataclass(frozen=True, slots=True)
class Home:
    counts: Counts
    published: list[Event]
    lifecycle: list[Event]


@dataclass(frozen=True, slots=True)
class Result:
    hit: Hit
    skills: list[str]
    grants: int | None  # None: the agent inherits every tool
    tools: list[str]


@dataclass(frozen=True, slots=True)
class Results:
    filters: Filters
    items: list[Result]
    next_cursor: str | None
    namespaces: list[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class SkillNode:
    skill: dict[str, Any]
    children: list[SkillNode]
    repeated: bool = False  # already shown higher up (a diamond): not expanded again


@dataclass(frozen=True, slots=True)
class AgentPage:
    artifact: ArtifactDetail
    detail: VersionDetail
    profile: dict[str, Any]
    skill_tree: list[SkillNode]
    tags_by_version: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class ArtifactPage:
    """A skill or toolset at one version, with the versions and artifacts that use it."""

    artifact: ArtifactDetail
    detail: VersionDetail
    tools: list[str]
    requires: dict[str, dict[str, Any]]
    dependents: list[Dependent]
    dependent_count: int  # counted up to DEPENDENTS_COUNTED
    files: FileManifest | None  # a skill's folder; None for a toolset
    tags_by_version: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DiffPage:
    """The diff API's document (`GET /v1/{kind}/{name}/diff/{from}...{to}`), laid out."""

    artifact: ArtifactDetail
    diff: dict[str, Any]
    instructions: list[Row]
    api_url: str

    @property
    def unchanged(self) -> bool:
        grants, skills = self.diff["grants"], self.diff["skills"]
        return not (
            self.diff["fields"]
            or self.instructions
            or grants["added"]
            or grants["removed"]
            or grants["mode"]["from"] != grants["mode"]["to"]
            or any(skills.values())
        )


class CatalogueService:
    def __init__(
        self,
        repository: CatalogueRepository,
        artifacts: ArtifactService,
        profiles: ProfileService,
        bundles: BundleService,
    ) -> None:
        self.repository = repository
        self.artifacts = artifacts
        self.profiles = profiles
        self.bundles = bundles

    async def home(self) -> Home:
        return Home(
            counts=await self.repository.counts(),
            published=await self.repository.recently_published(FEED_SIZE),
            lifecycle=await self.repository.recent_lifecycle(FEED_SIZE),
        )

    async def search(self, filters: Filters, cursor: str | None) -> Results:
        after = _decode_cursor(cursor) if cursor else None
        wanted = filters
        if filters.skill and "/" not in filters.skill:
            wanted = replace(filters, skill=f"{self.artifacts.default_namespace}/{filters.skill}")
        hits = await self.repository.search(wanted, PAGE_SIZE + 1, after)
        page = hits[:PAGE_SIZE]
        last = page[-1] if page else None
        next_cursor = (
            _encode_cursor((last.kind, last.namespace, last.name))
            if len(hits) > PAGE_SIZE and last is not None
            else None
        )
        return Results(
            filters=filters,
            items=[_result(hit, self.artifacts.default_namespace) for hit in page],
            next_cursor=next_cursor,
            namespaces=await self.repository.namespaces(),
        )

    async def agent(self, namespace: str, name: str, version: str | None) -> AgentPage:
        qualified = f"{namespace}/{name}"
        artifact = await self.artifacts.get_artifact("agent", qualified)
        chosen = version or _default_version(artifact)
        detail = await self.artifacts.get_version("agent", qualified, chosen)
        served = await self.profiles.get(f"{qualified}@{chosen}", "json")
        profile: dict[str, Any] = json.loads(served.body)
        return AgentPage(
            artifact=artifact,
            detail=detail,
            profile=profile,
            skill_tree=skill_tree(profile),
            tags_by_version=_tags_by_version(artifact),
        )

    async def agent_markdown(self, namespace: str, name: str, version: str) -> bytes:
        """The flattened `.claude/agents` file: the same stored bytes the profile API serves."""
        served = await self.profiles.get(f"{namespace}/{name}@{version}", "markdown")
        return served.body

    async def artifact(
        self, kind: Kind, namespace: str, name: str, version: str | None
    ) -> ArtifactPage:
        qualified = f"{namespace}/{name}"
        artifact = await self.artifacts.get_artifact(kind, qualified)
        chosen = version or _default_version(artifact)
        detail = await self.artifacts.get_version(kind, qualified, chosen)
        dependents, dependent_count = await self.repository.dependents(
            kind, artifact.namespace, artifact.name, DEPENDENTS_SHOWN, DEPENDENTS_COUNTED
        )
        return ArtifactPage(
            artifact=artifact,
            detail=detail,
            tools=_declared_tools(kind, detail.frontmatter),
            requires=dict(detail.lock.get("skills", {})),
            dependents=dependents,
            dependent_count=dependent_count,
            files=await self.bundles.manifest(qualified, chosen) if kind == "skill" else None,
            tags_by_version=_tags_by_version(artifact),
        )

    async def diff(self, kind: Kind, namespace: str, name: str, old: str, new: str) -> DiffPage:
        qualified = f"{namespace}/{name}"
        artifact = await self.artifacts.get_artifact(kind, qualified)
        document = await DiffService(self.artifacts).diff(kind, qualified, old, new)
        return DiffPage(
            artifact=artifact,
            diff=document,
            instructions=side_by_side(document["instructions"]),
            api_url=f"/v1/{kind}s/{qualified}/diff/{old}...{new}",
        )


def skill_tree(profile: dict[str, Any]) -> list[SkillNode]:
    """The resolved skills as the tree of who requires whom, rooted at the agent."""
    by_name = {skill["name"]: skill for skill in profile.get("skills", [])}
    shown: set[str] = set()

    def children(of: str) -> list[SkillNode]:
        nodes = []
        for skill in by_name.values():
            if of not in skill.get("requiredBy", []):
                continue
            if skill["name"] in shown:
                nodes.append(SkillNode(skill, [], repeated=True))
                continue
            shown.add(skill["name"])
            nodes.append(SkillNode(skill, children(skill["name"])))
        return nodes

    return children(profile["name"])


def _result(hit: Hit, default_namespace: str) -> Result:
    prefix = default_namespace + "/"
    skills = sorted(name.removeprefix(prefix) for name in hit.skills)
    grants = None if hit.grants is None else len(hit.grants)
    return Result(hit=hit, skills=skills, grants=grants, tools=list(hit.grants or []))


def _default_version(artifact: ArtifactDetail) -> str:
    """`latest`, else the newest version (an artifact with only prereleases or yanks)."""
    if artifact.latest:
        return artifact.latest
    if not artifact.versions:
        raise NotFound(f"{artifact.kind} {artifact.namespace}/{artifact.name} has no versions")
    return artifact.versions[0].version


def _tags_by_version(artifact: ArtifactDetail) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for tag, version in sorted(artifact.tags.items()):
        tags.setdefault(version, []).append(tag)
    return tags


def _declared_tools(kind: Kind, frontmatter: dict[str, Any]) -> list[str]:
    value = frontmatter.get("tools" if kind == "toolset" else "allowed-tools")
    if isinstance(value, str):
        return split_rules(value, spaces=kind == "skill")
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _encode_cursor(key: tuple[str, str, str]) -> str:
    return encode_cursor(list(key))


def _decode_cursor(cursor: str) -> tuple[str, str, str]:
    issued = "cursor is not one this catalogue issued"
    kind, namespace, name = texts(decode_value(cursor, issued), 3, issued)
    return kind, namespace, name
