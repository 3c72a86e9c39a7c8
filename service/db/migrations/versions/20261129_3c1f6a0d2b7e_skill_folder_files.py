"""skill folder files: content-addressed blobs and each version's file list

Revision ID: 3c1f6a0d2b7e
Revises: c4a7e19b2d30
Create Date: 2026-11-29 14:50:00.000000

Every skill version published before this revision is a folder holding only its SKILL.md:
the upgrade records that file for each of them, so every skill version has a manifest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f6a0d2b7e"
down_revision: str | None = "c4a7e19b2d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_file_blobs")),
    )
    op.create_table(
        "version_files",
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("executable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["file_blobs.sha256"],
            name=op.f("fk_version_files_sha256_file_blobs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["artifact_versions.id"],
            name=op.f("fk_version_files_version_id_artifact_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("version_id", "path", name=op.f("pk_version_files")),
    )
    op.create_index("ix_version_files_sha256", "version_files", ["sha256"], unique=False)
    op.execute(
        """
        INSERT INTO file_blobs (sha256, size, content)
        SELECT DISTINCT ON (h) h, length(v.content), v.content
        FROM artifact_versions v
        JOIN artifacts a ON a.id = v.artifact_id,
        LATERAL encode(sha256(v.content), 'hex') AS h
        WHERE a.kind = 'skill'
        ON CONFLICT DO NOTHING
        """
    )
    op.execute(
        """
        INSERT INTO version_files (version_id, path, sha256, executable)
        SELECT v.id, 'SKILL.md', encode(sha256(v.content), 'hex'), false
        FROM artifact_versions v
        JOIN artifacts a ON a.id = v.artifact_id
        WHERE a.kind = 'skill'
        """
    )


def downgrade() -> None:
    op.drop_index("ix_version_files_sha256", table_name="version_files")
    op.drop_table("version_files")
    op.drop_table("file_blobs")
