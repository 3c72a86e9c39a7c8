from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="NamespaceInfo")


@_attrs_define
class NamespaceInfo:
    """
    Attributes:
        name (str):
        created_at (datetime.datetime):
        created_by (None | str):
        artifacts (int | Unset):  Default: 0.
    """

    name: str
    created_at: datetime.datetime
    created_by: None | str
    artifacts: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        created_at = self.created_at.isoformat()

        created_by: None | str
        created_by = self.created_by

        artifacts = self.artifacts

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "createdAt": created_at,
                "createdBy": created_by,
            }
        )
        if artifacts is not UNSET:
            field_dict["artifacts"] = artifacts

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_created_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_by = _parse_created_by(d.pop("createdBy"))

        artifacts = d.pop("artifacts", UNSET)

        namespace_info = cls(
            name=name,
            created_at=created_at,
            created_by=created_by,
            artifacts=artifacts,
        )

        return namespace_info
