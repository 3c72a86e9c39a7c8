from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.publish_toolset_version_body_metadata import PublishToolsetVersionBodyMetadata


T = TypeVar("T", bound="PublishToolsetVersionBody")


@_attrs_define
class PublishToolsetVersionBody:
    """
    Attributes:
        name (str):
        description (str):
        tools (list[str]):
        version (str | Unset):
        metadata (PublishToolsetVersionBodyMetadata | Unset):
    """

    name: str
    description: str
    tools: list[str]
    version: str | Unset = UNSET
    metadata: PublishToolsetVersionBodyMetadata | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        tools = self.tools

        version = self.version

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "description": description,
                "tools": tools,
            }
        )
        if version is not UNSET:
            field_dict["version"] = version
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.publish_toolset_version_body_metadata import PublishToolsetVersionBodyMetadata  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description")

        tools = cast(list[str], d.pop("tools"))

        version = d.pop("version", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: PublishToolsetVersionBodyMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = PublishToolsetVersionBodyMetadata.from_dict(_metadata)

        publish_toolset_version_body = cls(
            name=name,
            description=description,
            tools=tools,
            version=version,
            metadata=metadata,
        )

        publish_toolset_version_body.additional_properties = d
        return publish_toolset_version_body

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
