"""search documents: a small ranking vector, a listing summary and the grant rules

Revision ID: e2b7c4d9a1f3
Revises: add61c5bcb49
Create Date: 2026-11-29 18:20:00

`title` (name and description) is what relevance ranks: `document` (which adds the
instructions) is only matched, because ranking every match of a common word on its whole
vector took hundreds of milliseconds at 100k versions (bench/README.md). `summary`
(`namespace/name description`) is what the catalogue's substring search reads, with a trigram
index where pg_trgm exists; `grants` are the latest version's effective grant rules (an agent's
from its resolved profile, null when it inherits every tool; a skill's or toolset's declared
rules), so listings no longer parse stored profiles.
"""

import runpy
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e2b7c4d9a1f3"
down_revision: str | None = "add61c5bcb49"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TITLE = (
    "setweight(to_tsvector('simple', a.name || ' ' || translate(a.name, '-._', '   ')), 'A')"
    " || setweight(to_tsvector('english', v.description), 'B')"
)
SUMMARY = "a.namespace || '/' || a.name || ' ' || v.description"
GRANTS = """CASE
    WHEN a.kind = 'agent' AND v.profile_json IS NOT NULL THEN (
        SELECT CASE WHEN p -> 'tools' ->> 'mode' = 'inherit' THEN NULL ELSE ARRAY(
            SELECT g ->> 'rule' FROM jsonb_array_elements(p -> 'tools' -> 'grants') g
        ) END
        FROM (SELECT convert_from(v.profile_json, 'UTF8')::jsonb AS p) profile
    )
    WHEN jsonb_typeof(v.tool_rules) = 'array' THEN ARRAY(
        SELECT jsonb_array_elements_text(v.tool_rules)
    )
    WHEN a.kind = 'agent' THEN NULL
    ELSE '{}'::text[] END"""

REFRESH = f"""
CREATE OR REPLACE FUNCTION search_documents_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    chosen bigint;
    shown bigint;
BEGIN
    IF NEW.event NOT IN ('published', 'yanked', 'unyanked') THEN
        RETURN NULL;
    END IF;
    SELECT id INTO target FROM artifacts
    WHERE kind = NEW.kind AND namespace = NEW.namespace AND name = NEW.name;
    IF target IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT v.id INTO chosen FROM artifact_versions v
    WHERE v.artifact_id = target AND v.yanked_at IS NULL
    ORDER BY v.is_release DESC, v.major DESC, v.minor DESC, v.patch DESC, v.prerelease DESC
    LIMIT 1;
    SELECT version_id INTO shown FROM search_documents
    WHERE artifact_id = target AND valid_to IS NULL;
    IF chosen IS NOT DISTINCT FROM shown THEN
        RETURN NULL;
    END IF;
    UPDATE search_documents SET valid_to = NEW.seq WHERE artifact_id = target AND valid_to IS NULL;
    IF chosen IS NOT NULL THEN
        INSERT INTO search_documents (
            artifact_id, version_id, kind, namespace, name, version, published_at, model,
            skills, tools, document, title, summary, grants, valid_from
        )
        SELECT
            a.id, v.id, a.kind, a.namespace, a.name, v.version, v.published_at,
            CASE WHEN jsonb_typeof(v.frontmatter -> 'model') = 'string'
                THEN v.frontmatter ->> 'model' END,
            ARRAY(
                SELECT DISTINCT s.namespace || '/' || s.name
                FROM version_dependencies d
                JOIN artifact_versions sv ON sv.id = d.target_version_id
                JOIN artifacts s ON s.id = sv.artifact_id
                WHERE d.version_id = v.id AND s.kind = 'skill'
            ),
            CASE WHEN v.profile_json IS NOT NULL THEN ARRAY(
                SELECT DISTINCT g ->> 'tool'
                FROM jsonb_array_elements(
                    convert_from(v.profile_json, 'UTF8')::jsonb -> 'tools' -> 'grants'
                ) g
                WHERE g ->> 'tool' IS NOT NULL
            ) WHEN jsonb_typeof(v.tool_rules) = 'array' THEN ARRAY(
                SELECT DISTINCT split_part(r, '(', 1)
                FROM jsonb_array_elements_text(v.tool_rules) r
            ) ELSE '{{}}'::text[] END,
            setweight(to_tsvector('simple', a.name || ' ' || translate(a.name, '-._', '   ')), 'A')
                || setweight(to_tsvector('english', v.description), 'B')
                || setweight(to_tsvector('english', left(v.body, 100000)), 'C'),
            {TITLE},
            {SUMMARY},
            {GRANTS},
            NEW.seq
        FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
        WHERE v.id = chosen;
    END IF;
    RETURN NULL;
END $$"""  # noqa: S608 (fixed fragments only)

BACKFILL = f"""
UPDATE search_documents d SET title = {TITLE}, summary = {SUMMARY}, grants = {GRANTS}
FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
WHERE v.id = d.version_id
"""  # noqa: S608 (fixed fragments only)

CURRENT = sa.text("valid_to IS NULL")


def upgrade() -> None:
    op.add_column("search_documents", sa.Column("title", postgresql.TSVECTOR(), nullable=True))
    op.add_column("search_documents", sa.Column("summary", sa.Text(), nullable=True))
    op.add_column("search_documents", sa.Column("grants", postgresql.ARRAY(sa.Text())))
    op.execute(BACKFILL)
    op.alter_column("search_documents", "title", nullable=False)
    op.alter_column("search_documents", "summary", nullable=False)
    op.execute(REFRESH)
    op.create_index(
        "ix_search_documents_title",
        "search_documents",
        ["title"],
        postgresql_using="gin",
        postgresql_where=CURRENT,
    )
    # Listing without words reads the current documents in these orders (sort=name, published)
    # and stops when a page is full.
    op.create_index(
        "ix_search_documents_by_name",
        "search_documents",
        ["namespace", "name", "kind", "artifact_id"],
        postgresql_where=CURRENT,
    )
    op.create_index(
        "ix_search_documents_by_published",
        "search_documents",
        [sa.text("published_at DESC"), "artifact_id"],
        postgresql_where=CURRENT,
    )
    # Installed by 5e4c1a9f7b21 where PostgreSQL has it (not in the embedded pgserver build):
    # then the catalogue's substring search reads every current summary instead.
    if op.get_bind().scalar(sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")):
        op.execute(
            "CREATE INDEX ix_search_documents_summary_trgm ON search_documents"
            " USING gin (lower(summary) gin_trgm_ops) WHERE valid_to IS NULL"
        )


def downgrade() -> None:
    previous = runpy.run_path(
        str(Path(__file__).with_name("20261129_5e4c1a9f7b21_changes_feed_search.py"))
    )
    [refresh] = [f for f in previous["FUNCTIONS"] if "search_documents_refresh()" in f]
    op.execute(refresh.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute("DROP INDEX IF EXISTS ix_search_documents_summary_trgm")
    op.drop_index(
        "ix_search_documents_title", table_name="search_documents", postgresql_where=CURRENT
    )
    op.drop_column("search_documents", "grants")
    op.drop_column("search_documents", "summary")
    op.drop_column("search_documents", "title")
