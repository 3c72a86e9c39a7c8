"""Adapt the plain `postgresql://` URLs that PaaS and compose files give to SQLAlchemy + asyncpg."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

from service.errors import DatabaseUnavailable

_SSLMODE_TO_ASYNCPG = {
    "disable": "disable",
    "allow": "allow",
    "prefer": "prefer",
    "require": "require",
    "verify-ca": "verify-ca",
    "verify-full": "verify-full",
}


class InvalidDatabaseUrl(DatabaseUnavailable, ValueError):
    """DATABASE_URL is not a PostgreSQL URL (the message never repeats it: it holds a password)."""


def async_url(url: str) -> URL:
    """`postgresql://u@h:5432/db?sslmode=require` -> `postgresql+asyncpg://u@h:5432/db?ssl=require`."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in the text
        raise InvalidDatabaseUrl("DATABASE_URL is not a database URL") from exc
    if parsed.get_backend_name() not in {"postgresql", "postgres"}:
        raise InvalidDatabaseUrl("DATABASE_URL must be a postgresql:// URL")
    query = dict(parsed.query)
    sslmode = query.pop("sslmode", None)
    if isinstance(sslmode, str) and sslmode in _SSLMODE_TO_ASYNCPG:
        query["ssl"] = _SSLMODE_TO_ASYNCPG[sslmode]
    elif "ssl" not in query and _on_this_machine(parsed.host, query.get("host")):
        # asyncpg's default (`prefer`) tries TLS first on every new connection; on loopback
        # or a Unix socket that is a wasted round trip per connect. Decided once, here.
        query["ssl"] = "disable"
    return parsed.set(drivername="postgresql+asyncpg", query=query)


def shown(url: str) -> str:
    """`url` for a message: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: say which setting, not what it holds
        return "(DATABASE_URL)"


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _on_this_machine(host: str | None, socket_dir: object) -> bool:
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        return True
    return host is None or host in _LOOPBACK or host.startswith("/")
