"""One unit of work per request: the request's transaction commits before the response is sent,
rolls back on any failure, and a publish takes a bounded number of statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.unit_of_work import after_commit, record_always, transaction, unit_of_work
from service.errors import WriteConflict
from tests.helpers import DEV_PYTHON_SKILLS, agent_bytes, put, skill_bytes, skill_file

# What one publish costs, from the first statement to COMMIT: an agent with six skills released
# over an earlier one (18 before the unit of work: a re-read after COMMIT, the compatibility
# baseline found by reading every release; 13 with one statement per read and write): what is
# stored about the artifact (the version if it exists, the policy, the baseline), the skills
# with their tags and files, then one statement that writes it all. A new skill: no skills.
# Raising it needs a reason in the commit that does.
AGENT_PUBLISH_STATEMENTS = 4
SKILL_PUBLISH_STATEMENTS = 3


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the app's engine sends while the block runs, COMMIT included."""
    sent: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(" ".join(statement.split())[:120])

    def commit(conn: Any) -> None:
        sent.append("COMMIT")

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "commit", commit)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
        event.remove(engine.sync_engine, "commit", commit)


@contextmanager
def failing(engine: AsyncEngine, when: Callable[[str], bool], error: Exception) -> Iterator[None]:
    """The first statement `when` picks raises `error` instead of running."""

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if when(statement):
            raise error

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def _publish_skills(client: httpx.AsyncClient) -> None:
    for name in DEV_PYTHON_SKILLS:
        response = await put(client, "skill", name, "1.0.0", skill_bytes(name))
        assert response.status_code == 201, response.text


async def _row_counts(engine: AsyncEngine) -> dict[str, int]:
    tables = ("namespaces", "artifacts", "artifact_versions", "audit_log", "changes")
    async with engine.connect() as connection:
        return {
            table: int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for table in tables
        }


async def test_publish_sends_a_bounded_number_of_statements_and_one_commit(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    engine: AsyncEngine = app.state.engine
    with statements(engine) as skill_sent:
        response = await put(client, "skill", "solo", "1.0.0", skill_file("solo"))
    assert response.status_code == 201, response.text
    await _publish_skills(client)
    first = await put(client, "agent", "dev-python", "1.0.0", agent_bytes("dev-python"))
    assert first.status_code == 201, first.text
    # A later release is compared with the one below it: the most a publish does.
    with statements(engine) as agent_sent:
        response = await put(client, "agent", "dev-python", "1.1.0", agent_bytes("dev-python"))
    assert response.status_code == 201, response.text

    for sent, bound in (
        (skill_sent, SKILL_PUBLISH_STATEMENTS),
        (agent_sent, AGENT_PUBLISH_STATEMENTS),
    ):
        assert sent.count("COMMIT") == 1, sent
        assert sent[-1] == "COMMIT", sent  # nothing read back after the write
        assert len(sent) <= bound, "\n".join(sent)
    # The answer is what is stored: the publish's body equals a read of the version.
    stored = await client.get("/v1/agents/dev-python/versions/1.1.0")
    assert stored.json() == response.json()


async def test_a_publish_whose_write_is_cut_leaves_nothing_behind(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    engine: AsyncEngine = app.state.engine
    before = await _row_counts(engine)
    boom = exc.OperationalError("INSERT INTO audit_log", {}, ConnectionResetError("cut"))
    # The one statement that writes the version also writes the audit record.
    with failing(engine, lambda sql: "INSERT INTO audit_log" in sql, boom):
        response = await put(client, "skill", "fresh/helper", "1.0.0", skill_file("helper"))
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "database_unavailable"
    assert await _row_counts(engine) == before
    missing = await client.get("/v1/skills/fresh/helper/versions/1.0.0")
    assert missing.status_code == 404
    assert (await client.get("/v1/namespaces")).json()["items"] == []


async def test_a_publish_the_database_refuses_after_its_first_rows_leaves_nothing_behind(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A real failure inside the database, raised after the namespace, artifact, version, file
    and audit rows of the publish were inserted: the feed row's guard refuses writes to a
    read-only mirror. None of those rows outlives the refusal."""
    engine: AsyncEngine = app.state.engine
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO mirror_state (source, position) VALUES ('http://127.0.0.1:1', '0')")
        )
    try:
        before = await _row_counts(engine)
        blobs = "SELECT count(*) FROM file_blobs"
        async with engine.connect() as connection:
            blobs_before = await connection.scalar(text(blobs))
        response = await put(client, "skill", "fresh/helper", "1.0.0", skill_file("helper"))
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "read_only_mirror"
        assert await _row_counts(engine) == before
        async with engine.connect() as connection:
            assert await connection.scalar(text(blobs)) == blobs_before
        assert (await client.get("/v1/skills/fresh/helper")).status_code == 404
        assert (await client.get("/v1/namespaces")).json()["items"] == []
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM mirror_state"))


async def test_a_failed_commit_is_answered_as_a_problem_not_as_the_success(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    engine: AsyncEngine = app.state.engine

    def refuse(conn: Any) -> None:
        # The connection dies as it is about to commit (a failover, a restart).
        conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

    event.listen(engine.sync_engine, "commit", refuse)
    try:
        response = await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    finally:
        event.remove(engine.sync_engine, "commit", refuse)
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "database_unavailable"
    assert (await client.get("/v1/skills/helper/versions/1.0.0")).status_code == 404
    # The same publish, once the database commits again, is new (nothing was half-written).
    again = await put(client, "skill", "helper", "1.0.0", skill_file("helper"))
    assert again.status_code == 201, again.text


async def test_a_refused_write_is_audited_though_the_request_rolls_back(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    response = await put(anonymous_client, "skill", "helper", "1.0.0", skill_file("helper"))
    assert response.status_code == 401
    audit = (await client.get("/v1/audit")).json()["items"]
    assert [(e["action"], e["details"]["permission"]) for e in audit] == [
        ("unauthenticated", "publish")
    ]


async def test_hooks_run_after_commit_only_and_records_survive_a_rollback(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ran: list[str] = []
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(text("CREATE TEMP TABLE IF NOT EXISTS probe (k int)"))
        after_commit(session, lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]

    with pytest.raises(RuntimeError):
        async with unit_of_work(app.state.sessions) as session:
            await session.execute(text("CREATE TABLE uow_probe (k int)"))
            after_commit(session, lambda: ran.append("rolled back"))
            record_always(session, lambda: ran.append("recorded"))
            raise RuntimeError("the work failed")
    assert ran == ["committed", "recorded"]
    async with app.state.engine.connect() as connection:
        assert await connection.scalar(text("SELECT to_regclass('uow_probe')")) is None


async def test_a_commit_a_concurrent_write_defeats_is_a_write_conflict(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with app.state.sessions() as session:
        with pytest.raises(WriteConflict) as caught:
            async with transaction(session):
                await session.execute(
                    text(
                        "CREATE TEMP TABLE once (k int UNIQUE DEFERRABLE INITIALLY DEFERRED)"
                        " ON COMMIT DROP"
                    )
                )
                await session.execute(text("INSERT INTO once VALUES (1), (1)"))
        assert caught.value.status == 409
        assert "nothing was written" in caught.value.detail
