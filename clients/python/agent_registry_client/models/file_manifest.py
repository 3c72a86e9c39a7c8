from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.skill_file import SkillFile


T = TypeVar("T", bound="FileManifest")


@_attrs_define
class FileManifest:
    """
    Attributes:
        namespace (str):
        name (str):
        version (str):
        digest (str): The version's digest, over the canonical manifest.
        archive (str): Where the folder is served as a deterministic tar.gz.
        files (list[SkillFile]): Every file, in path order; `SKILL.md` included.
    """

    namespace: str
    name: str
    version: str
    digest: str
    archive: str
    files: list[SkillFile]

    def to_dict(self) -> dict[str, Any]:
        namespace = self.namespace

        name = self.name

        version = self.version

        digest = self.digest

        archive = self.archive

        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "namespace": namespace,
                "name": name,
                "version": version,
                "digest": digest,
                "archive": archive,
                "files": files,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.skill_file import SkillFile  # noqa: PLC0415

        d = dict(src_dict)
        namespace = d.pop("namespace")

        name = d.pop("name")

        version = d.pop("version")

        digest = d.pop("digest")

        archive = d.pop("archive")

        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = SkillFile.from_dict(files_item_data)

            files.append(files_item)

        file_manifest = cls(
            namespace=namespace,
            name=name,
            version=version,
            digest=digest,
            archive=archive,
            files=files,
        )

        return file_manifest
