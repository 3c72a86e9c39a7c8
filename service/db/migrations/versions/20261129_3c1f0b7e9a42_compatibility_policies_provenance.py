"""compatibility policies, provenance

Revision ID: 3c1f0b7e9a42
Revises: 3c1f6a0d2b7e
Create Date: 2026-11-29 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3c1f0b7e9a42"
down_revision: str | None = "3c1f6a0d2b7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VALUES = "compatibility IN ('none', 'warn', 'enforce')"


def upgrade() -> None:
    op.create_table(
        "namespace_policies",
        sa.Column("namespace", sa.String(length=64), nullable=False),
        sa.Column("compatibility", sa.String(length=16), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.CheckConstraint(_VALUES, name=op.f("ck_namespace_policies_compatibility")),
        sa.PrimaryKeyConstraint("namespace", name=op.f("pk_namespace_policies")),
    )
    op.add_column("artifacts", sa.Column("compatibility", sa.String(length=16), nullable=True))
    op.create_check_constraint(op.f("ck_artifacts_compatibility"), "artifacts", _VALUES)
    op.add_column(
        "artifact_versions",
        sa.Column("provenance", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("artifact_versions", "provenance")
    op.drop_constraint(op.f("ck_artifacts_compatibility"), "artifacts", type_="check")
    op.drop_column("artifacts", "compatibility")
    op.drop_table("namespace_policies")
