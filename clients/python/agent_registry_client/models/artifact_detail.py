from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.artifact_detail_kind import ArtifactDetailKind

if TYPE_CHECKING:
    from ..models.artifact_detail_tags import ArtifactDetailTags
    from ..models.version_summary import VersionSummary


T = TypeVar("T", bound="ArtifactDetail")


@_attrs_define
class ArtifactDetail:
    """
    Attributes:
        kind (ArtifactDetailKind):
        namespace (str):
        name (str):
        latest (None | str): The `latest` tag when a publisher set one, else the highest stable, non-yanked version.
        tags (ArtifactDetailTags): Tag → version.
        versions (list[VersionSummary]): Newest first by SemVer precedence.
    """

    kind: ArtifactDetailKind
    namespace: str
    name: str
    latest: None | str
    tags: ArtifactDetailTags
    versions: list[VersionSummary]

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        latest: None | str
        latest = self.latest

        tags = self.tags.to_dict()

        versions = []
        for versions_item_data in self.versions:
            versions_item = versions_item_data.to_dict()
            versions.append(versions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "latest": latest,
                "tags": tags,
                "versions": versions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.artifact_detail_tags import ArtifactDetailTags  # noqa: PLC0415
        from ..models.version_summary import VersionSummary  # noqa: PLC0415

        d = dict(src_dict)
        kind = ArtifactDetailKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        def _parse_latest(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        latest = _parse_latest(d.pop("latest"))

        tags = ArtifactDetailTags.from_dict(d.pop("tags"))

        versions = []
        _versions = d.pop("versions")
        for versions_item_data in _versions:
            versions_item = VersionSummary.from_dict(versions_item_data)

            versions.append(versions_item)

        artifact_detail = cls(
            kind=kind,
            namespace=namespace,
            name=name,
            latest=latest,
            tags=tags,
            versions=versions,
        )

        return artifact_detail
