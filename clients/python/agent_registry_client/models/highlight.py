from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.highlight_field import HighlightField

T = TypeVar("T", bound="Highlight")


@_attrs_define
class Highlight:
    """
    Attributes:
        field (HighlightField):
        text (str): A fragment of the field around the matched words.
        matches (list[list[int]]): [start, end) character offsets of each matched word in `text`.
    """

    field: HighlightField
    text: str
    matches: list[list[int]]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field = self.field.value

        text = self.text

        matches = []
        for matches_item_data in self.matches:
            matches_item = []
            for matches_item_item_data in matches_item_data:
                matches_item_item: int
                matches_item_item = matches_item_item_data
                matches_item.append(matches_item_item)

            matches.append(matches_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "field": field,
                "text": text,
                "matches": matches,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        field = HighlightField(d.pop("field"))

        text = d.pop("text")

        matches = []
        _matches = d.pop("matches")
        for matches_item_data in _matches:
            matches_item = []
            _matches_item = matches_item_data
            for matches_item_item_data in _matches_item:

                def _parse_matches_item_item(data: object) -> int:
                    return cast(int, data)

                matches_item_item = _parse_matches_item_item(matches_item_item_data)

                matches_item.append(matches_item_item)

            matches.append(matches_item)

        highlight = cls(
            field=field,
            text=text,
            matches=matches,
        )

        highlight.additional_properties = d
        return highlight

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
