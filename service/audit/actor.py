"""Who did something, as the audit log records it, and what a published version keeps of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ActorKind = Literal["anonymous", "token", "oidc", "bootstrap", "system"]

# Provenance fields taken from an OIDC token's claims, first claim present wins: GitHub Actions
# names (`workflow_ref` is the workflow file at its ref; `workflow` only its display name), then
# GitLab CI's (`project_path`, `ci_config_ref_uri`).
CI_CLAIMS: dict[str, tuple[str, ...]] = {
    "repository": ("repository", "project_path"),
    "workflow": ("workflow_ref", "job_workflow_ref", "ci_config_ref_uri", "workflow"),
    "ref": ("ref",),
    "commit": ("sha", "commit_sha"),
}


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    kind: ActorKind
    id: str | None = None
    claims: dict[str, Any] | None = None
    request_id: str | None = None
    client_address: str | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        """The registry itself, e.g. `registry serve --seed`."""
        return cls(name=name, kind="system")

    @classmethod
    def anonymous(cls, request_id: str | None, client_address: str | None) -> Actor:
        return cls("anonymous", "anonymous", request_id=request_id, client_address=client_address)

    def provenance(self) -> dict[str, Any] | None:
        """What a version this actor publishes records about how (`provenance` in its detail
        and profile): the token's name and id; for OIDC the issuer, subject and CI claims."""
        if self.kind == "anonymous":
            return None
        record: dict[str, Any] = {"method": self.kind, "publisher": self.name}
        if self.kind in ("token", "oidc") and self.id is not None:
            record["tokenId"] = self.id
        if self.kind == "oidc":
            record |= _ci_provenance(self.claims or {})
        return record


def _ci_provenance(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Only what the token says: a field whose claim is missing is left out, not null."""
    found = {"issuer": _text(claims.get("iss")), "subject": _text(claims.get("sub"))}
    for field, names in CI_CLAIMS.items():
        found[field] = next((_text(claims[n]) for n in names if _text(claims.get(n))), None)
    record: dict[str, Any] = {k: v for k, v in found.items() if v}
    # Every claim the exchange kept (the ones the trust policy matched, and the CI ones).
    record["claims"] = {k: v for k, v in sorted(claims.items()) if k not in ("iss", "sub")}
    return record


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
