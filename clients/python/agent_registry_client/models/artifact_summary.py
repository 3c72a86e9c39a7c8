from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.artifact_summary_kind import ArtifactSummaryKind

T = TypeVar("T", bound="ArtifactSummary")


@_attrs_define
class ArtifactSummary:
    """
    Attributes:
        kind (ArtifactSummaryKind):
        namespace (str):
        name (str):
        latest (None | str):
        description (None | str):
        version_count (int):
    """

    kind: ArtifactSummaryKind
    namespace: str
    name: str
    latest: None | str
    description: None | str
    version_count: int

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        latest: None | str
        latest = self.latest

        description: None | str
        description = self.description

        version_count = self.version_count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "latest": latest,
                "description": description,
                "versionCount": version_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = ArtifactSummaryKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        def _parse_latest(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        latest = _parse_latest(d.pop("latest"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        version_count = d.pop("versionCount")

        artifact_summary = cls(
            kind=kind,
            namespace=namespace,
            name=name,
            latest=latest,
            description=description,
            version_count=version_count,
        )

        return artifact_summary
