from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="DiffGrant")


@_attrs_define
class DiffGrant:
    """
    Attributes:
        rule (str):
        tool (str):
        specifier (None | str):
        sources (list[str]): Where the grant came from in that version.
    """

    rule: str
    tool: str
    specifier: None | str
    sources: list[str]

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule

        tool = self.tool

        specifier: None | str
        specifier = self.specifier

        sources = self.sources

        field_dict: dict[str, Any] = {}

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

        diff_grant = cls(
            rule=rule,
            tool=tool,
            specifier=specifier,
            sources=sources,
        )

        return diff_grant
