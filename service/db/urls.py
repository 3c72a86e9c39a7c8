"""Adapt the plain `postgresql://` URLs that PaaS and compose files give to SQLAlchemy + asyncpg."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

_SSLMODE_TO_ASYNCPG = {
    "disable": "disable",
    "allow": "allow",
    "prefer": "prefer",
    "require": "require",
    "verify-ca": "verify-ca",
    "verify-full": "verify-full",
}


class InvalidDatabaseUrl(ValueError):
    pass


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
    return parsed.set(drivername="postgresql+asyncpg", query=query)
