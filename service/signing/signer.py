"""Signing served profiles: one detached JWS per prepared body, computed once, then reused.

`ProfileSigner.sign(body)` is the one call a profile cache makes when it prepares an entry;
`signature_for(key, body, digest)` remembers signatures by what was asked for (namespace, name,
version, format) for the paths that have no cache entry to keep it in. With each signature it
keeps the `digest` the caller gave — something that changes whenever the body does: a profile's
ETag, derived from the body's SHA-256 that PostgreSQL stores beside it — and signs afresh when
that differs, so a key never vouches for other bytes, and the body is neither hashed here (that
was ~8 % of a first fetch's CPU) nor kept: the memo stays small (~600 bytes an entry with its
key) beside the byte-bounded profile cache, whatever the size of the profiles.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from service.signing.keys import KeyRing

SIGNATURE_HEADER = "Registry-Signature"
# A detached compact JWS (RFC 7515 appendix F) served on its own.
JOSE = "application/jose"


class ProfileSigner:
    def __init__(self, ring: KeyRing, max_entries: int = 2048) -> None:
        self.ring = ring
        self.max_entries = max_entries
        self._memo: OrderedDict[Hashable, tuple[bytes, str]] = OrderedDict()  # key -> (digest, sig)

    def sign(self, body: bytes) -> str:
        return self.ring.sign(body)

    def signature_for(self, key: Hashable, body: bytes, digest: bytes) -> str:
        remembered = self._memo.get(key)
        if remembered is not None and remembered[0] == digest:
            self._memo.move_to_end(key)
            return remembered[1]
        signature = self.sign(body)
        self._memo[key] = (digest, signature)
        if len(self._memo) > self.max_entries:
            self._memo.popitem(last=False)
        return signature


def get_signer(request: Request) -> ProfileSigner:
    signer: ProfileSigner = request.app.state.signer
    return signer


SignerDep = Annotated[ProfileSigner, Depends(get_signer)]
