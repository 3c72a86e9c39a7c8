from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.trust_policy_info import TrustPolicyInfo


T = TypeVar("T", bound="TrustPolicyList")


@_attrs_define
class TrustPolicyList:
    """
    Attributes:
        items (list[TrustPolicyInfo]):
    """

    items: list[TrustPolicyInfo]

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trust_policy_info import TrustPolicyInfo  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = TrustPolicyInfo.from_dict(items_item_data)

            items.append(items_item)

        trust_policy_list = cls(
            items=items,
        )

        return trust_policy_list
