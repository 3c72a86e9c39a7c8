from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ToolGrant")


@_attrs_define
class ToolGrant:
    """
    Attributes:
        rule (str):
        tool (str):
        specifier (None | str):
        sources (list[str]):
    """

    rule: str
    tool: str
    specifier: None | str
    sources: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule

        tool = self.tool

        specifier: None | str
        specifier = self.specifier

        sources = self.sources

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule": rule,
                "tool": tool,
                "specifier": specifier,
                "sources": sources,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        rule = d.pop("rule")

        tool = d.pop("tool")

        def _parse_specifier(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        specifier = _parse_specifier(d.pop("specifier"))

        sources = cast(list[str], d.pop("sources"))

        tool_grant = cls(
            rule=rule,
            tool=tool,
            specifier=specifier,
            sources=sources,
        )

        tool_grant.additional_properties = d
        return tool_grant

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
