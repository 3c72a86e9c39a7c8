"""search GIN indexes without a pending list (fastupdate off)

Revision ID: f5a1d3c7e9b2
Revises: e2b7c4d9a1f3
Create Date: 2026-11-29 18:45:00

With `fastupdate` on (PostgreSQL's default), new entries of a GIN index wait in an unsorted
pending list, which every search then reads in full until a vacuum merges it: right after
20,000 artifacts were published, a search for a rare word took 200-350 ms instead of ~10 ms
(bench/README.md). A registry is read far more than it is written, so each publish pays the
index update itself (a few hundred entries) and searches never see a pending list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5a1d3c7e9b2"
down_revision: str | None = "e2b7c4d9a1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The trigram indexes exist only where pg_trgm does.
INDEXES = (
    "ix_search_documents_document",
    "ix_search_documents_title",
    "ix_search_documents_skills",
    "ix_search_documents_tools",
    "ix_search_documents_name_trgm",
    "ix_search_documents_summary_trgm",
)


def _existing() -> list[str]:
    found = op.get_bind().scalars(
        sa.text("SELECT relname FROM pg_class WHERE relkind = 'i' AND relname = ANY(:names)"),
        {"names": list(INDEXES)},
    )
    return [name for name in INDEXES if name in set(found)]


def upgrade() -> None:
    for index in _existing():
        op.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        # What is already pending is merged now, not at the next vacuum.
        op.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def downgrade() -> None:
    for index in _existing():
        op.execute(f"ALTER INDEX {index} RESET (fastupdate)")
