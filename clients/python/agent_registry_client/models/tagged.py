from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.tagged_kind import TaggedKind

T = TypeVar("T", bound="Tagged")


@_attrs_define
class Tagged:
    """
    Attributes:
        kind (TaggedKind):
        namespace (str):
        name (str):
        tag (str):
        version (str):
    """

    kind: TaggedKind
    namespace: str
    name: str
    tag: str
    version: str

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        tag = self.tag

        version = self.version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "tag": tag,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = TaggedKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        tag = d.pop("tag")

        version = d.pop("version")

        tagged = cls(
            kind=kind,
            namespace=namespace,
            name=name,
            tag=tag,
            version=version,
        )

        return tagged
