from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.change_event_event import ChangeEventEvent
from ..models.change_event_kind import ChangeEventKind

if TYPE_CHECKING:
    from ..models.change_event_details import ChangeEventDetails


T = TypeVar("T", bound="ChangeEvent")


@_attrs_define
class ChangeEvent:
    """
    Attributes:
        seq (int): Position in the feed; increases in commit order.
        event (ChangeEventEvent):
        kind (ChangeEventKind):
        namespace (str):
        name (str):
        version (None | str): The version concerned (tag events: its target).
        digest (None | str):
        at (datetime.datetime):
        details (ChangeEventDetails): `tag` for tag events, `reason` for a yank, `message` for a deprecation.
    """

    seq: int
    event: ChangeEventEvent
    kind: ChangeEventKind
    namespace: str
    name: str
    version: None | str
    digest: None | str
    at: datetime.datetime
    details: ChangeEventDetails
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        event = self.event.value

        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        version: None | str
        version = self.version

        digest: None | str
        digest = self.digest

        at = self.at.isoformat()

        details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "event": event,
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "version": version,
                "digest": digest,
                "at": at,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_event_details import ChangeEventDetails  # noqa: PLC0415

        d = dict(src_dict)
        seq = d.pop("seq")

        event = ChangeEventEvent(d.pop("event"))

        kind = ChangeEventKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        def _parse_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        version = _parse_version(d.pop("version"))

        def _parse_digest(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        digest = _parse_digest(d.pop("digest"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

        details = ChangeEventDetails.from_dict(d.pop("details"))

        change_event = cls(
            seq=seq,
            event=event,
            kind=kind,
            namespace=namespace,
            name=name,
            version=version,
            digest=digest,
            at=at,
            details=details,
        )

        change_event.additional_properties = d
        return change_event

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
