from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.search_result_kind import SearchResultKind

if TYPE_CHECKING:
    from ..models.highlight import Highlight


T = TypeVar("T", bound="SearchResult")


@_attrs_define
class SearchResult:
    """
    Attributes:
        kind (SearchResultKind):
        namespace (str):
        name (str):
        version (str): The latest non-yanked version (stable first).
        description (str):
        published_at (datetime.datetime):
        deprecated (None | str): Deprecation message of that version, if any.
        score (float): Relevance (word rank plus name similarity); 0 without `q`.
        highlights (list[Highlight]):
    """

    kind: SearchResultKind
    namespace: str
    name: str
    version: str
    description: str
    published_at: datetime.datetime
    deprecated: None | str
    score: float
    highlights: list[Highlight]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        version = self.version

        description = self.description

        published_at = self.published_at.isoformat()

        deprecated: None | str
        deprecated = self.deprecated

        score = self.score

        highlights = []
        for highlights_item_data in self.highlights:
            highlights_item = highlights_item_data.to_dict()
            highlights.append(highlights_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "version": version,
                "description": description,
                "publishedAt": published_at,
                "deprecated": deprecated,
                "score": score,
                "highlights": highlights,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.highlight import Highlight  # noqa: PLC0415

        d = dict(src_dict)
        kind = SearchResultKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        version = d.pop("version")

        description = d.pop("description")

        published_at = datetime.datetime.fromisoformat(d.pop("publishedAt"))

        def _parse_deprecated(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        deprecated = _parse_deprecated(d.pop("deprecated"))

        score = d.pop("score")

        highlights = []
        _highlights = d.pop("highlights")
        for highlights_item_data in _highlights:
            highlights_item = Highlight.from_dict(highlights_item_data)

            highlights.append(highlights_item)

        search_result = cls(
            kind=kind,
            namespace=namespace,
            name=name,
            version=version,
            description=description,
            published_at=published_at,
            deprecated=deprecated,
            score=score,
            highlights=highlights,
        )

        search_result.additional_properties = d
        return search_result

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
