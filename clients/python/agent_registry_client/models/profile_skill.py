from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ProfileSkill")


@_attrs_define
class ProfileSkill:
    """
    Attributes:
        name (str):
        version (str):
        digest (str):
        description (str):
        instructions (str):
        allowed_tools (list[str]):
        required_by (list[str]):
    """

    name: str
    version: str
    digest: str
    description: str
    instructions: str
    allowed_tools: list[str]
    required_by: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        version = self.version

        digest = self.digest

        description = self.description

        instructions = self.instructions

        allowed_tools = self.allowed_tools

        required_by = self.required_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "version": version,
                "digest": digest,
                "description": description,
                "instructions": instructions,
                "allowedTools": allowed_tools,
                "requiredBy": required_by,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        version = d.pop("version")

        digest = d.pop("digest")

        description = d.pop("description")

        instructions = d.pop("instructions")

        allowed_tools = cast(list[str], d.pop("allowedTools"))

        required_by = cast(list[str], d.pop("requiredBy"))

        profile_skill = cls(
            name=name,
            version=version,
            digest=digest,
            description=description,
            instructions=instructions,
            allowed_tools=allowed_tools,
            required_by=required_by,
        )

        profile_skill.additional_properties = d
        return profile_skill

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
