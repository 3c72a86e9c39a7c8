"""Configuration from the environment (prefix REGISTRY_; DATABASE_URL is also read as is)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("agent-registry", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REGISTRY_DATABASE_URL", "DATABASE_URL"),
        description="Any PostgreSQL >= 14; unset means `registry serve` starts an embedded one.",
    )
    listen_database_url: str | None = Field(
        default=None,
        description="The database connection for LISTEN (profile cache notices) when"
        " DATABASE_URL goes through PgBouncer in transaction pooling mode, which cannot LISTEN:"
        " the server itself. Unset: DATABASE_URL.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    default_namespace: str = "default"
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # Skill folders sent as tar.gz or zip: the body, then what it may unpack to.
    archive_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    archive_max_files: int = Field(default=1000, gt=0)
    archive_max_total_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    archive_max_ratio: int = Field(default=100, gt=0)
    # A fixed pool: overflow connections are closed after each use and reopened (churn), so by
    # default there are none; a request waits up to db_pool_timeout for a free connection.
    db_pool_size: int = Field(
        default=20, gt=0, description="Connections per process, held open (warm misses only)."
    )
    db_max_overflow: int = Field(
        default=0, ge=0, description="Extra connections under bursts (opened and closed per use)."
    )
    db_fastpath_pool_size: int = Field(
        default=8,
        gt=0,
        description="Connections per process for first fetches of exact profile versions"
        " (plain asyncpg, beside the pool above; opened when needed).",
    )
    db_statement_cache_size: int = Field(
        default=100,
        ge=0,
        description="asyncpg prepared statements kept per connection; 0 behind PgBouncer in"
        " transaction pooling mode (statements are then unnamed, per round trip).",
    )
    log_level: str = "info"
    bootstrap_token: SecretStr | None = Field(
        default=None,
        min_length=20,
        description="An admin token the operator chooses (compose, CI); never stored.",
    )
    anonymous_read: bool = Field(default=True, description="False: every read needs a token.")
    oidc_allow_insecure_issuers: bool = Field(
        default=False, description="Allow plain-http OIDC issuers on loopback (tests, trials)."
    )
    oidc_token_minutes: int = Field(default=15, gt=0, le=24 * 60)
    oidc_leeway_seconds: int = Field(default=60, ge=0, le=600)
    oidc_jwks_refresh_cooldown: float = Field(
        default=30, ge=0, description="Seconds between JWKS fetches for an unknown key id."
    )
    auth_failures_per_minute: int = Field(
        default=30, gt=0, description="Failed authentications per client address per minute."
    )
    # Database faults: every wait is bounded, so a request gets its 503 instead of hanging.
    db_connect_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to open a connection."
    )
    db_statement_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a statement may run (server and client side)."
    )
    db_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a free pooled connection."
    )
    search_rank_window: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="When a quarter or more of all artifacts match, relevance search ranks"
        " only this many matches, the most recently published (`approximate: true`).",
    )
    # Profiles carry lifecycle state: cached briefly, then revalidated (ETag, 304).
    profile_max_age: int = Field(default=300, ge=0)
    profile_moving_max_age: int = Field(
        default=60, ge=0, description="max-age when a tag, range or ?resolve=latest chose."
    )
    profile_stale_while_revalidate: int = Field(default=86400, ge=0)
    profile_stale_if_error: int = Field(default=86400, ge=0)
    profile_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="In-process cache of served profiles (served through outages); 0 disables.",
    )
    profile_cache_ttl: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a cached profile is served without asking the database: the"
        " backstop should a cache notice (LISTEN/NOTIFY) be lost.",
    )
    read_token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="With anonymous reads off: seconds a read token, once checked, serves cached"
        " profiles without a database lookup (a revocation on another replica takes this long;"
        " never past the token's expiry)."
        " 0: every request is checked against the database.",
    )
    db_outage_memory_seconds: float = Field(
        default=2.0,
        ge=0,
        description="After a failed database call, cached profiles are served without asking.",
    )
    # Slow clients (`registry serve`): see service/slow_clients.py.
    header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a client has to send complete request headers."
    )
    body_min_rate: float = Field(
        default=1024.0, ge=0, description="Bytes per second a request body must average."
    )
    body_rate_grace: float = Field(
        default=5.0, gt=0, description="Seconds of body before its rate is enforced."
    )
    send_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a client may leave the response unread (the send buffer full).",
    )
    shutdown_timeout: int = Field(
        default=30, gt=0, description="Seconds SIGTERM waits for requests in flight."
    )
    retry_after_seconds: int = Field(
        default=5, ge=0, description="`Retry-After` on every 503 (database unavailable)."
    )
    # Webhooks (DESIGN §5): deliveries come from an outbox table, retried with backoff.
    webhook_allow_private: bool = Field(
        default=False,
        description="Let webhooks reach loopback, private and link-local addresses (tests, labs).",
    )
    webhook_dispatcher: bool = Field(
        default=True, description="Send webhook deliveries from this process."
    )
    webhook_poll_interval: float = Field(default=1.0, gt=0, description="Seconds between polls.")
    webhook_timeout: float = Field(default=10.0, gt=0, description="Seconds a receiver has.")
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles each attempt, ±50 % jitter."
    )
    webhook_backoff_cap_seconds: float = Field(default=3600.0, gt=0)
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT"),
        description="Set: traces (requests, SQL) are exported there over OTLP/HTTP.",
    )
    signing_keys: SecretStr | None = Field(
        default=None,
        description="A JSON Web Key Set of Ed25519 private keys (the last one signs); wins over"
        " the key file. For deployments whose replicas share keys without a shared disk.",
    )
    signing_keys_file: Path | None = Field(
        default=None,
        description="The signing key file; unset means `signing-keys.json` in the data directory,"
        " created on first start.",
    )

    @property
    def signing_keys_path(self) -> Path:
        return self.signing_keys_file or self.data_dir / "signing-keys.json"
