from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenCreated")


@_attrs_define
class TokenCreated:
    """
    Attributes:
        id (str):
        name (str):
        hint (str): The first characters of the secret, to tell tokens apart.
        namespaces (list[str]):
        permissions (list[str]):
        source (str): api, cli, serve (first start) or oidc (trusted publishing).
        created_at (datetime.datetime):
        created_by (None | str):
        expires_at (datetime.datetime | None):
        revoked_at (datetime.datetime | None):
        token (str): The secret. Shown once: only its hash is stored.
        subject (None | str | Unset): OIDC subject, for tokens from an exchange.
    """

    id: str
    name: str
    hint: str
    namespaces: list[str]
    permissions: list[str]
    source: str
    created_at: datetime.datetime
    created_by: None | str
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    token: str
    subject: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        hint = self.hint

        namespaces = self.namespaces

        permissions = self.permissions

        source = self.source

        created_at = self.created_at.isoformat()

        created_by: None | str
        created_by = self.created_by

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        token = self.token

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "hint": hint,
                "namespaces": namespaces,
                "permissions": permissions,
                "source": source,
                "createdAt": created_at,
                "createdBy": created_by,
                "expiresAt": expires_at,
                "revokedAt": revoked_at,
                "token": token,
            }
        )
        if subject is not UNSET:
            field_dict["subject"] = subject

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        hint = d.pop("hint")

        namespaces = cast(list[str], d.pop("namespaces"))

        permissions = cast(list[str], d.pop("permissions"))

        source = d.pop("source")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_created_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_by = _parse_created_by(d.pop("createdBy"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expiresAt"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revokedAt"))

        token = d.pop("token")

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        token_created = cls(
            id=id,
            name=name,
            hint=hint,
            namespaces=namespaces,
            permissions=permissions,
            source=source,
            created_at=created_at,
            created_by=created_by,
            expires_at=expires_at,
            revoked_at=revoked_at,
            token=token,
            subject=subject,
        )

        return token_created
