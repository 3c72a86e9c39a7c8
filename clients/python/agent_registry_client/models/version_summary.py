from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="VersionSummary")


@_attrs_define
class VersionSummary:
    """
    Attributes:
        version (str):
        digest (str):
        size (int):
        description (str):
        published_at (datetime.datetime):
        yanked (bool):
        yank_reason (None | str | Unset):
        deprecated (None | str | Unset): Deprecation message, when deprecated.
    """

    version: str
    digest: str
    size: int
    description: str
    published_at: datetime.datetime
    yanked: bool
    yank_reason: None | str | Unset = UNSET
    deprecated: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        digest = self.digest

        size = self.size

        description = self.description

        published_at = self.published_at.isoformat()

        yanked = self.yanked

        yank_reason: None | str | Unset
        if isinstance(self.yank_reason, Unset):
            yank_reason = UNSET
        else:
            yank_reason = self.yank_reason

        deprecated: None | str | Unset
        if isinstance(self.deprecated, Unset):
            deprecated = UNSET
        else:
            deprecated = self.deprecated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "version": version,
                "digest": digest,
                "size": size,
                "description": description,
                "publishedAt": published_at,
                "yanked": yanked,
            }
        )
        if yank_reason is not UNSET:
            field_dict["yankReason"] = yank_reason
        if deprecated is not UNSET:
            field_dict["deprecated"] = deprecated

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        version = d.pop("version")

        digest = d.pop("digest")

        size = d.pop("size")

        description = d.pop("description")

        published_at = datetime.datetime.fromisoformat(d.pop("publishedAt"))

        yanked = d.pop("yanked")

        def _parse_yank_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        yank_reason = _parse_yank_reason(d.pop("yankReason", UNSET))

        def _parse_deprecated(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deprecated = _parse_deprecated(d.pop("deprecated", UNSET))

        version_summary = cls(
            version=version,
            digest=digest,
            size=size,
            description=description,
            published_at=published_at,
            yanked=yanked,
            yank_reason=yank_reason,
            deprecated=deprecated,
        )

        return version_summary
