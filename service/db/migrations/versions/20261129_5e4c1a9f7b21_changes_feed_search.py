"""changes feed, search documents, mirror state

Revision ID: 5e4c1a9f7b21
Revises: 3c1f0b7e9a42
Create Date: 2026-11-29 15:20:00

The feed's numbers come from `registry_next_seq()`: it takes a transaction-scoped advisory lock
before `nextval`, so numbers are handed out in commit order (the lock is released only after
the commit is visible). `registry_settled_seq()` waits for that lock in shared mode and returns
the last number handed out: every change up to it is committed or rolled back, never in flight.

Search documents are kept by a trigger on `changes`: a publish, yank or unyank re-chooses the
artifact's latest non-yanked version; when it differs, the old document is closed at that feed
position and a new one opened, so a search cursor can page through one snapshot.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5e4c1a9f7b21"
down_revision: str | None = "3c1f0b7e9a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# pg_advisory_xact_lock key 18973591113000307 is "Changes" in ASCII; every replica uses it.
FUNCTIONS = (
    "CREATE SEQUENCE registry_seq",
    """
CREATE FUNCTION registry_next_seq() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(18973591113000307);
    RETURN nextval('registry_seq');
END $$""",
    """
CREATE FUNCTION registry_settled_seq() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last bigint;
    called boolean;
BEGIN
    PERFORM pg_advisory_lock_shared(18973591113000307);
    SELECT last_value, is_called INTO last, called FROM registry_seq;
    PERFORM pg_advisory_unlock_shared(18973591113000307);
    RETURN CASE WHEN called THEN last ELSE 0 END;
END $$""",
    """
CREATE FUNCTION search_documents_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
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
            skills, tools, document, valid_from
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
            ) ELSE '{}'::text[] END,
            setweight(to_tsvector('simple', a.name || ' ' || translate(a.name, '-._', '   ')), 'A')
                || setweight(to_tsvector('english', v.description), 'B')
                || setweight(to_tsvector('english', left(v.body, 100000)), 'C'),
            NEW.seq
        FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
        WHERE v.id = chosen;
    END IF;
    RETURN NULL;
END $$""",
    # A registry that `registry mirror` follows read-only takes writes from the mirror alone
    # (it sets registry.mirror_apply in its transactions): every write records a change.
    """
CREATE FUNCTION changes_read_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('registry.mirror_apply', true), '') <> 'on'
       AND EXISTS (SELECT 1 FROM mirror_state WHERE read_only) THEN
        RAISE EXCEPTION 'this registry is a read-only mirror' USING ERRCODE = 'RG001';
    END IF;
    RETURN NEW;
END $$""",
)

# Everything already stored gets its events, oldest first, so a mirror of an existing registry
# starts from position 0 and search covers it.
BACKFILL = """
INSERT INTO changes (at, event, kind, namespace, name, version, digest, details)
SELECT at, event, kind, namespace, name, version, digest, details FROM (
    SELECT v.published_at AS at, 0 AS rank, v.id AS tie, 'published' AS event, a.kind,
           a.namespace, a.name, v.version, v.digest, '{}'::jsonb AS details
    FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
    UNION ALL
    SELECT v.yanked_at, 1, v.id, 'yanked', a.kind, a.namespace, a.name, v.version, v.digest,
           jsonb_build_object('reason', v.yank_reason)
    FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
    WHERE v.yanked_at IS NOT NULL
    UNION ALL
    SELECT v.deprecated_at, 2, v.id, 'deprecated', a.kind, a.namespace, a.name, v.version,
           v.digest, jsonb_build_object('message', v.deprecation_message)
    FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
    WHERE v.deprecated_at IS NOT NULL
    UNION ALL
    SELECT t.updated_at, 3, t.id, 'tag.moved', a.kind, a.namespace, a.name, v.version, v.digest,
           jsonb_build_object('tag', t.tag)
    FROM tags t JOIN artifact_versions v ON v.id = t.version_id
    JOIN artifacts a ON a.id = t.artifact_id
) existing
ORDER BY at, rank, tie
"""


def upgrade() -> None:
    op.create_table(
        "mirror_state",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("read_only", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_mirror_state")),
    )
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in FUNCTIONS:
        op.execute(statement)
    op.create_table(
        "changes",
        sa.Column(
            "seq",
            sa.BigInteger(),
            server_default=sa.text("registry_next_seq()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("namespace", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=True),
        sa.Column("digest", sa.String(length=71), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
    )
    op.create_index("ix_changes_subject", "changes", ["kind", "namespace", "name"], unique=False)
    op.create_table(
        "search_documents",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("artifact_id", sa.BigInteger(), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("namespace", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("tools", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("valid_from", sa.BigInteger(), nullable=False),
        sa.Column("valid_to", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_search_documents_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["artifact_versions.id"],
            name=op.f("fk_search_documents_version_id_artifact_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    current = sa.text("valid_to IS NULL")
    op.create_index(
        "ix_search_documents_current",
        "search_documents",
        ["artifact_id"],
        unique=True,
        postgresql_where=current,
    )
    for column in ("document", "skills", "tools"):
        op.create_index(
            f"ix_search_documents_{column}",
            "search_documents",
            [column],
            postgresql_using="gin",
            postgresql_where=current,
        )
    op.create_index("ix_search_documents_valid_to", "search_documents", ["valid_to"])
    # Trigram similarity for names and typos needs pg_trgm, a contrib extension: every packaged
    # PostgreSQL has it, the embedded pgserver build does not (search then matches words only).
    if op.get_bind().scalar(
        sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ):
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_search_documents_name_trgm ON search_documents"
            " USING gin (name gin_trgm_ops) WHERE valid_to IS NULL"
        )
    op.execute(
        "CREATE TRIGGER changes_refresh_search AFTER INSERT ON changes"
        " FOR EACH ROW EXECUTE FUNCTION search_documents_refresh()"
    )
    op.execute(
        "CREATE TRIGGER changes_read_only BEFORE INSERT ON changes"
        " FOR EACH ROW EXECUTE FUNCTION changes_read_only_guard()"
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    # pg_trgm stays installed: other schemas in the database may use it.
    op.execute("DROP TRIGGER changes_read_only ON changes")
    op.execute("DROP TRIGGER changes_refresh_search ON changes")
    op.execute("DROP INDEX IF EXISTS ix_search_documents_name_trgm")
    op.drop_table("search_documents")
    op.drop_table("changes")
    op.execute("DROP FUNCTION changes_read_only_guard()")
    op.execute("DROP FUNCTION search_documents_refresh()")
    op.execute("DROP FUNCTION registry_settled_seq()")
    op.execute("DROP FUNCTION registry_next_seq()")
    op.execute("DROP SEQUENCE registry_seq")
    op.drop_table("mirror_state")
