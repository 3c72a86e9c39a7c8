"""One exception hierarchy for the service layer, mapped once to RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://agent-registry.dev/problems/"


class CommandFailure(Exception):
    """An expected failure that ends a command-line run: one line for the log, and its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class RegistryError(Exception):
    """Base of every error a client can cause or observe; never carries SQL or a trace."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"
    # The request path as the problem's `instance`; off where the path is itself the problem.
    echo_instance: ClassVar[bool] = True

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def headers(self) -> dict[str, str]:
        """Response headers the status calls for (WWW-Authenticate, Retry-After)."""
        return {}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code.replace("_", "-"),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance is not None:
            problem["instance"] = instance
        problem.update(self.extra)
        return problem


class BadRequest(RegistryError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class InvalidCursor(BadRequest):
    code = "invalid_cursor"
    title = "Invalid pagination cursor"


class Unauthenticated(RegistryError):
    """No usable bearer token: missing, malformed, unknown, expired or revoked."""

    status = 401
    code = "unauthenticated"
    title = "Authentication required"

    def __init__(self, detail: str, *, presented: bool, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.presented = presented

    @property
    def headers(self) -> dict[str, str]:
        challenge = 'Bearer realm="agent-registry"'
        if self.presented:  # RFC 6750 §3: say why a presented token failed
            challenge += ', error="invalid_token"'
        return {"WWW-Authenticate": challenge}


class Forbidden(RegistryError):
    """A valid token that lacks the namespace or the permission."""

    status = 403
    code = "forbidden"
    title = "Not allowed"


class TooManyFailedLogins(RegistryError):
    status = 429
    code = "too_many_failed_logins"
    title = "Too many failed authentication attempts"

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class NotFound(RegistryError):
    status = 404
    code = "not_found"
    title = "Not found"


class MethodNotAllowed(RegistryError):
    status = 405
    code = "method_not_allowed"
    title = "Method not allowed"


class VersionConflict(RegistryError):
    status = 409
    code = "version_conflict"
    title = "Version already published with different content"


class WriteConflict(RegistryError):
    """The commit lost to a concurrent write (unique violation, serialization failure)."""

    status = 409
    code = "write_conflict"
    title = "Conflicting concurrent write"


class PayloadTooLarge(RegistryError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class UnsupportedMediaType(RegistryError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class ValidationFailed(RegistryError):
    status = 422
    code = "validation_failed"
    title = "The file is not valid"


class RequestInvalid(RegistryError):
    """A request's parameters or JSON body failed schema validation."""

    status = 422
    code = "request_invalid"
    title = "The request is not valid"


class DatabaseUnavailable(RegistryError):
    status = 503
    code = "database_unavailable"
    title = "Database unavailable"


class InvalidTag(RegistryError):
    status = 422
    code = "invalid_tag"
    title = "Invalid tag"


class VersionYanked(RegistryError):
    status = 409
    code = "version_yanked"
    title = "The version is yanked"


class InvalidReference(RegistryError):
    status = 400
    code = "invalid_reference"
    title = "Invalid reference"


class ProfileUnresolvable(RegistryError):
    status = 409
    code = "profile_unresolvable"
    title = "The agent's constraints no longer resolve"


class MigrationsPending(RegistryError):
    status = 503
    code = "migrations_pending"
    title = "Database schema is not at the latest migration"


class NamespaceNotFound(NotFound):
    code = "namespace_not_found"
    title = "No such namespace"


class AlreadyExists(RegistryError):
    status = 409
    code = "already_exists"
    title = "Already exists"


class InvalidCharacter(RegistryError):
    status = 400
    code = "invalid_character"
    title = "Invalid character in the request"
    echo_instance = False


class ReadOnlyMirror(RegistryError):
    status = 409
    code = "read_only_mirror"
    title = "This registry is a read-only mirror"


class ArchiveRefused(RegistryError):
    """An uploaded skill archive holds an unsafe or malformed entry; `errors` names each."""

    status = 422
    code = "archive_refused"
    title = "The archive is refused"


class ArchiveTooLarge(RegistryError):
    """An uploaded skill archive crossed a bound (entries, total size, compression ratio)."""

    status = 413
    code = "archive_too_large"
    title = "The archive is too large"
