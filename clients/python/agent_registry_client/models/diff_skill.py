from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DiffSkill")


@_attrs_define
class DiffSkill:
    """
    Attributes:
        name (str):
        version (str):
        digest (str):
    """

    name: str
    version: str
    digest: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        version = self.version

        digest = self.digest

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "version": version,
                "digest": digest,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        version = d.pop("version")

        digest = d.pop("digest")

        diff_skill = cls(
            name=name,
            version=version,
            digest=digest,
        )

        return diff_skill
