from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.mode_change_from import ModeChangeFrom
from ..models.mode_change_to import ModeChangeTo

T = TypeVar("T", bound="ModeChange")


@_attrs_define
class ModeChange:
    """
    Attributes:
        from_ (ModeChangeFrom):
        to (ModeChangeTo):
    """

    from_: ModeChangeFrom
    to: ModeChangeTo

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.value

        to = self.to.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = ModeChangeFrom(d.pop("from"))

        to = ModeChangeTo(d.pop("to"))

        mode_change = cls(
            from_=from_,
            to=to,
        )

        return mode_change
