from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="BatchRequest")


@_attrs_define
class BatchRequest:
    """
    Attributes:
        refs (list[str]):
    """

    refs: list[str]

    def to_dict(self) -> dict[str, Any]:
        refs = self.refs

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "refs": refs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        refs = cast(list[str], d.pop("refs"))

        batch_request = cls(
            refs=refs,
        )

        return batch_request
