from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SkillFile")


@_attrs_define
class SkillFile:
    """
    Attributes:
        path (str): Relative to the skill folder, `/`-separated.
        size (int):
        sha256 (str): Hex SHA-256 of the file's bytes.
        executable (bool):
    """

    path: str
    size: int
    sha256: str
    executable: bool

    def to_dict(self) -> dict[str, Any]:
        path = self.path

        size = self.size

        sha256 = self.sha256

        executable = self.executable

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "path": path,
                "size": size,
                "sha256": sha256,
                "executable": executable,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        path = d.pop("path")

        size = d.pop("size")

        sha256 = d.pop("sha256")

        executable = d.pop("executable")

        skill_file = cls(
            path=path,
            size=size,
            sha256=sha256,
            executable=executable,
        )

        return skill_file
