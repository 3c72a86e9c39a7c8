from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.dependent_kind import DependentKind

T = TypeVar("T", bound="Dependent")


@_attrs_define
class Dependent:
    """
    Attributes:
        kind (DependentKind):
        namespace (str):
        name (str):
        version (str):
        uses (str): The version of the dependency this version was resolved to.
        direct (bool): Named in the file itself, not only reached through a skill.
    """

    kind: DependentKind
    namespace: str
    name: str
    version: str
    uses: str
    direct: bool

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        version = self.version

        uses = self.uses

        direct = self.direct

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "version": version,
                "uses": uses,
                "direct": direct,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = DependentKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        version = d.pop("version")

        uses = d.pop("uses")

        direct = d.pop("direct")

        dependent = cls(
            kind=kind,
            namespace=namespace,
            name=name,
            version=version,
            uses=uses,
            direct=direct,
        )

        return dependent
