"""A local OIDC issuer for the tests: keys made here, discovery and JWKS served on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.loopback import QuietHandler, serve_on_loopback

AUDIENCE = "agent-registry"
GITHUB_REQUEST_TOKEN = "request-token-for-this-job"
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Issuer:
    url: str = ""
    keys: dict[str, PrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)  # key ids the JWKS shows
    jwks_fetches: int = 0
    # What a broken (or hostile) issuer serves instead of its discovery document or key set.
    broken: dict[str, bytes] = field(default_factory=dict)

    def add_key(self, kid: str, kind: str = "rsa") -> None:
        self.keys[kid] = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            public = self.keys[kid].public_key()
            algorithm = RSAAlgorithm if isinstance(public, rsa.RSAPublicKey) else ECAlgorithm
            jwk = json.loads(algorithm.to_jwk(public))
            keys.append(jwk | {"kid": kid, "use": "sig"})
        return {"keys": keys}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "repo:acme/agents:ref:refs/heads/main",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "repository": "acme/agents",
            "repository_owner": "acme",
            "ref": "refs/heads/main",
            "workflow": "publish",
            "sha": "0123456789abcdef0123456789abcdef01234567",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, kid: str = "key-1", algorithm: str | None = None, **overrides: Any) -> str:
        key = self.keys[kid]
        algorithm = algorithm or ("RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256")
        return jwt.encode(self.claims(**overrides), key, algorithm=algorithm, headers={"kid": kid})

    def unsigned(self, **overrides: Any) -> str:
        """`alg: none`: a token with no signature at all."""
        header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "key-1"}).encode())
        return f"{header}.{_b64(json.dumps(self.claims(**overrides)).encode())}."

    def hmac_with_public_key(self, kid: str = "key-1") -> str:
        """HS256 keyed with the issuer's public key: the classic algorithm-confusion forgery."""
        public_pem = (
            self.keys[kid]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        payload = _b64(json.dumps(self.claims()).encode())
        signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"


@contextmanager
def local_issuer() -> Iterator[Issuer]:
    """An issuer on 127.0.0.1 (a free port), with one RSA key `key-1` published."""
    issuer = Issuer()
    issuer.add_key("key-1")
    issuer.published = ["key-1"]

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            route, _, query = self.path.partition("?")
            if route == "/github-actions-token":  # what ACTIONS_ID_TOKEN_REQUEST_URL answers
                if self.headers.get("Authorization") != f"bearer {GITHUB_REQUEST_TOKEN}":
                    self.send_error(403)
                    return
                audience = parse_qs(query).get("audience", ["?"])[0]
                body = {"value": issuer.sign(aud=audience)}
            elif self.path == "/.well-known/openid-configuration":
                body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks"}
            elif self.path == "/jwks":
                issuer.jwks_fetches += 1
                body = issuer.jwks()
            else:
                self.send_error(404)
                return
            data = issuer.broken.get(route) or json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with serve_on_loopback(Handler) as url:
        issuer.url = url
        yield issuer
