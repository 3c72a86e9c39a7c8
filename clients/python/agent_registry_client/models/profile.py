from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_definition import AgentDefinition
    from ..models.profile_frontmatter import ProfileFrontmatter
    from ..models.profile_lock import ProfileLock
    from ..models.profile_skill import ProfileSkill
    from ..models.profile_tools import ProfileTools
    from ..models.provenance import Provenance


T = TypeVar("T", bound="Profile")


@_attrs_define
class Profile:
    """A resolved agent: identity, normalised fields, skills, effective tools, lock.

    Attributes:
        namespace (str):
        name (str):
        version (str):
        digest (str):
        description (str):
        model (None | str):
        max_turns (int | None):
        instructions (str):
        frontmatter (ProfileFrontmatter):
        skills (list[ProfileSkill]):
        tools (ProfileTools):
        lock (ProfileLock):
        agent_definition (AgentDefinition): Exactly the Claude Agent SDK's `AgentDefinition` fields; absent ones are
            omitted.
        yanked (bool):
        deprecated (None | str):
        published_at (str):
        provenance (None | Provenance | Unset): How this version was published: the token's name, or the CI run behind
            an OIDC trusted publish (issuer, repository, workflow, ref, commit). Absent for versions published before
            provenance was recorded.
    """

    namespace: str
    name: str
    version: str
    digest: str
    description: str
    model: None | str
    max_turns: int | None
    instructions: str
    frontmatter: ProfileFrontmatter
    skills: list[ProfileSkill]
    tools: ProfileTools
    lock: ProfileLock
    agent_definition: AgentDefinition
    yanked: bool
    deprecated: None | str
    published_at: str
    provenance: None | Provenance | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.provenance import Provenance  # noqa: PLC0415

        namespace = self.namespace

        name = self.name

        version = self.version

        digest = self.digest

        description = self.description

        model: None | str
        model = self.model

        max_turns: int | None
        max_turns = self.max_turns

        instructions = self.instructions

        frontmatter = self.frontmatter.to_dict()

        skills = []
        for skills_item_data in self.skills:
            skills_item = skills_item_data.to_dict()
            skills.append(skills_item)

        tools = self.tools.to_dict()

        lock = self.lock.to_dict()

        agent_definition = self.agent_definition.to_dict()

        yanked = self.yanked

        deprecated: None | str
        deprecated = self.deprecated

        published_at = self.published_at

        provenance: dict[str, Any] | None | Unset
        if isinstance(self.provenance, Unset):
            provenance = UNSET
        elif isinstance(self.provenance, Provenance):
            provenance = self.provenance.to_dict()
        else:
            provenance = self.provenance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "namespace": namespace,
                "name": name,
                "version": version,
                "digest": digest,
                "description": description,
                "model": model,
                "maxTurns": max_turns,
                "instructions": instructions,
                "frontmatter": frontmatter,
                "skills": skills,
                "tools": tools,
                "lock": lock,
                "agentDefinition": agent_definition,
                "yanked": yanked,
                "deprecated": deprecated,
                "publishedAt": published_at,
            }
        )
        if provenance is not UNSET:
            field_dict["provenance"] = provenance

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_definition import AgentDefinition  # noqa: PLC0415
        from ..models.profile_frontmatter import ProfileFrontmatter  # noqa: PLC0415
        from ..models.profile_lock import ProfileLock  # noqa: PLC0415
        from ..models.profile_skill import ProfileSkill  # noqa: PLC0415
        from ..models.profile_tools import ProfileTools  # noqa: PLC0415
        from ..models.provenance import Provenance  # noqa: PLC0415

        d = dict(src_dict)
        namespace = d.pop("namespace")

        name = d.pop("name")

        version = d.pop("version")

        digest = d.pop("digest")

        description = d.pop("description")

        def _parse_model(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model = _parse_model(d.pop("model"))

        def _parse_max_turns(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_turns = _parse_max_turns(d.pop("maxTurns"))

        instructions = d.pop("instructions")

        frontmatter = ProfileFrontmatter.from_dict(d.pop("frontmatter"))

        skills = []
        _skills = d.pop("skills")
        for skills_item_data in _skills:
            skills_item = ProfileSkill.from_dict(skills_item_data)

            skills.append(skills_item)

        tools = ProfileTools.from_dict(d.pop("tools"))

        lock = ProfileLock.from_dict(d.pop("lock"))

        agent_definition = AgentDefinition.from_dict(d.pop("agentDefinition"))

        yanked = d.pop("yanked")

        def _parse_deprecated(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        deprecated = _parse_deprecated(d.pop("deprecated"))

        published_at = d.pop("publishedAt")

        def _parse_provenance(data: object) -> None | Provenance | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provenance_type_0 = Provenance.from_dict(data)

                return provenance_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Provenance | Unset, data)

        provenance = _parse_provenance(d.pop("provenance", UNSET))

        profile = cls(
            namespace=namespace,
            name=name,
            version=version,
            digest=digest,
            description=description,
            model=model,
            max_turns=max_turns,
            instructions=instructions,
            frontmatter=frontmatter,
            skills=skills,
            tools=tools,
            lock=lock,
            agent_definition=agent_definition,
            yanked=yanked,
            deprecated=deprecated,
            published_at=published_at,
            provenance=provenance,
        )

        profile.additional_properties = d
        return profile

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
