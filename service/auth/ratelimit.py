"""Failed authentications per client address, in a moving one-minute window (the `limits` library).

Kept in process memory: each replica counts its own failures, which bounds guessing per replica
without a shared store; token guessing is hopeless anyway (~244 random bits), so the limit is
about noise in the logs and the audit table, not about the secret.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class FailedLoginLimiter:
    def __init__(self, per_minute: int) -> None:
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.item = RateLimitItemPerMinute(per_minute)

    def blocked_for(self, address: str) -> int | None:
        """Seconds until this address may try again, or None when it may try now."""
        if self.limiter.test(self.item, address):
            return None
        reset_at = self.limiter.get_window_stats(self.item, address).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def failed(self, address: str) -> None:
        self.limiter.hit(self.item, address)

    def reset(self) -> None:
        self.storage.reset()
