from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MovedSkill")


@_attrs_define
class MovedSkill:
    """
    Attributes:
        name (str):
        from_ (str):
        to (str):
        from_digest (str):
        to_digest (str):
    """

    name: str
    from_: str
    to: str
    from_digest: str
    to_digest: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        from_ = self.from_

        to = self.to

        from_digest = self.from_digest

        to_digest = self.to_digest

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "from": from_,
                "to": to,
                "fromDigest": from_digest,
                "toDigest": to_digest,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        from_ = d.pop("from")

        to = d.pop("to")

        from_digest = d.pop("fromDigest")

        to_digest = d.pop("toDigest")

        moved_skill = cls(
            name=name,
            from_=from_,
            to=to,
            from_digest=from_digest,
            to_digest=to_digest,
        )

        return moved_skill
