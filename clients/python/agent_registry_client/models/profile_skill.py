from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.skill_file import SkillFile


T = TypeVar("T", bound="ProfileSkill")


@_attrs_define
class ProfileSkill:
    """One resolved skill as the profile shows it.

    Attributes:
        name (str):
        version (str):
        digest (str):
        description (str):
        instructions (str):
        allowed_tools (list[str]):
        required_by (list[str]):
        files (list[SkillFile] | None | Unset): The skill's folder, `SKILL.md` included (absent on older profiles).
        archive (None | str | Unset): URL path of the folder as a tar.gz.
    """

    name: str
    version: str
    digest: str
    description: str
    instructions: str
    allowed_tools: list[str]
    required_by: list[str]
    files: list[SkillFile] | None | Unset = UNSET
    archive: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        version = self.version

        digest = self.digest

        description = self.description

        instructions = self.instructions

        allowed_tools = self.allowed_tools

        required_by = self.required_by

        files: list[dict[str, Any]] | None | Unset
        if isinstance(self.files, Unset):
            files = UNSET
        elif isinstance(self.files, list):
            files = []
            for files_type_0_item_data in self.files:
                files_type_0_item = files_type_0_item_data.to_dict()
                files.append(files_type_0_item)

        else:
            files = self.files

        archive: None | str | Unset
        if isinstance(self.archive, Unset):
            archive = UNSET
        else:
            archive = self.archive

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "version": version,
                "digest": digest,
                "description": description,
                "instructions": instructions,
                "allowedTools": allowed_tools,
                "requiredBy": required_by,
            }
        )
        if files is not UNSET:
            field_dict["files"] = files
        if archive is not UNSET:
            field_dict["archive"] = archive

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.skill_file import SkillFile  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        version = d.pop("version")

        digest = d.pop("digest")

        description = d.pop("description")

        instructions = d.pop("instructions")

        allowed_tools = cast(list[str], d.pop("allowedTools"))

        required_by = cast(list[str], d.pop("requiredBy"))

        def _parse_files(data: object) -> list[SkillFile] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                files_type_0 = []
                _files_type_0 = data
                for files_type_0_item_data in _files_type_0:
                    files_type_0_item = SkillFile.from_dict(files_type_0_item_data)

                    files_type_0.append(files_type_0_item)

                return files_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[SkillFile] | None | Unset, data)

        files = _parse_files(d.pop("files", UNSET))

        def _parse_archive(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        archive = _parse_archive(d.pop("archive", UNSET))

        profile_skill = cls(
            name=name,
            version=version,
            digest=digest,
            description=description,
            instructions=instructions,
            allowed_tools=allowed_tools,
            required_by=required_by,
            files=files,
            archive=archive,
        )

        profile_skill.additional_properties = d
        return profile_skill

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
