from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.field_change_change import FieldChangeChange

T = TypeVar("T", bound="FieldChange")


@_attrs_define
class FieldChange:
    """
    Attributes:
        field (str): Top-level frontmatter key.
        change (FieldChangeChange):
        from_ (Any): The value in `from` (null when added).
        to (Any): The value in `to` (null when removed).
    """

    field: str
    change: FieldChangeChange
    from_: Any
    to: Any

    def to_dict(self) -> dict[str, Any]:
        field = self.field

        change = self.change.value

        from_ = self.from_

        to = self.to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "field": field,
                "change": change,
                "from": from_,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        field = d.pop("field")

        change = FieldChangeChange(d.pop("change"))

        from_ = d.pop("from")

        to = d.pop("to")

        field_change = cls(
            field=field,
            change=change,
            from_=from_,
            to=to,
        )

        return field_change
