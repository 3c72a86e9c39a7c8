from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provenance_method import ProvenanceMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.provenance_claims_type_0 import ProvenanceClaimsType0


T = TypeVar("T", bound="Provenance")


@_attrs_define
class Provenance:
    """How a version was published, recorded at publish and never changed.

    Attributes:
        method (ProvenanceMethod): `token`: an API token; `oidc`: a token from OIDC trusted publishing (a CI run);
            `bootstrap`: the operator's bootstrap token; `system`: the registry itself (`registry serve --seed`).
        publisher (str): The token's name, the OIDC subject, `bootstrap`, or the system task.
        token_id (None | str | Unset): The id of the token that published it.
        issuer (None | str | Unset): OIDC: the CI provider that signed the run.
        subject (None | str | Unset): OIDC: the ID token's `sub`.
        repository (None | str | Unset): OIDC: the repository the run built.
        workflow (None | str | Unset): OIDC: the workflow file at its ref (GitHub `workflow_ref`).
        ref (None | str | Unset): OIDC: the git ref the run built.
        commit (None | str | Unset): OIDC: the commit the run built.
        claims (None | ProvenanceClaimsType0 | Unset): OIDC: every claim kept from the ID token (those the trust policy
            matched, and the CI ones: run_id, event_name, environment, …), `iss` and `sub` aside.
    """

    method: ProvenanceMethod
    publisher: str
    token_id: None | str | Unset = UNSET
    issuer: None | str | Unset = UNSET
    subject: None | str | Unset = UNSET
    repository: None | str | Unset = UNSET
    workflow: None | str | Unset = UNSET
    ref: None | str | Unset = UNSET
    commit: None | str | Unset = UNSET
    claims: None | ProvenanceClaimsType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.provenance_claims_type_0 import ProvenanceClaimsType0  # noqa: PLC0415

        method = self.method.value

        publisher = self.publisher

        token_id: None | str | Unset
        if isinstance(self.token_id, Unset):
            token_id = UNSET
        else:
            token_id = self.token_id

        issuer: None | str | Unset
        if isinstance(self.issuer, Unset):
            issuer = UNSET
        else:
            issuer = self.issuer

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        repository: None | str | Unset
        if isinstance(self.repository, Unset):
            repository = UNSET
        else:
            repository = self.repository

        workflow: None | str | Unset
        if isinstance(self.workflow, Unset):
            workflow = UNSET
        else:
            workflow = self.workflow

        ref: None | str | Unset
        if isinstance(self.ref, Unset):
            ref = UNSET
        else:
            ref = self.ref

        commit: None | str | Unset
        if isinstance(self.commit, Unset):
            commit = UNSET
        else:
            commit = self.commit

        claims: dict[str, Any] | None | Unset
        if isinstance(self.claims, Unset):
            claims = UNSET
        elif isinstance(self.claims, ProvenanceClaimsType0):
            claims = self.claims.to_dict()
        else:
            claims = self.claims

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "method": method,
                "publisher": publisher,
            }
        )
        if token_id is not UNSET:
            field_dict["tokenId"] = token_id
        if issuer is not UNSET:
            field_dict["issuer"] = issuer
        if subject is not UNSET:
            field_dict["subject"] = subject
        if repository is not UNSET:
            field_dict["repository"] = repository
        if workflow is not UNSET:
            field_dict["workflow"] = workflow
        if ref is not UNSET:
            field_dict["ref"] = ref
        if commit is not UNSET:
            field_dict["commit"] = commit
        if claims is not UNSET:
            field_dict["claims"] = claims

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provenance_claims_type_0 import ProvenanceClaimsType0  # noqa: PLC0415

        d = dict(src_dict)
        method = ProvenanceMethod(d.pop("method"))

        publisher = d.pop("publisher")

        def _parse_token_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        token_id = _parse_token_id(d.pop("tokenId", UNSET))

        def _parse_issuer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        issuer = _parse_issuer(d.pop("issuer", UNSET))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        def _parse_repository(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        repository = _parse_repository(d.pop("repository", UNSET))

        def _parse_workflow(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        workflow = _parse_workflow(d.pop("workflow", UNSET))

        def _parse_ref(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ref = _parse_ref(d.pop("ref", UNSET))

        def _parse_commit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        commit = _parse_commit(d.pop("commit", UNSET))

        def _parse_claims(data: object) -> None | ProvenanceClaimsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                claims_type_0 = ProvenanceClaimsType0.from_dict(data)

                return claims_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProvenanceClaimsType0 | Unset, data)

        claims = _parse_claims(d.pop("claims", UNSET))

        provenance = cls(
            method=method,
            publisher=publisher,
            token_id=token_id,
            issuer=issuer,
            subject=subject,
            repository=repository,
            workflow=workflow,
            ref=ref,
            commit=commit,
            claims=claims,
        )

        provenance.additional_properties = d
        return provenance

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
