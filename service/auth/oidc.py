"""OIDC trusted publishing: verify a CI provider's ID token (JWT) against its issuer's JWKS.

PyJWT does the JOSE work: signature, `exp`/`nbf`/`iat`/`aud`/`iss` with a small leeway. Its
`PyJWKClient` fetches and caches each issuer's key set and fetches it again when a token names a
key id it has not seen (key rotation), at most once per cooldown. Keys are only ever fetched for
issuers that a trust policy names, found through the issuer's discovery document.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from jwt import PyJWKClient

# Asymmetric only: `none` and HS* (a shared secret, which an issuer's public key would become)
# are refused before any key is looked at.
ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
DISCOVERY = "/.well-known/openid-configuration"
# Claims kept with an issued token besides the ones a policy matched: in the audit log, and in the
# `provenance` of what the token publishes (GitHub Actions names, then GitLab CI's).
PROVENANCE = (
    "repository", "repository_owner", "workflow", "workflow_ref", "job_workflow_ref", "ref",
    "sha", "run_id", "run_attempt", "event_name", "environment", "actor",
    "project_path", "ci_config_ref_uri", "pipeline_id", "job_id",
)  # fmt: skip


class OidcRefused(Exception):
    """The ID token cannot be trusted; `detail` says why, in words a CI log reader can act on."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, allow_insecure: bool) -> str | None:
    """Why `url` may not be an issuer (or JWKS address), or None when it may."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and allow_insecure and _loopback(parts.hostname):
        return None
    if parts.scheme == "http" and _loopback(parts.hostname):
        return (
            "is plain http: allowed on loopback only with REGISTRY_OIDC_ALLOW_INSECURE_ISSUERS=true"
        )
    return "must be an https URL"


def claims_match(conditions: dict[str, str], claims: dict[str, Any]) -> list[str]:
    """The conditions a token's claims fail (exact, or a glob with `*`, `?`, `[…]`)."""
    failed = []
    for name, pattern in conditions.items():
        value = claims.get(name)
        if not isinstance(value, str) or not fnmatch.fnmatchcase(value, pattern):
            failed.append(f"{name} is {value!r}, not {pattern!r}")
    return failed


class OidcVerifier:
    """One per app: the discovered JWKS client of each trusted issuer, cached."""

    def __init__(
        self, *, allow_insecure: bool, leeway: int, refresh_cooldown: float, timeout: float = 10
    ) -> None:
        self.allow_insecure = allow_insecure
        self.leeway = leeway
        self.refresh_cooldown = refresh_cooldown
        self.timeout = timeout
        self._clients: dict[str, PyJWKClient] = {}
        self._lock = asyncio.Lock()

    async def verify(self, token: str, audiences: dict[str, set[str]]) -> dict[str, Any]:
        """The verified claims of `token`; `audiences` maps each trusted issuer to its audiences."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError as exc:
            raise OidcRefused("the ID token is not a JWT") from exc
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise OidcRefused(
                f"the ID token's algorithm {algorithm!r} is refused: it must be signed with the"
                " issuer's asymmetric key (RS*, PS*, ES* or EdDSA)"
            )
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or issuer not in audiences:
            raise OidcRefused(f"no trust policy names the issuer {issuer!r}")
        if problem := url_problem(issuer, allow_insecure=self.allow_insecure):
            raise OidcRefused(f"the issuer {issuer} {problem}")
        key_id = header.get("kid")
        if not isinstance(key_id, str):
            raise OidcRefused("the ID token names no key id (`kid`)")
        client = await self._client(issuer)
        try:
            key = await asyncio.to_thread(client.get_signing_key, key_id)
        except jwt.PyJWKClientConnectionError as exc:
            raise OidcRefused(
                f"the issuer {issuer}'s key set ({client.uri}) cannot be fetched"
            ) from exc
        except jwt.PyJWKClientError as exc:
            raise OidcRefused(
                f"the issuer {issuer} publishes no key {key_id!r} (its JWKS was fetched again)"
            ) from exc
        except (jwt.PyJWKSetError, ValueError) as exc:
            # Not JSON, no keys, or none usable: the issuer's fault, not a server error.
            raise OidcRefused(
                f"the issuer {issuer}'s key set ({client.uri}) cannot be used"
                f" ({type(exc).__name__})"
            ) from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=sorted(audiences[issuer]),
                issuer=issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise OidcRefused("the ID token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise OidcRefused("the ID token is not valid yet (nbf or iat in the future)") from exc
        except jwt.InvalidAudienceError as exc:
            wanted = ", ".join(sorted(audiences[issuer]))
            raise OidcRefused(
                f"the ID token's audience {unverified.get('aud')!r} is not one a trust policy"
                f" accepts for this issuer ({wanted})"
            ) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise OidcRefused(f"the ID token has no {exc.claim!r} claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise OidcRefused("the ID token's signature does not verify") from exc
        except jwt.InvalidTokenError as exc:
            raise OidcRefused(f"the ID token is not valid: {exc}") from exc
        return claims

    async def _client(self, issuer: str) -> PyJWKClient:
        async with self._lock:
            client = self._clients.get(issuer)
            if client is None:
                client = PyJWKClient(
                    await self._jwks_uri(issuer),
                    lifespan=300,
                    timeout=self.timeout,
                    cooldown_duration=self.refresh_cooldown,
                )
                self._clients[issuer] = client
            return client

    async def _jwks_uri(self, issuer: str) -> str:
        """From the issuer's discovery document, which must name the same issuer."""
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as http:
                response = await http.get(issuer.rstrip("/") + DISCOVERY)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcRefused(
                f"the issuer's discovery document ({issuer.rstrip('/')}{DISCOVERY}) cannot be"
                f" read: {type(exc).__name__}"
            ) from exc
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            raise OidcRefused(f"the discovery document of {issuer} is not for that issuer")
        uri = document.get("jwks_uri")
        if not isinstance(uri, str):
            raise OidcRefused(f"the discovery document of {issuer} names no jwks_uri")
        if problem := url_problem(uri, allow_insecure=self.allow_insecure):
            raise OidcRefused(f"the issuer's jwks_uri {uri} {problem}")
        return uri
