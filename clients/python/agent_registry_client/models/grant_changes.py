from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.diff_grant import DiffGrant
    from ..models.mode_change import ModeChange


T = TypeVar("T", bound="GrantChanges")


@_attrs_define
class GrantChanges:
    """
    Attributes:
        mode (ModeChange):
        added (list[DiffGrant]):
        removed (list[DiffGrant]):
    """

    mode: ModeChange
    added: list[DiffGrant]
    removed: list[DiffGrant]

    def to_dict(self) -> dict[str, Any]:
        mode = self.mode.to_dict()

        added = []
        for added_item_data in self.added:
            added_item = added_item_data.to_dict()
            added.append(added_item)

        removed = []
        for removed_item_data in self.removed:
            removed_item = removed_item_data.to_dict()
            removed.append(removed_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mode": mode,
                "added": added,
                "removed": removed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.diff_grant import DiffGrant  # noqa: PLC0415
        from ..models.mode_change import ModeChange  # noqa: PLC0415

        d = dict(src_dict)
        mode = ModeChange.from_dict(d.pop("mode"))

        added = []
        _added = d.pop("added")
        for added_item_data in _added:
            added_item = DiffGrant.from_dict(added_item_data)

            added.append(added_item)

        removed = []
        _removed = d.pop("removed")
        for removed_item_data in _removed:
            removed_item = DiffGrant.from_dict(removed_item_data)

            removed.append(removed_item)

        grant_changes = cls(
            mode=mode,
            added=added,
            removed=removed,
        )

        return grant_changes
