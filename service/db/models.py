"""Tables: namespaces, artifacts, their immutable versions, skill folder files, tokens, trust
policies, and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from service.formats.kinds import KINDS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Namespace(Base):
    """A namespace exists once an admin creates it or a token scoped to it by name publishes."""

    __tablename__ = "namespaces"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)


class Artifact(Base):
    """A named thing that has versions: an agent, a skill (later a toolset)."""

    __tablename__ = "artifacts"
    __table_args__ = (
        UniqueConstraint("kind", "namespace", "name", name="uq_artifacts_kind_namespace_name"),
        CheckConstraint(f"kind IN ({', '.join(map(repr, KINDS))})", name="kind"),
        CheckConstraint("compatibility IN ('none', 'warn', 'enforce')", name="compatibility"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    namespace: Mapped[str] = mapped_column(ForeignKey("namespaces.name", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The artifact's own compatibility policy; null follows its namespace's.
    compatibility: Mapped[str | None] = mapped_column(String(16))

    versions: Mapped[list[ArtifactVersion]] = relationship(back_populates="artifact", lazy="raise")


class ArtifactVersion(Base):
    """One immutable published version: the exact bytes, their digest and what was parsed from them."""

    __tablename__ = "artifact_versions"
    __table_args__ = (
        UniqueConstraint("artifact_id", "version", name="uq_artifact_versions_artifact_version"),
        Index("ix_artifact_versions_digest", "digest"),
        # Unique: versions that differ only in build metadata (`1.0.0+a`, `1.0.0+b`) have one
        # precedence, so no range, tag or `latest` could choose between them.
        Index(
            "ix_artifact_versions_order",
            "artifact_id",
            "major",
            "minor",
            "patch",
            "is_release",
            "prerelease",
            unique=True,
        ),
        # The catalogue's feeds (newest, recently yanked or deprecated) and its search, which
        # takes each artifact's highest non-yanked version, releases first, in one index probe.
        Index("ix_artifact_versions_published_at", "published_at"),
        Index(
            "ix_artifact_versions_yanked_at",
            "yanked_at",
            postgresql_where=text("yanked_at IS NOT NULL"),
        ),
        Index(
            "ix_artifact_versions_deprecated_at",
            "deprecated_at",
            postgresql_where=text("deprecated_at IS NOT NULL"),
        ),
        Index(
            "ix_artifact_versions_active",
            "artifact_id",
            "is_release",
            "major",
            "minor",
            "patch",
            "prerelease",
            postgresql_where=text("yanked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="RESTRICT"))
    version: Mapped[str] = mapped_column(String(128))
    major: Mapped[int] = mapped_column(BigInteger)
    minor: Mapped[int] = mapped_column(BigInteger)
    patch: Mapped[int] = mapped_column(BigInteger)
    # A release sorts after every prerelease of the same major.minor.patch.
    is_release: Mapped[bool] = mapped_column(Boolean)
    # Encoded identifiers (see Version.prerelease_key); "C" collation makes text order byte order.
    prerelease: Mapped[list[str]] = mapped_column(ARRAY(Text(collation="C")))
    digest: Mapped[str] = mapped_column(String(71))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    frontmatter: Mapped[dict[str, Any]] = mapped_column(JSONB)
    body: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    lock: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    # What the file declares it needs: [{"name", "constraint", "loc"}] (agent `skills`, skill
    # `metadata.requires`), kept so `?resolve=latest` and dependents need not re-parse.
    requires: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    # Tool rules as written: agent `tools` (null = inherit), skill `allowed-tools`, toolset `tools`.
    tool_rules: Mapped[list[str] | None] = mapped_column(JSONB)
    disallowed_rules: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    # The resolved profile of an agent version, serialised once at publish (and on yank or
    # deprecate), so serving an exact version is a read of stored bytes.
    # Stored lz4-compressed where the server has lz4, else uncompressed (migration a7d2e5f3c1b8:
    # pglz decompression was most of PostgreSQL's time per first fetch).
    profile_json: Mapped[bytes | None] = mapped_column(LargeBinary)
    profile_markdown: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Their SHA-256, computed by PostgreSQL whenever a body is written: the ETag of a stored
    # profile is derived from it, so serving one never hashes the body (service.profiles).
    profile_json_sha256: Mapped[bytes | None] = mapped_column(
        LargeBinary, Computed("sha256(profile_json)", persisted=True)
    )
    profile_markdown_sha256: Mapped[bytes | None] = mapped_column(
        LargeBinary, Computed("sha256(profile_markdown)", persisted=True)
    )
    warnings: Mapped[list[dict[str, str]]] = mapped_column(JSONB, server_default="[]")
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    publisher: Mapped[str | None] = mapped_column(Text)
    # How the version was published: OIDC claims of the CI run, or the token's name.
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    yanked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    yank_reason: Mapped[str | None] = mapped_column(Text)
    deprecated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deprecation_message: Mapped[str | None] = mapped_column(Text)

    artifact: Mapped[Artifact] = relationship(back_populates="versions", lazy="raise")


class Tag(Base):
    """A movable name for one version of an artifact (`latest`, `stable`, `canary`)."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("artifact_id", "tag", name="uq_tags_artifact_id_tag"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="RESTRICT"))
    tag: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("artifact_versions.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class VersionDependency(Base):
    """One edge of a version's lock: this version was resolved against that one."""

    __tablename__ = "version_dependencies"
    __table_args__ = (
        Index("ix_version_dependencies_target_version_id", "target_version_id"),
        # A popular skill's newest dependents, without sorting all of them (the catalogue).
        Index("ix_version_dependencies_target_recent", "target_version_id", "version_id"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("artifact_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    target_version_id: Mapped[int] = mapped_column(
        ForeignKey("artifact_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    direct: Mapped[bool] = mapped_column(Boolean)


class ApiToken(Base):
    """A bearer token: only its SHA-256 is stored. OIDC exchanges issue short-lived rows too."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        CheckConstraint("source IN ('api', 'cli', 'serve', 'oidc')", name="source"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64))
    # The first characters of the secret, enough to tell tokens apart in a list.
    hint: Mapped[str] = mapped_column(String(16))
    namespaces: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    source: Mapped[str] = mapped_column(String(16))
    # For tokens issued by an OIDC exchange: who asked, and what the policy matched on.
    subject: Mapped[str | None] = mapped_column(Text)
    claims: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    trust_policy_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TrustPolicy(Base):
    """Which OIDC tokens (issuer, audience, claims) may publish where, without a stored secret."""

    __tablename__ = "trust_policies"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    issuer: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text)
    claims: Mapped[dict[str, str]] = mapped_column(JSONB)
    namespaces: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    created_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NamespacePolicy(Base):
    """A namespace's compatibility policy, keyed by the namespace's name."""

    __tablename__ = "namespace_policies"
    __table_args__ = (
        CheckConstraint("compatibility IN ('none', 'warn', 'enforce')", name="compatibility"),
    )

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    compatibility: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    updated_by: Mapped[str | None] = mapped_column(Text)


class AuditRecord(Base):
    """Every write and every refused one: who, what, when, which digest. Append-only (a trigger
    refuses UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "kind", "namespace", "name"),
        Index("ix_audit_log_actor", "actor"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    # anonymous, token, oidc, bootstrap or system (seeding); the token's id when there is one.
    actor_kind: Mapped[str] = mapped_column(String(16), server_default="anonymous")
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_claims: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    action: Mapped[str] = mapped_column(String(32))
    # agent, skill, toolset, token, trust_policy or namespace; empty for a refused request
    # that named nothing.
    kind: Mapped[str | None] = mapped_column(String(16))
    namespace: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(128))
    version: Mapped[str | None] = mapped_column(String(128))
    digest: Mapped[str | None] = mapped_column(String(71))
    request_id: Mapped[str | None] = mapped_column(String(128))
    client_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class Change(Base):
    """One event of the changes feed, written in the same transaction as the write it records.

    `seq` comes from `registry_next_seq()` (see the changes migration): numbers are handed out
    under a transaction-scoped lock, so they commit in order and a reader never skips one.
    """

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_subject", "kind", "namespace", "name"),)

    seq: Mapped[int] = mapped_column(
        BigInteger,
        primary_key=True,
        autoincrement=False,
        server_default=text("registry_next_seq()"),
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    event: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    namespace: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str | None] = mapped_column(String(128))
    digest: Mapped[str | None] = mapped_column(String(71))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class SearchDocument(Base):
    """What search matches for one artifact: its latest non-yanked version, kept by a trigger.

    A row is valid for feed positions `valid_from < seq <= valid_to` (open when `valid_to` is
    null), so a search cursor pinned to a position pages through one consistent snapshot.
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        Index(
            "ix_search_documents_current",
            "artifact_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
        # What search matches in, over current documents only.
        *(
            Index(
                f"ix_search_documents_{column}",
                column,
                postgresql_using="gin",
                postgresql_where=text("valid_to IS NULL"),
            )
            for column in ("document", "title", "skills", "tools")
        ),
        Index("ix_search_documents_valid_to", "valid_to"),
        Index(
            "ix_search_documents_by_name",
            "namespace",
            "name",
            "kind",
            "artifact_id",
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index(
            "ix_search_documents_by_published",
            text("published_at DESC"),
            "artifact_id",
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("artifact_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    namespace: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    model: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[str]] = mapped_column(ARRAY(Text))
    tools: Mapped[list[str]] = mapped_column(ARRAY(Text))
    document: Mapped[Any] = mapped_column(TSVECTOR)  # matched: name, description, instructions
    title: Mapped[Any] = mapped_column(TSVECTOR)  # ranked: name and description
    summary: Mapped[str] = mapped_column(Text)  # `namespace/name description`, for listings
    grants: Mapped[list[str] | None] = mapped_column(ARRAY(Text))  # null: inherits every tool
    valid_from: Mapped[int] = mapped_column(BigInteger)
    valid_to: Mapped[int | None] = mapped_column(BigInteger)


class MirrorState(Base):
    """How far `registry mirror` has applied a source's feed; any read-only row makes every
    write not made by the mirror fail (trigger `changes_read_only`)."""

    __tablename__ = "mirror_state"

    source: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[str] = mapped_column(Text)
    read_only: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebhookSubscription(Base):
    """Where to POST feed events; the secret signs every delivery (kept: HMAC needs it)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(ARRAY(Text))
    namespace: Mapped[str | None] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebhookDelivery(Base):
    """The outbox: one row per (subscription, event), inserted by a trigger on `changes` in the
    same transaction as the write; the dispatcher sends it until it is delivered or gives up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "subscription_id", "change_seq", name="uq_webhook_deliveries_subscription_id"
        ),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    change_seq: Mapped[int] = mapped_column(ForeignKey("changes.seq", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FileBlob(Base):
    """One distinct file content of a skill folder, stored once however many versions hold it."""

    __tablename__ = "file_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class VersionFile(Base):
    """One file of a skill version's folder: where it sits, whether it runs, which content."""

    __tablename__ = "version_files"
    __table_args__ = (Index("ix_version_files_sha256", "sha256"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("artifact_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("file_blobs.sha256", ondelete="RESTRICT"))
    executable: Mapped[bool] = mapped_column(Boolean)
