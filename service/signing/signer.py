"""Signing served profiles: one detached JWS per prepared body, computed once, then reused.

`ProfileSigner.sign(body)` is the one call a profile cache makes when it prepares an entry;
`signature_for(key, body)` remembers signatures by the entry's identity (namespace, name and
ETag) for the paths that have no cache entry to keep it in. The remembered body is compared
too (a memory comparison, far cheaper than signing), so a key can never vouch for other bytes.
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
        self._memo: OrderedDict[Hashable, tuple[bytes, str]] = OrderedDict()

    def sign(self, body: bytes) -> str:
        return self.ring.sign(body)

    def signature_for(self, key: Hashable, body: bytes) -> str:
        remembered = self._memo.get(key)
        if remembered is not None and (remembered[0] is body or remembered[0] == body):
            self._memo.move_to_end(key)
            return remembered[1]
        signature = self.sign(body)
        self._memo[key] = (body, signature)
        if len(self._memo) > self.max_entries:
            self._memo.popitem(last=False)
        return signature


def get_signer(request: Request) -> ProfileSigner:
    signer: ProfileSigner = request.app.state.signer
    return signer


SignerDep = Annotated[ProfileSigner, Depends(get_signer)]
