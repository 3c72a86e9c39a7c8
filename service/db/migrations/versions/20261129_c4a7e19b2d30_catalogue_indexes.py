"""catalogue indexes: newest versions, recent lifecycle changes, latest non-yanked per artifact,
newest dependents of a version

Revision ID: c4a7e19b2d30
Revises: 8805d48cd171
Create Date: 2026-11-29 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a7e19b2d30"
down_revision: str | None = "8805d48cd171"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_artifact_versions_published_at", "artifact_versions", ["published_at"], unique=False
    )
    op.create_index(
        "ix_artifact_versions_yanked_at",
        "artifact_versions",
        ["yanked_at"],
        unique=False,
        postgresql_where=sa.text("yanked_at IS NOT NULL"),
    )
    op.create_index(
        "ix_artifact_versions_deprecated_at",
        "artifact_versions",
        ["deprecated_at"],
        unique=False,
        postgresql_where=sa.text("deprecated_at IS NOT NULL"),
    )
    op.create_index(
        "ix_artifact_versions_active",
        "artifact_versions",
        ["artifact_id", "is_release", "major", "minor", "patch", "prerelease"],
        unique=False,
        postgresql_where=sa.text("yanked_at IS NULL"),
    )
    op.create_index(
        "ix_version_dependencies_target_recent",
        "version_dependencies",
        ["target_version_id", "version_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_version_dependencies_target_recent", table_name="version_dependencies")
    op.drop_index(
        "ix_artifact_versions_active",
        table_name="artifact_versions",
        postgresql_where=sa.text("yanked_at IS NULL"),
    )
    op.drop_index(
        "ix_artifact_versions_deprecated_at",
        table_name="artifact_versions",
        postgresql_where=sa.text("deprecated_at IS NOT NULL"),
    )
    op.drop_index(
        "ix_artifact_versions_yanked_at",
        table_name="artifact_versions",
        postgresql_where=sa.text("yanked_at IS NOT NULL"),
    )
    op.drop_index("ix_artifact_versions_published_at", table_name="artifact_versions")
