from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.profile_tools_mode import ProfileToolsMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.profile_tools_denied_item import ProfileToolsDeniedItem
    from ..models.profile_tools_ignored_item import ProfileToolsIgnoredItem
    from ..models.profile_tools_ungranted_item import ProfileToolsUngrantedItem
    from ..models.tool_grant import ToolGrant


T = TypeVar("T", bound="ProfileTools")


@_attrs_define
class ProfileTools:
    """
    Attributes:
        mode (ProfileToolsMode):
        grants (list[ToolGrant]):
        denied (list[ProfileToolsDeniedItem]):
        ungranted (list[ProfileToolsUngrantedItem]):
        ignored (list[ProfileToolsIgnoredItem] | Unset): Entries that name no known tool: Claude Code skips them, so
            they grant nothing.
    """

    mode: ProfileToolsMode
    grants: list[ToolGrant]
    denied: list[ProfileToolsDeniedItem]
    ungranted: list[ProfileToolsUngrantedItem]
    ignored: list[ProfileToolsIgnoredItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mode = self.mode.value

        grants = []
        for grants_item_data in self.grants:
            grants_item = grants_item_data.to_dict()
            grants.append(grants_item)

        denied = []
        for denied_item_data in self.denied:
            denied_item = denied_item_data.to_dict()
            denied.append(denied_item)

        ungranted = []
        for ungranted_item_data in self.ungranted:
            ungranted_item = ungranted_item_data.to_dict()
            ungranted.append(ungranted_item)

        ignored: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.ignored, Unset):
            ignored = []
            for ignored_item_data in self.ignored:
                ignored_item = ignored_item_data.to_dict()
                ignored.append(ignored_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mode": mode,
                "grants": grants,
                "denied": denied,
                "ungranted": ungranted,
            }
        )
        if ignored is not UNSET:
            field_dict["ignored"] = ignored

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile_tools_denied_item import ProfileToolsDeniedItem  # noqa: PLC0415
        from ..models.profile_tools_ignored_item import ProfileToolsIgnoredItem  # noqa: PLC0415
        from ..models.profile_tools_ungranted_item import ProfileToolsUngrantedItem  # noqa: PLC0415
        from ..models.tool_grant import ToolGrant  # noqa: PLC0415

        d = dict(src_dict)
        mode = ProfileToolsMode(d.pop("mode"))

        grants = []
        _grants = d.pop("grants")
        for grants_item_data in _grants:
            grants_item = ToolGrant.from_dict(grants_item_data)

            grants.append(grants_item)

        denied = []
        _denied = d.pop("denied")
        for denied_item_data in _denied:
            denied_item = ProfileToolsDeniedItem.from_dict(denied_item_data)

            denied.append(denied_item)

        ungranted = []
        _ungranted = d.pop("ungranted")
        for ungranted_item_data in _ungranted:
            ungranted_item = ProfileToolsUngrantedItem.from_dict(ungranted_item_data)

            ungranted.append(ungranted_item)

        _ignored = d.pop("ignored", UNSET)
        ignored: list[ProfileToolsIgnoredItem] | Unset = UNSET
        if _ignored is not UNSET:
            ignored = []
            for ignored_item_data in _ignored:
                ignored_item = ProfileToolsIgnoredItem.from_dict(ignored_item_data)

                ignored.append(ignored_item)

        profile_tools = cls(
            mode=mode,
            grants=grants,
            denied=denied,
            ungranted=ungranted,
            ignored=ignored,
        )

        profile_tools.additional_properties = d
        return profile_tools

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
