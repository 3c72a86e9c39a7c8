"""Detached JWS and the key ring: round trips, tampering, rotation, files, interop with PyJWT."""

from __future__ import annotations

import hashlib
import json
import stat
import tracemalloc
from pathlib import Path

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.signing.jws import SignatureInvalid, b64url, verify_detached
from service.signing.keys import KeysUnusable, SigningKey, load_or_create, rotate
from service.signing.signer import ProfileSigner

RING, _ = load_or_create(
    Path("/nonexistent"), json.dumps({"keys": [SigningKey.generate().private_jwk()]})
)


@given(st.binary(max_size=2048))
def test_signature_verifies_only_the_exact_bytes(body: bytes) -> None:
    signature = RING.sign(body)
    _, empty, _ = signature.split(".")
    assert empty == ""
    assert verify_detached(signature, body, RING.jwks()) == RING.active.kid
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_detached(signature, body + b" ", RING.jwks())
    if body:
        flipped = bytes([body[0] ^ 1]) + body[1:]
        with pytest.raises(SignatureInvalid):
            verify_detached(signature, flipped, RING.jwks())


def test_a_maintained_jose_library_verifies_the_reattached_payload() -> None:
    body = '{"name":"dev-python","description":"Python — développeur"}'.encode()
    header, _, signature = RING.sign(body).split(".")
    compact = f"{header}.{b64url(body)}.{signature}"
    key = jwt.PyJWK(RING.jwks()["keys"][0])
    decoded = jwt.api_jws.decode_complete(compact, key=key, algorithms=["EdDSA"])
    assert decoded["payload"] == body
    assert decoded["header"] == {"alg": "EdDSA", "kid": RING.active.kid}


def test_unknown_kid_garbage_and_wrong_algorithm_are_refused() -> None:
    other, _ = load_or_create(
        Path("/x"), json.dumps({"keys": [SigningKey.generate().private_jwk()]})
    )
    with pytest.raises(SignatureInvalid, match="no Ed25519 key"):
        verify_detached(other.sign(b"x"), b"x", RING.jwks())
    for bad in ("", "a.b.c", "abc..", "e30..AAAA"):
        with pytest.raises(SignatureInvalid):
            verify_detached(bad, b"x", RING.jwks())


def test_jwks_is_public_only_and_kid_is_the_thumbprint() -> None:
    [key] = RING.jwks()["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}
    # RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace.
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": key["x"]}, separators=(",", ":"))
    assert key["kid"] == b64url(hashlib.sha256(members.encode()).digest())
    assert RING.active.private_jwk()["d"] not in json.dumps(RING.jwks())
    assert RING.active.private_jwk()["d"] not in repr(RING.active)


def test_key_file_is_created_once_private_and_rotation_keeps_old_keys(tmp_path: Path) -> None:
    path = tmp_path / "data" / "signing-keys.json"
    first, created = load_or_create(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = load_or_create(path)
    assert not created_again and again.active.kid == first.active.kid
    signed_before = first.sign(b"profile")
    rotated = rotate(path)
    assert [k.kid for k in rotated.keys] == [first.active.kid, rotated.active.kid]
    assert rotated.active.kid != first.active.kid
    reloaded, _ = load_or_create(path)
    assert reloaded.active.kid == rotated.active.kid
    # The old signature still verifies against the new key set; new ones use the new key.
    assert verify_detached(signed_before, b"profile", reloaded.jwks()) == first.active.kid
    assert verify_detached(reloaded.sign(b"p"), b"p", reloaded.jwks()) == rotated.active.kid
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_environment_keys_win_and_bad_ones_say_where_not_what(tmp_path: Path) -> None:
    secret = SigningKey.generate().private_jwk()
    ring, created = load_or_create(tmp_path / "unused.json", json.dumps({"keys": [secret]}))
    assert not created and ring.active.kid == secret["kid"]
    assert not (tmp_path / "unused.json").exists()
    broken = json.dumps({"keys": [{**secret, "kty": "RSA"}]})
    with pytest.raises(KeysUnusable) as raised:
        load_or_create(tmp_path / "unused.json", broken)
    assert "REGISTRY_SIGNING_KEYS" in str(raised.value) and secret["d"] not in str(raised.value)


def test_signer_computes_a_signature_once_per_prepared_body() -> None:
    signer = ProfileSigner(RING, max_entries=2)
    calls: list[bytes] = []
    original = signer.sign

    def counting(body: bytes) -> str:
        calls.append(body)
        return original(body)

    signer.sign = counting  # type: ignore[method-assign]
    first = signer.signature_for(("ns", "a", "1.0.0"), b"body-1", b'"e1"')
    assert signer.signature_for(("ns", "a", "1.0.0"), b"body-1", b'"e1"') == first
    assert calls == [b"body-1"]
    signer.signature_for(("ns", "b", "1.0.0"), b"body-2", b'"e2"')
    signer.signature_for(("ns", "c", "1.0.0"), b"body-3", b'"e3"')
    signer.signature_for(("ns", "a", "1.0.0"), b"body-1", b'"e1"')  # evicted (bounded), again
    assert calls == [b"body-1", b"body-2", b"body-3", b"body-1"]
    # Same key, other bytes (a database rebuilt under the same version; a yank re-renders the
    # body): their digest differs, so they are signed afresh.
    other = signer.signature_for(("ns", "a", "1.0.0"), b"body-X", b'"eX"')
    assert other != first and calls[-1] == b"body-X"


def test_remembered_signatures_do_not_keep_the_profiles_in_memory() -> None:
    """The memo sits outside the profile cache's byte bound: it must not hold the bodies
    (2,048 population-sized profiles of 26 KB would be 53 MB beside a 16 MiB cache)."""
    signer = ProfileSigner(RING, max_entries=2048)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(2048):
            body = index.to_bytes(4, "big") * 6_500  # 26,000 bytes, freed after the call
            signer.signature_for(("ns", f"a{index}", "1.0.0"), body, f'"e{index}"'.encode())
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(signer._memo) == 2048
    assert held < 2048 * 1024, f"{held} bytes held for 2,048 remembered signatures"
