"""A generated population for benchmarks: N agent versions (default 25 000 agents × 4 versions)
whose skills come from a shared pool, loaded in bulk `COPY` through the row-building code that
publish uses.

    from population import seed_population
    await seed_population(database_url, 100_000)

How: a pool of small skills and one template agent per skill combination are published through
`PublishService` (validation, resolution, profile rendering, dependencies: the real path). Each
generated version is then its template restamped: its own name, version, bytes and digest, its
profile re-rendered by `profile_json_bytes` / `render_markdown`, its row built by
`service.artifacts.repository.version_values` (what `store_version` inserts), and copied in
batches; its dependency rows are its template's. Reusable by any benchmark (search, catalogue).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from service.artifacts.publishing import PublishService
from service.artifacts.repository import ArtifactRepository, NewVersion, version_values
from service.artifacts.views import digest_of
from service.audit.actor import Actor
from service.bundles.manifest import Bundle
from service.db.engine import create_engine, session_factory
from service.db.unit_of_work import unit_of_work
from service.profiles.repository import ProfileRepository
from service.resolution.document import Profile
from service.resolution.profile import profile_json_bytes, render_markdown
from service.semver import Version
from service.settings import Settings

SKILLS = 48  # the shared pool
TEMPLATES = 24  # skill combinations (2 to 6 skills each)
PREFIX = "pop"
JSONB = (
    "frontmatter", "lock", "requires", "tool_rules", "disallowed_rules", "warnings", "provenance"
)  # fmt: skip


def skill_text(i: int) -> bytes:
    return (
        f"---\nname: {PREFIX}-skill-{i}\ndescription: Shared skill {i} of the benchmark pool.\n"
        f"allowed-tools: Read, Grep\n---\n\n# Skill {i}\n\nDo step {i} carefully; check the"
        " result before moving on.\n"
    ).encode()


def agent_text(name: str, skills: list[str], note: str = "") -> bytes:
    return (
        f"---\nname: {name}\ndescription: Generated agent {name} for the benchmark.\n"
        f"tools: Read, Write, Edit, Grep\nmodel: sonnet\nskills: {', '.join(skills)}\n---\n\n"
        f"# {name}\n\nYou build and review services. Use the skills listed above.{note}\n"
    ).encode()


@dataclass
class Template:
    name: str
    skills: list[str]
    version_id: int
    row: dict[str, Any]  # the stored template row: frontmatter, lock, profile, ...
    profile: str  # its profile JSON text


async def _publish_templates(settings: Settings) -> list[Template]:
    assert settings.database_url
    engine = create_engine(settings, settings.database_url)
    sessions = session_factory(engine)
    actor = Actor.system("bench-population")
    templates: list[Template] = []
    try:
        for i in range(SKILLS):
            async with unit_of_work(sessions) as session:
                service = PublishService(
                    ArtifactRepository(session), ProfileRepository(session), "default"
                )
                text = skill_text(i)
                await service.publish(
                    "skill", f"{PREFIX}-skill-{i}", "1.0.0", text, actor=actor,
                    bundle=Bundle.single(text),
                )  # fmt: skip
        for k in range(TEMPLATES):
            skills = [f"{PREFIX}-skill-{(k * 7 + j) % SKILLS}" for j in range(2 + k % 5)]
            async with unit_of_work(sessions) as session:
                service = PublishService(
                    ArtifactRepository(session), ProfileRepository(session), "default"
                )
                name = f"{PREFIX}-template-{k}"
                published = await service.publish(
                    "agent", name, "1.0.0", agent_text(name, skills), actor=actor
                )
            templates.append(await _template_row(settings, name, skills, published))
    finally:
        await engine.dispose()
    return templates


async def _template_row(settings: Settings, name: str, skills: list[str], _: Any) -> Template:
    assert settings.database_url
    connection = await asyncpg.connect(_plain(settings.database_url))
    try:
        row = await connection.fetchrow(
            "SELECT v.* FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
            " WHERE a.kind = 'agent' AND a.name = $1",
            name,
        )
    finally:
        await connection.close()
    stored = dict(row)
    for column in JSONB:
        if isinstance(stored[column], str):
            stored[column] = json.loads(stored[column])
    return Template(name, skills, stored["id"], stored, stored["profile_json"].decode())


def _restamp(template: Template, name: str, version: str) -> NewVersion:
    """The template's version as `name@version`, through the same renderers publish uses."""
    content = agent_text(name, template.skills, f" Release {version}.")
    digest = digest_of(content)
    # The template's name appears in its prompt, description and `requiredBy`: all become ours.
    data = json.loads(template.profile.replace(template.name, name))
    data.update(version=version, digest=digest)
    profile = Profile.model_validate_json(json.dumps(data))
    row = template.row
    frontmatter = {**row["frontmatter"], "name": name, "description": row["description"]}
    frontmatter["description"] = str(frontmatter["description"]).replace(template.name, name)
    return NewVersion(
        version=Version.parse(version),
        text=version,
        digest=digest,
        content=content,
        frontmatter=frontmatter,
        body=row["body"].replace(template.name, name),
        description=row["description"].replace(template.name, name),
        lock=row["lock"],
        warnings=row["warnings"],
        publisher="bench-population",
        provenance=None,
        published_at=row["published_at"],
        requires=row["requires"],
        tool_rules=row["tool_rules"],
        disallowed_rules=row["disallowed_rules"],
        profile_json=profile_json_bytes(profile),
        profile_markdown=render_markdown(profile).encode(),
        size=len(content),
    )


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def seed_population(
    database_url: str, versions: int = 100_000, *, per_agent: int = 4, batch: int = 5_000
) -> dict[str, float]:
    """Seed `versions` agent versions (`versions // per_agent` agents); returns timings."""
    started = time.monotonic()
    templates = await _publish_templates(Settings(database_url=database_url))
    published = time.monotonic()
    agents = versions // per_agent
    names = [f"{PREFIX}-agent-{i}" for i in range(agents)]
    connection = await asyncpg.connect(_plain(database_url))
    try:
        rows = await connection.fetch(
            "INSERT INTO artifacts (kind, namespace, name)"
            " SELECT 'agent', 'default', unnest($1::text[]) RETURNING id, name",
            names,
        )
        ids = {r["name"]: r["id"] for r in rows}
        await connection.execute(
            "CREATE TEMP TABLE pop_map (artifact_id bigint, template_version_id bigint)"
        )
        await connection.copy_records_to_table(
            "pop_map",
            records=[
                (ids[n], templates[i % len(templates)].version_id) for i, n in enumerate(names)
            ],
        )
        columns: list[str] | None = None
        records: list[tuple[Any, ...]] = []
        for i, name in enumerate(names):
            template = templates[i % len(templates)]
            for v in range(per_agent):
                values = version_values(ids[name], _restamp(template, name, f"1.{v}.0"))
                if columns is None:
                    columns = list(values)
                records.append(
                    tuple(
                        json.dumps(values[c]) if c in JSONB and values[c] is not None else values[c]
                        for c in columns
                    )
                )
            if len(records) >= batch:
                await connection.copy_records_to_table(
                    "artifact_versions", records=records, columns=columns
                )
                records = []
        if records:
            await connection.copy_records_to_table(
                "artifact_versions", records=records, columns=columns
            )
        await connection.execute(
            "INSERT INTO version_dependencies (version_id, target_version_id, direct)"
            " SELECT v.id, d.target_version_id, d.direct FROM pop_map m"
            " JOIN artifact_versions v ON v.artifact_id = m.artifact_id"
            " JOIN version_dependencies d ON d.version_id = m.template_version_id"
        )
        await connection.execute("ANALYZE artifacts; ANALYZE artifact_versions;")
        await connection.execute("ANALYZE version_dependencies")
    finally:
        await connection.close()
    done = time.monotonic()
    return {
        "templates_s": published - started,
        "copy_s": done - published,
        "total_s": done - started,
    }


if __name__ == "__main__":
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(asyncio.run(seed_population(sys.argv[1], count)))
