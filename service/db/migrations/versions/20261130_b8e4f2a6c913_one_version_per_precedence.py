"""one version per precedence: `1.0.0+a` and `1.0.0+b` cannot both be stored

Revision ID: b8e4f2a6c913
Revises: a7d2e5f3c1b8
Create Date: 2026-11-30 03:10:00

SemVer ignores build metadata when ordering, so two versions of an artifact that differ only in
it tie: a range, a tag-less `latest` or the compatibility baseline chose either, by the order the
rows happened to be read in (a yank or deprecation of one, which rewrites its row, could flip
`latest` to the other). The index that orders versions becomes unique, so a publish of the
second is refused (409) however concurrent. A database that already holds such a pair refuses
the upgrade, naming them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8e4f2a6c913"
down_revision: str | None = "a7d2e5f3c1b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["artifact_id", "major", "minor", "patch", "is_release", "prerelease"]
TIED = """
SELECT a.kind || ' ' || a.namespace || '/' || a.name || ': ' || string_agg(v.version, ', ')
FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
GROUP BY a.kind, a.namespace, a.name, v.major, v.minor, v.patch, v.is_release, v.prerelease
HAVING count(*) > 1
LIMIT 20"""


def upgrade() -> None:
    tied = op.get_bind().scalars(sa.text(TIED)).all()
    if tied:
        raise RuntimeError(
            "versions that differ only in build metadata are stored; they cannot be told apart"
            " by precedence: " + "; ".join(tied)
        )
    op.drop_index("ix_artifact_versions_order", table_name="artifact_versions")
    op.create_index("ix_artifact_versions_order", "artifact_versions", COLUMNS, unique=True)


def downgrade() -> None:
    op.drop_index("ix_artifact_versions_order", table_name="artifact_versions")
    op.create_index("ix_artifact_versions_order", "artifact_versions", COLUMNS, unique=False)
