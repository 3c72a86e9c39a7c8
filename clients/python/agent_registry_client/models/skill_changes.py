from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.diff_skill import DiffSkill
    from ..models.moved_skill import MovedSkill


T = TypeVar("T", bound="SkillChanges")


@_attrs_define
class SkillChanges:
    """
    Attributes:
        added (list[DiffSkill]):
        removed (list[DiffSkill]):
        changed (list[MovedSkill]): Resolved to another version.
    """

    added: list[DiffSkill]
    removed: list[DiffSkill]
    changed: list[MovedSkill]

    def to_dict(self) -> dict[str, Any]:
        added = []
        for added_item_data in self.added:
            added_item = added_item_data.to_dict()
            added.append(added_item)

        removed = []
        for removed_item_data in self.removed:
            removed_item = removed_item_data.to_dict()
            removed.append(removed_item)

        changed = []
        for changed_item_data in self.changed:
            changed_item = changed_item_data.to_dict()
            changed.append(changed_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "added": added,
                "removed": removed,
                "changed": changed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.diff_skill import DiffSkill  # noqa: PLC0415
        from ..models.moved_skill import MovedSkill  # noqa: PLC0415

        d = dict(src_dict)
        added = []
        _added = d.pop("added")
        for added_item_data in _added:
            added_item = DiffSkill.from_dict(added_item_data)

            added.append(added_item)

        removed = []
        _removed = d.pop("removed")
        for removed_item_data in _removed:
            removed_item = DiffSkill.from_dict(removed_item_data)

            removed.append(removed_item)

        changed = []
        _changed = d.pop("changed")
        for changed_item_data in _changed:
            changed_item = MovedSkill.from_dict(changed_item_data)

            changed.append(changed_item)

        skill_changes = cls(
            added=added,
            removed=removed,
            changed=changed,
        )

        return skill_changes
