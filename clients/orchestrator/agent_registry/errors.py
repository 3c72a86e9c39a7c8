"""What fetching a profile can fail with."""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """The registry answered with a problem (404, 409, 422...): `status` and the problem body."""

    def __init__(
        self, message: str, status: int | None = None, problem: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class RegistryUnavailable(RegistryError):
    """The registry could not be reached (or answered 5xx) and nothing was cached to fall back on."""


class SignatureError(RegistryError):
    """A profile's bytes do not verify against the registry's keys: it is refused, never cached."""
