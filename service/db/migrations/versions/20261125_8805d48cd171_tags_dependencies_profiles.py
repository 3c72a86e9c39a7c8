"""tags dependencies profiles

Revision ID: 8805d48cd171
Revises: 81b491e2d89f
Create Date: 2026-11-25 13:00:59.543724
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8805d48cd171"
down_revision: str | None = "81b491e2d89f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("artifact_id", sa.BigInteger(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_tags_artifact_id_artifacts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["artifact_versions.id"],
            name=op.f("fk_tags_version_id_artifact_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("artifact_id", "tag", name="uq_tags_artifact_id_tag"),
    )
    op.create_table(
        "version_dependencies",
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("target_version_id", sa.BigInteger(), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_version_id"],
            ["artifact_versions.id"],
            name=op.f("fk_version_dependencies_target_version_id_artifact_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["artifact_versions.id"],
            name=op.f("fk_version_dependencies_version_id_artifact_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "version_id", "target_version_id", name=op.f("pk_version_dependencies")
        ),
    )
    op.create_index(
        "ix_version_dependencies_target_version_id",
        "version_dependencies",
        ["target_version_id"],
        unique=False,
    )
    op.add_column(
        "artifact_versions",
        sa.Column(
            "requires", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
    )
    op.add_column(
        "artifact_versions",
        sa.Column("tool_rules", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "artifact_versions",
        sa.Column(
            "disallowed_rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
    )
    op.add_column("artifact_versions", sa.Column("profile_json", sa.LargeBinary(), nullable=True))
    op.add_column(
        "artifact_versions", sa.Column("profile_markdown", sa.LargeBinary(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("artifact_versions", "profile_markdown")
    op.drop_column("artifact_versions", "profile_json")
    op.drop_column("artifact_versions", "disallowed_rules")
    op.drop_column("artifact_versions", "tool_rules")
    op.drop_column("artifact_versions", "requires")
    op.drop_index("ix_version_dependencies_target_version_id", table_name="version_dependencies")
    op.drop_table("version_dependencies")
    op.drop_table("tags")
