"""A skill folder on disk, as `registry publish` and `--seed` send it."""

from __future__ import annotations

from pathlib import Path

from service.bundles.archive import Limits, read_archive
from service.bundles.folder import read_folder
from service.publisher import SourceFile, request_body
from tests.helpers import EXAMPLES


def test_a_folder_keeps_every_file_and_executable_bit_and_leaves_out_vcs_and_finder_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "SKILL.md").write_bytes(b"skill")
    (tmp_path / "scripts/run.sh").write_bytes(b"#!/bin/sh\n")
    (tmp_path / "scripts/run.sh").chmod(0o755)
    (tmp_path / ".env.example").write_bytes(b"KEY=\n")
    for litter in (".git/config", "__MACOSX/._SKILL.md", "scripts/.DS_Store"):
        (tmp_path / litter).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / litter).write_bytes(b"x")
    bundle = read_folder(tmp_path)
    assert [(f.path, f.executable) for f in bundle.files] == [
        (".env.example", False),
        ("SKILL.md", False),
        ("scripts/run.sh", True),
    ]


def test_publish_sends_a_folder_as_a_tar_gz_and_a_lone_skill_md_as_markdown() -> None:
    testing = EXAMPLES / "skills/python-testing/SKILL.md"
    body, media_type = request_body(SourceFile("skill", "python-testing", testing, None))
    assert media_type == "application/gzip"
    assert read_archive(body, Limits()) == read_folder(testing.parent)

    flask = EXAMPLES / "skills/python-flask/SKILL.md"
    assert request_body(SourceFile("skill", "python-flask", flask, None)) == (
        flask.read_bytes(),
        "text/markdown",
    )
    agent = EXAMPLES / "agents/dev-python.md"
    assert request_body(SourceFile("agent", "dev-python", agent, None))[1] == "text/markdown"
