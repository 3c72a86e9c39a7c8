"""Skill folders over HTTP: publish as tar.gz or zip, files and archive routes, hostile archives."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable

import asyncpg
import httpx
import pytest

from service.bundles.folder import read_folder
from service.bundles.manifest import deterministic_tar_gz
from tests.bundles.archives import (
    NOTES,
    SCRIPT,
    SKILL_MD,
    Entry,
    folder,
    skill_folder,
    tar_gz,
    tar_gz_bomb,
    zip_bomb,
    zip_bytes,
)
from tests.conftest import TABLES
from tests.helpers import (
    AGENT_NAMES,
    EXAMPLES,
    SKILL_NAMES,
    agent_bytes,
    digest,
    put,
    skill_bytes,
)
from tests.servers import plain

GZIP = {"Content-Type": "application/gzip"}
ZIP = {"Content-Type": "application/zip"}
FORMATS: dict[str, tuple[Callable[[list[Entry]], bytes], dict[str, str]]] = {
    "tar.gz": (tar_gz, GZIP),
    "zip": (zip_bytes, ZIP),
}
both = pytest.mark.parametrize("fmt", list(FORMATS))


async def publish_archive(
    client: httpx.AsyncClient, fmt: str, entries: list[Entry], version: str = "1.0.0"
) -> httpx.Response:
    build, headers = FORMATS[fmt]
    return await client.put(
        f"/v1/skills/helper/versions/{version}", content=build(entries), headers=headers
    )


async def row_counts(database_url: str) -> dict[str, int]:
    connection = await asyncpg.connect(plain(database_url))
    try:
        return {t: await connection.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    finally:
        await connection.close()


def manifest_digest(files: dict[str, tuple[bytes, bool]]) -> str:
    lines = b"".join(
        f"{hashlib.sha256(c).hexdigest()} {'755' if x else '644'} {p}\n".encode()
        for p, (c, x) in sorted(files.items())
    )
    return "sha256:" + hashlib.sha256(lines).hexdigest()


HELPER_DIGEST = manifest_digest(
    {
        "SKILL.md": (SKILL_MD, False),
        "references/fixtures.md": (NOTES, False),
        "scripts/run.sh": (SCRIPT, True),
    }
)


# Publishing a folder ---------------------------------------------------------------------


@both
async def test_publish_a_folder_digests_its_canonical_manifest(
    client: httpx.AsyncClient, fmt: str
) -> None:
    response = await publish_archive(client, fmt, skill_folder())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["digest"] == HELPER_DIGEST
    assert body["size"] == len(SKILL_MD) + len(SCRIPT) + len(NOTES)
    assert body["frontmatter"]["name"] == "helper"
    raw = await client.get("/v1/skills/helper/versions/1.0.0/raw")
    assert raw.content == SKILL_MD


async def test_the_same_folder_in_the_other_format_republishes_idempotently(
    client: httpx.AsyncClient,
) -> None:
    assert (await publish_archive(client, "tar.gz", skill_folder())).status_code == 201
    shuffled = [
        Entry(f"helper/{e.name}", e.content, mode=e.mode, mtime=42)
        for e in reversed(skill_folder())
    ]
    again = await publish_archive(client, "zip", shuffled)
    assert again.status_code == 200, again.text
    assert again.json()["digest"] == HELPER_DIGEST


async def test_a_changed_file_under_a_published_version_is_a_409_naming_both_digests(
    client: httpx.AsyncClient,
) -> None:
    assert (await publish_archive(client, "tar.gz", skill_folder())).status_code == 201
    changed = [*skill_folder()[:2], Entry("references/fixtures.md", NOTES + b"more\n")]
    conflict = await publish_archive(client, "zip", changed)
    assert conflict.status_code == 409
    problem = conflict.json()
    assert problem["existingDigest"] == HELPER_DIGEST
    assert problem["publishedDigest"] == manifest_digest(
        {
            "SKILL.md": (SKILL_MD, False),
            "references/fixtures.md": (NOTES + b"more\n", False),
            "scripts/run.sh": (SCRIPT, True),
        }
    )


@both
async def test_a_folder_of_only_skill_md_is_the_same_version_as_the_markdown(
    client: httpx.AsyncClient, fmt: str
) -> None:
    first = await put(client, "skill", "helper", "1.0.0", SKILL_MD)
    assert first.status_code == 201
    again = await publish_archive(client, fmt, folder())
    assert again.status_code == 200, again.text
    assert again.json()["digest"] == first.json()["digest"] == digest(SKILL_MD)


async def test_the_skill_md_inside_an_archive_is_validated_as_today(
    client: httpx.AsyncClient, database_url: str
) -> None:
    bad = [Entry("SKILL.md", b"---\nname: helper\n---\nno description\n"), Entry("a.sh", b"x")]
    response = await publish_archive(client, "zip", bad)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert [e["loc"] for e in response.json()["errors"]] == ["frontmatter.description"]
    assert set((await row_counts(database_url)).values()) == {0}


async def test_files_are_stored_once_however_many_versions_hold_them(
    client: httpx.AsyncClient, database_url: str
) -> None:
    assert (await publish_archive(client, "tar.gz", skill_folder(), "1.0.0")).status_code == 201
    newer = [*skill_folder(), Entry("references/more.md", b"more\n")]
    assert (await publish_archive(client, "zip", newer, "1.1.0")).status_code == 201
    counts = await row_counts(database_url)
    assert counts["version_files"] == 3 + 4
    assert counts["file_blobs"] == 4


async def test_agents_and_toolsets_take_no_archives(client: httpx.AsyncClient) -> None:
    for kind in ("agents", "toolsets"):
        response = await client.put(
            f"/v1/{kind}/helper/versions/1.0.0", content=zip_bytes(folder()), headers=ZIP
        )
        assert response.status_code == 415
        assert response.json()["code"] == "unsupported_media_type"


# Serving it ------------------------------------------------------------------------------


async def test_files_manifest_single_files_and_archive(client: httpx.AsyncClient) -> None:
    assert (await publish_archive(client, "zip", skill_folder())).status_code == 201
    base = "/v1/skills/helper/versions/1.0.0"

    manifest = await client.get(f"{base}/files")
    assert manifest.status_code == 200
    assert manifest.json() == {
        "namespace": "default",
        "name": "helper",
        "version": "1.0.0",
        "digest": HELPER_DIGEST,
        "archive": "/v1/skills/default/helper/versions/1.0.0/archive",
        "files": [
            {
                "path": "SKILL.md",
                "size": len(SKILL_MD),
                "sha256": hashlib.sha256(SKILL_MD).hexdigest(),
                "executable": False,
            },
            {
                "path": "references/fixtures.md",
                "size": len(NOTES),
                "sha256": hashlib.sha256(NOTES).hexdigest(),
                "executable": False,
            },
            {
                "path": "scripts/run.sh",
                "size": len(SCRIPT),
                "sha256": hashlib.sha256(SCRIPT).hexdigest(),
                "executable": True,
            },
        ],
    }

    script = await client.get(f"{base}/files/scripts/run.sh")
    assert script.content == SCRIPT
    assert script.headers["content-type"] == "application/x-sh"
    assert script.headers["etag"] == f'"sha256:{hashlib.sha256(SCRIPT).hexdigest()}"'
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "sandbox" in script.headers["content-security-policy"]
    notes = await client.get(f"{base}/files/references/fixtures.md")
    assert (notes.content, notes.headers["content-type"]) == (NOTES, "text/markdown; charset=utf-8")
    cached = await client.get(
        f"{base}/files/scripts/run.sh", headers={"If-None-Match": script.headers["etag"]}
    )
    assert (cached.status_code, cached.content) == (304, b"")

    first = await client.get(f"{base}/archive")
    second = await client.get("/v1/skills/default/helper/versions/1.0.0/archive")
    assert first.status_code == 200
    assert first.content == second.content
    assert first.headers["content-type"] == "application/gzip"
    assert first.headers["etag"] == f'"sha256:{hashlib.sha256(first.content).hexdigest()}"'
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert 'filename="helper-1.0.0.tar.gz"' in first.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(first.content), mode="r:gz") as tar:
        members = {m.name: (tar.extractfile(m).read(), m.mode) for m in tar}  # type: ignore[union-attr]
    assert members == {
        "helper/SKILL.md": (SKILL_MD, 0o644),
        "helper/references/fixtures.md": (NOTES, 0o644),
        "helper/scripts/run.sh": (SCRIPT, 0o755),
    }
    revalidated = await client.get(
        f"{base}/archive", headers={"If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304


async def test_a_markdown_skill_has_a_manifest_of_its_skill_md(client: httpx.AsyncClient) -> None:
    assert (await put(client, "skill", "helper", "1.0.0", SKILL_MD)).status_code == 201
    manifest = (await client.get("/v1/skills/helper/versions/1.0.0/files")).json()
    assert [(f["path"], f["size"]) for f in manifest["files"]] == [("SKILL.md", len(SKILL_MD))]
    archive = await client.get("/v1/skills/helper/versions/1.0.0/archive")
    with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
        assert tar.getnames() == ["helper/SKILL.md"]


async def test_missing_versions_and_files_are_404_problems(client: httpx.AsyncClient) -> None:
    assert (await publish_archive(client, "zip", skill_folder())).status_code == 201
    for path in (
        "/v1/skills/helper/versions/9.9.9/files",
        "/v1/skills/helper/versions/9.9.9/archive",
        "/v1/skills/helper/versions/1.0.0/files/scripts/missing.sh",
        "/v1/skills/nobody/versions/1.0.0/files/SKILL.md",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"
    missing = await client.get("/v1/skills/helper/versions/1.0.0/files/scripts/missing.sh")
    assert "scripts/missing.sh" in missing.json()["detail"]


# Hostile archives: a 4xx naming the entry, nothing stored ---------------------------------

HOSTILE = [
    ("dotdot", Entry("../../etc/cron.d/evil", b"x"), "path_traversal"),
    ("absolute", Entry("/etc/passwd", b"x"), "absolute_path"),
    ("symlink", Entry("scripts/key", kind="symlink", link="/root/.ssh/id_rsa"), "symlink"),
    ("device", Entry("dev/null", kind="chr"), "special_file"),
    ("duplicate", Entry("./SKILL.md", b"---\nname: other\n---\n"), "duplicate_path"),
    ("case-duplicate", Entry("skill.md", b"x"), "duplicate_path"),
    ("non-utf8", Entry(b"r\xe9sum\xe9.md", b"x"), "non_utf8_name"),
]


@both
@pytest.mark.parametrize(("case", "entry", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_archive_is_refused_naming_the_entry_and_stores_nothing(
    client: httpx.AsyncClient, database_url: str, fmt: str, case: str, entry: Entry, code: str
) -> None:
    response = await publish_archive(client, fmt, [*folder(), entry])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "archive_refused"
    shown = entry.name if isinstance(entry.name, str) else "r\\xe9sum\\xe9.md"
    assert [(e["loc"], e["code"]) for e in problem["errors"]] == [(f"archive:{shown}", code)]
    assert shown in problem["detail"]
    assert set((await row_counts(database_url)).values()) == {0}


async def test_hard_link_in_a_tar_is_refused(client: httpx.AsyncClient, database_url: str) -> None:
    response = await publish_archive(
        client, "tar.gz", [*folder(), Entry("copy", kind="hardlink", link="SKILL.md")]
    )
    assert response.status_code == 422
    assert [(e["loc"], e["code"]) for e in response.json()["errors"]] == [
        ("archive:copy", "hard_link")
    ]
    assert set((await row_counts(database_url)).values()) == {0}


@pytest.mark.parametrize("bomb", [zip_bomb, tar_gz_bomb], ids=["zip", "tar.gz"])
async def test_a_1_gib_bomb_is_a_413_naming_the_entry_and_stores_nothing(
    client: httpx.AsyncClient, database_url: str, bomb: Callable[[], bytes]
) -> None:
    headers = ZIP if bomb is zip_bomb else GZIP
    response = await client.put("/v1/skills/helper/versions/1.0.0", content=bomb(), headers=headers)
    assert response.status_code == 413
    problem = response.json()
    assert problem["code"] == "archive_too_large"
    assert problem["errors"][0]["loc"] == "archive:assets/zeros.bin"
    assert problem["limit"] == 50 * 1024 * 1024
    assert set((await row_counts(database_url)).values()) == {0}


async def test_an_archive_body_over_the_archive_limit_is_a_413(client: httpx.AsyncClient) -> None:
    noise = hashlib.shake_256(b"x").digest(11 * 1024 * 1024)
    response = await client.put("/v1/skills/helper/versions/1.0.0", content=noise, headers=GZIP)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


@both
async def test_a_skill_md_over_the_body_limit_is_a_413_in_a_folder_as_alone(
    client: httpx.AsyncClient, database_url: str, fmt: str
) -> None:
    """The limit of a SKILL.md sent alone (here 64 KiB) holds for the one inside an archive,
    which compresses far below the archive limit: it was stored, and inlined by any agent."""
    large = SKILL_MD + b"x" * (64 * 1024)
    alone = await client.put(
        "/v1/skills/helper/versions/1.0.0", content=large, headers={"Content-Type": "text/markdown"}
    )
    assert alone.status_code == 413
    response = await publish_archive(client, fmt, [Entry("SKILL.md", large), Entry("a.md", NOTES)])
    assert response.status_code == 413, response.text
    problem = response.json()
    assert (problem["code"], problem["limit"]) == ("payload_too_large", 64 * 1024)
    assert f"SKILL.md is {len(large)} bytes" in problem["detail"]
    assert set((await row_counts(database_url)).values()) == {0}


async def test_garbage_sent_as_an_archive_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/skills/helper/versions/1.0.0", content=b"hello", headers=ZIP)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unreadable_archive"


# Profiles --------------------------------------------------------------------------------


async def publish_examples_with_folders(client: httpx.AsyncClient) -> None:
    for name in SKILL_NAMES:
        bundle = read_folder(EXAMPLES / "skills" / name)
        if bundle.has_extra_files:
            response = await client.put(
                f"/v1/skills/{name}/versions/1.0.0",
                content=deterministic_tar_gz(bundle.files, prefix=name),
                headers=GZIP,
            )
        else:
            response = await put(client, "skill", name, "1.0.0", skill_bytes(name))
        assert response.status_code == 201, response.text
    for name in AGENT_NAMES:
        response = await put(client, "agent", name, "1.0.0", agent_bytes(name))
        assert response.status_code == 201, response.text


async def test_the_profile_lists_each_skills_files_and_archive(client: httpx.AsyncClient) -> None:
    await publish_examples_with_folders(client)
    profile = (await client.get("/v1/profiles/dev-python@1.0.0")).json()
    skills = {s["name"]: s for s in profile["skills"]}
    testing = skills["python-testing"]
    assert [(f["path"], f["executable"]) for f in testing["files"]] == [
        ("SKILL.md", False),
        ("references/fixtures.md", False),
        ("scripts/run_pytest.sh", True),
    ]
    script = (EXAMPLES / "skills/python-testing/scripts/run_pytest.sh").read_bytes()
    assert testing["files"][2]["sha256"] == hashlib.sha256(script).hexdigest()
    assert testing["archive"] == "/v1/skills/default/python-testing/versions/1.0.0/archive"
    assert [f["path"] for f in skills["git-workflow"]["files"]] == ["SKILL.md"]
    archive = await client.get(testing["archive"])
    assert archive.status_code == 200
    assert (
        testing["digest"]
        == (await client.get(testing["archive"].replace("/archive", "/files"))).json()["digest"]
    )

    markdown = (await client.get("/v1/profiles/dev-python@1.0.0?format=markdown")).text
    notes = markdown.split("## Skill files", 1)[1]
    assert (
        "- python-testing (1.0.0): `references/fixtures.md`, `scripts/run_pytest.sh` (executable)"
        in notes
    )
    assert "/v1/skills/default/python-testing/versions/1.0.0/archive" in notes
    assert "git-workflow" not in notes
