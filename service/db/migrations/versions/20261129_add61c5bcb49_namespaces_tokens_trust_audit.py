"""namespaces, api tokens, trust policies, audit actor fields

Revision ID: add61c5bcb49
Revises: 9b3d7e2a4c10
Create Date: 2026-11-29 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "add61c5bcb49"
down_revision: str | None = "9b3d7e2a4c10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    """
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
)


def upgrade() -> None:
    op.create_table(
        "namespaces",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_namespaces")),
    )
    # Every namespace already published into exists from now on.
    op.execute(
        "INSERT INTO namespaces (name, created_by) SELECT DISTINCT namespace, 'migration'"
        " FROM artifacts"
    )
    op.create_foreign_key(
        op.f("fk_artifacts_namespace_namespaces"),
        "artifacts",
        "namespaces",
        ["namespace"],
        ["name"],
        ondelete="RESTRICT",
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("namespaces", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("permissions", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("claims", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("trust_policy_id", sa.UUID(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "source IN ('api', 'cli', 'serve', 'oidc')", name=op.f("ck_api_tokens_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "trust_policies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("claims", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("namespaces", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("permissions", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_policies")),
    )
    op.add_column(
        "audit_log",
        sa.Column("actor_kind", sa.String(length=16), server_default="anonymous", nullable=False),
    )
    op.add_column("audit_log", sa.Column("actor_id", sa.String(length=64), nullable=True))
    op.add_column(
        "audit_log",
        sa.Column("actor_claims", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("audit_log", sa.Column("request_id", sa.String(length=128), nullable=True))
    op.add_column("audit_log", sa.Column("client_address", sa.String(length=64), nullable=True))
    op.alter_column("audit_log", "kind", existing_type=sa.String(length=16), nullable=True)
    op.alter_column("audit_log", "namespace", existing_type=sa.String(length=64), nullable=True)
    op.alter_column(
        "audit_log",
        "name",
        existing_type=sa.String(length=64),
        type_=sa.String(length=128),
        nullable=True,
    )
    op.execute("UPDATE audit_log SET actor_kind = 'system' WHERE actor = 'seed'")
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"], unique=False)
    for statement in APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    # Rows about tokens, policies and refused requests have no artifact: they cannot go back.
    op.execute("DELETE FROM audit_log WHERE kind IS NULL OR namespace IS NULL OR name IS NULL")
    op.execute("DELETE FROM audit_log WHERE kind NOT IN ('agent', 'skill', 'toolset')")
    op.alter_column(
        "audit_log",
        "name",
        existing_type=sa.String(length=128),
        type_=sa.String(length=64),
        nullable=False,
    )
    op.alter_column("audit_log", "namespace", existing_type=sa.String(length=64), nullable=False)
    op.alter_column("audit_log", "kind", existing_type=sa.String(length=16), nullable=False)
    op.drop_column("audit_log", "client_address")
    op.drop_column("audit_log", "request_id")
    op.drop_column("audit_log", "actor_claims")
    op.drop_column("audit_log", "actor_id")
    op.drop_column("audit_log", "actor_kind")
    op.drop_table("trust_policies")
    op.drop_table("api_tokens")
    op.drop_constraint(op.f("fk_artifacts_namespace_namespaces"), "artifacts", type_="foreignkey")
    op.drop_table("namespaces")
