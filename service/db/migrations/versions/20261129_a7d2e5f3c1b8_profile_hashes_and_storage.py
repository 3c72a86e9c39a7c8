"""stored profiles: their SHA-256 kept by PostgreSQL, and cheaper to read back

Revision ID: a7d2e5f3c1b8
Revises: f5a1d3c7e9b2
Create Date: 2026-11-29 23:55:00

The first fetch of a profile (service.profiles.fastpath) hashed the ~26 KB body twice per
request: for its ETag and for the signature memo. `profile_json_sha256` and
`profile_markdown_sha256` are generated columns (`sha256(...) STORED`): PostgreSQL computes
them whenever a body is written (publish, yank, deprecate, bulk COPY), and a read takes 32
bytes instead of hashing the body. Adding them rewrites `artifact_versions` once, hashing
every stored profile (at 100,000 versions: seconds to a minute, under an exclusive lock).

The bodies were stored compressed with pglz, whose decompression was most of PostgreSQL's
time per first fetch (measured on dev-python's 26 KB profile, 20,000 reads in a loop: ~55 µs
each with pglz, ~16 µs with lz4, ~9-15 µs uncompressed). Where the server has lz4 (PostgreSQL
14+ built with it, as the Debian and Docker images are) the profile columns use it; lz4 also
compresses this JSON better (9.5 KB against 14.4 KB). Elsewhere (the embedded pgserver build
has no lz4) they are stored uncompressed out of line (`STORAGE EXTERNAL`: about twice the
bytes of pglz). Either applies to bodies written from now on: rows already stored keep pglz
until rewritten (a yank or deprecation re-renders them); not rewriting 100,000 rows here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d2e5f3c1b8"
down_revision: str | None = "f5a1d3c7e9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODIES = ("profile_json", "profile_markdown")


def _has_lz4() -> bool:
    return bool(
        op.get_bind().scalar(
            sa.text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                " WHERE name = 'default_toast_compression'"
            )
        )
    )


def upgrade() -> None:
    storage = "SET COMPRESSION lz4" if _has_lz4() else "SET STORAGE EXTERNAL"
    op.execute(
        "ALTER TABLE artifact_versions "
        + ", ".join(f"ALTER COLUMN {column} {storage}" for column in BODIES)
    )
    for column in BODIES:
        op.add_column(
            "artifact_versions",
            sa.Column(
                f"{column}_sha256",
                sa.LargeBinary(),
                sa.Computed(f"sha256({column})", persisted=True),
                nullable=True,
            ),
        )


def downgrade() -> None:
    for column in BODIES:
        op.drop_column("artifact_versions", f"{column}_sha256")
    op.execute(
        "ALTER TABLE artifact_versions "
        + ", ".join(
            f"ALTER COLUMN {column} SET STORAGE EXTENDED, ALTER COLUMN {column} SET COMPRESSION"
            " DEFAULT"
            for column in BODIES
        )
    )
