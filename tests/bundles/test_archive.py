"""The archive reader on its own: canonical digests, every hostile entry, every bound."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.bundles.archive import (
    CHUNK,
    ArchiveRefused,
    ArchiveTooLarge,
    Limits,
    read_archive,
)
from service.bundles.manifest import Bundle, BundleFile, canonical_manifest, deterministic_tar_gz
from tests.bundles.archives import (
    BUILDERS,
    GIB,
    MIB,
    NOTES,
    SCRIPT,
    SKILL_MD,
    Builder,
    Entry,
    folder,
    skill_folder,
    tar_gz,
    tar_gz_bomb,
    zip_bomb,
    zip_bytes,
)

both = pytest.mark.parametrize("build", list(BUILDERS.values()), ids=list(BUILDERS))


def refused(build: Builder, entries: list[Entry]) -> ArchiveRefused:
    with pytest.raises(ArchiveRefused) as caught:
        read_archive(build(entries), Limits())
    return caught.value


# The canonical form ----------------------------------------------------------------------


def test_same_folder_in_tar_and_zip_any_order_any_mtime_has_one_digest() -> None:
    entries = skill_folder()
    shuffled = [Entry(e.name, e.content, mode=e.mode, mtime=1234) for e in reversed(entries)]
    digests = {
        read_archive(tar_gz(entries), Limits()).digest,
        read_archive(zip_bytes(shuffled), Limits()).digest,
        read_archive(
            tar_gz(
                [Entry("helper", kind="dir", mode=0o755)]
                + [Entry(f"helper/{e.name}", e.content, mode=e.mode) for e in shuffled]
            ),
            Limits(),
        ).digest,
    }
    assert len(digests) == 1
    bundle = read_archive(tar_gz(entries), Limits())
    manifest = canonical_manifest(bundle.files)
    assert (
        manifest
        == (
            f"{hashlib.sha256(SKILL_MD).hexdigest()} 644 SKILL.md\n"
            f"{hashlib.sha256(NOTES).hexdigest()} 644 references/fixtures.md\n"
            f"{hashlib.sha256(SCRIPT).hexdigest()} 755 scripts/run.sh\n"
        ).encode()
    )
    assert digests == {"sha256:" + hashlib.sha256(manifest).hexdigest()}


@both
def test_digest_changes_with_content_path_or_executable_bit(build: Builder) -> None:
    base = read_archive(build(skill_folder()), Limits()).digest
    variants = [
        [Entry("SKILL.md", SKILL_MD), Entry("scripts/run.sh", SCRIPT + b"\n", mode=0o755)],
        [Entry("SKILL.md", SKILL_MD), Entry("scripts/go.sh", SCRIPT, mode=0o755)],
        [Entry("SKILL.md", SKILL_MD), Entry("scripts/run.sh", SCRIPT, mode=0o644)],
    ]
    assert base not in {read_archive(build(v), Limits()).digest for v in variants}


@both
def test_a_folder_of_only_skill_md_keeps_the_digest_of_its_bytes(build: Builder) -> None:
    bundle = read_archive(build(folder()), Limits())
    assert bundle.digest == "sha256:" + hashlib.sha256(SKILL_MD).hexdigest()
    assert bundle == Bundle.single(SKILL_MD)


@both
def test_skill_md_inside_one_top_level_folder_is_found_and_the_folder_dropped(
    build: Builder,
) -> None:
    bundle = read_archive(
        build([Entry(f"helper-1.0/{e.name}", e.content, mode=e.mode) for e in skill_folder()]),
        Limits(),
    )
    assert [f.path for f in bundle.files] == [
        "SKILL.md",
        "references/fixtures.md",
        "scripts/run.sh",
    ]
    assert [f.executable for f in bundle.files] == [False, False, True]
    assert bundle.skill_md == SKILL_MD


@both
def test_no_skill_md_at_the_root_or_in_one_folder_is_refused(build: Builder) -> None:
    error = refused(build, [Entry("a/SKILL.md", SKILL_MD), Entry("b/x.md", b"x")])
    assert [(p.entry, p.code) for p in error.problems] == [("SKILL.md", "missing_skill_file")]


@both
def test_finder_litter_is_left_out(build: Builder) -> None:
    bundle = read_archive(
        build([*folder(), Entry("__MACOSX/._SKILL.md", b"junk"), Entry(".DS_Store", b"junk")]),
        Limits(),
    )
    assert [f.path for f in bundle.files] == ["SKILL.md"]


@both
def test_nested_archives_are_stored_as_plain_files(build: Builder) -> None:
    inner_zip = zip_bytes(folder(**{"../../evil": b"x"}))
    inner_tar = tar_gz(folder(**{"/etc/passwd": b"x"}))
    bundle = read_archive(
        build(folder(**{"assets/inner.zip": inner_zip, "assets/inner.tar.gz": inner_tar})),
        Limits(),
    )
    assert {f.path: f.content for f in bundle.files} == {
        "SKILL.md": SKILL_MD,
        "assets/inner.tar.gz": inner_tar,
        "assets/inner.zip": inner_zip,
    }


# Hostile entries: each named, nothing returned ------------------------------------------

HOSTILE: list[tuple[str, Entry, str]] = [
    ("dotdot", Entry("../evil.sh", b"rm -rf ~"), "path_traversal"),
    ("dotdot-inside", Entry("scripts/../../evil.sh", b"x"), "path_traversal"),
    ("absolute", Entry("/etc/cron.d/evil", b"x"), "absolute_path"),
    ("drive", Entry("C:/evil.bat", b"x"), "absolute_path"),
    ("backslash", Entry("scripts\\..\\evil", b"x"), "invalid_name"),
    ("symlink", Entry("scripts/passwd", kind="symlink", link="/etc/passwd"), "symlink"),
    ("char-device", Entry("dev/tty", kind="chr"), "special_file"),
    ("block-device", Entry("dev/sda", kind="blk"), "special_file"),
    ("fifo", Entry("pipe", kind="fifo"), "special_file"),
    ("non-utf8", Entry(b"caf\xe9.md", b"x"), "non_utf8_name"),
    ("control-char", Entry("bad\nname.md", b"x"), "invalid_name"),
]


@both
@pytest.mark.parametrize(("case", "entry", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_entry_is_refused_and_named(
    build: Builder, case: str, entry: Entry, code: str
) -> None:
    error = refused(build, [*folder(), entry])
    assert [p.code for p in error.problems] == [code]
    shown = entry.name if isinstance(entry.name, str) else "caf\\xe9.md"
    assert error.problems[0].entry == shown
    assert repr(shown).strip("'") in error.problems[0].message


def test_hard_link_is_refused_and_named() -> None:
    # zip has no hard links; tar does.
    error = refused(tar_gz, [*folder(), Entry("scripts/copy", kind="hardlink", link="SKILL.md")])
    assert [(p.entry, p.code) for p in error.problems] == [("scripts/copy", "hard_link")]


@both
def test_duplicate_paths_are_refused(build: Builder) -> None:
    error = refused(build, [*folder(), Entry("notes.md", b"a"), Entry("./notes.md", b"b")])
    assert [(p.entry, p.code) for p in error.problems] == [("./notes.md", "duplicate_path")]


@both
def test_paths_that_differ_only_in_case_are_refused(build: Builder) -> None:
    error = refused(
        build, [*folder(), Entry("scripts/run.sh", b"a"), Entry("Scripts/Run.sh", b"b")]
    )
    assert [(p.entry, p.code) for p in error.problems] == [("Scripts/Run.sh", "duplicate_path")]
    assert "differs only in case" in error.problems[0].message


@both
def test_paths_that_differ_only_in_unicode_normalisation_are_refused(build: Builder) -> None:
    """`café.md` composed (NFC, as Linux tools write it) and decomposed (NFD, as macOS does)
    are one file where the skill is installed on macOS: one would overwrite the other."""
    composed, decomposed = "references/caf\u00e9.md", "references/cafe\u0301.md"
    error = refused(build, [*folder(), Entry(composed, b"a"), Entry(decomposed, b"b")])
    assert [(p.entry, p.code) for p in error.problems] == [(decomposed, "duplicate_path")]
    assert "Unicode normalisation" in error.problems[0].message
    clash = refused(build, [*folder(), Entry("caf\u00e9", b"a"), Entry("cafe\u0301/x.md", b"b")])
    assert [(p.entry, p.code) for p in clash.problems] == [("caf\u00e9", "duplicate_path")]


@both
def test_a_file_that_is_also_a_folder_is_refused(build: Builder) -> None:
    error = refused(build, [*folder(), Entry("scripts", b"a"), Entry("scripts/run.sh", b"b")])
    assert [(p.entry, p.code) for p in error.problems] == [("scripts", "duplicate_path")]


@both
def test_every_hostile_entry_is_reported_at_once(build: Builder) -> None:
    error = refused(
        build,
        [
            *folder(),
            Entry("../a", b"x"),
            Entry("/b", b"x"),
            Entry("c", kind="symlink", link="/"),
            Entry(b"d\xff", b"x"),
        ],
    )
    assert [p.code for p in error.problems] == [
        "path_traversal",
        "absolute_path",
        "symlink",
        "non_utf8_name",
    ]


@pytest.mark.parametrize(
    "data",
    [b"\x1f\x8b\x08\x00garbage", b"PK\x03\x04truncated", b"not an archive", b""],
    ids=["bad-gzip", "bad-zip", "text", "empty"],
)
def test_unreadable_bytes_are_refused_not_crashed(data: bytes) -> None:
    with pytest.raises(ArchiveRefused) as caught:
        read_archive(data, Limits())
    assert [p.code for p in caught.value.problems] == ["unreadable_archive"]


@both
def test_truncated_archive_is_refused(build: Builder) -> None:
    data = build(skill_folder())
    with pytest.raises(ArchiveRefused) as caught:
        read_archive(data[: len(data) // 2], Limits())
    assert caught.value.problems[0].code == "unreadable_archive"


# Bounds: stop as soon as one is crossed --------------------------------------------------


@both
def test_more_entries_than_the_limit_is_refused_at_the_first_one_over(build: Builder) -> None:
    entries = folder(**{f"f{i:02d}.md": b"x" for i in range(10)})
    with pytest.raises(ArchiveTooLarge) as caught:
        read_archive(build(entries), Limits(max_files=5))
    assert [(p.entry, p.code) for p in caught.value.problems] == [("f04.md", "too_many_files")]


@both
def test_uncompressed_total_over_the_limit_is_refused_naming_the_entry(build: Builder) -> None:
    noise = hashlib.shake_256(b"seed").digest(2 * MIB)  # incompressible
    with pytest.raises(ArchiveTooLarge) as caught:
        read_archive(build(folder(**{"assets/noise.bin": noise})), Limits(max_total_bytes=MIB))
    problem = caught.value.problems[0]
    assert (problem.entry, problem.code) == ("assets/noise.bin", "archive_too_large")
    assert caught.value.read_bytes <= MIB + CHUNK


@both
def test_compression_ratio_over_the_limit_is_refused(build: Builder) -> None:
    with pytest.raises(ArchiveTooLarge) as caught:
        read_archive(build(folder(**{"assets/zeros.bin": bytes(4 * MIB)})), Limits(max_ratio=10))
    problem = caught.value.problems[0]
    assert (problem.entry, problem.code) == ("assets/zeros.bin", "compression_ratio")


def test_small_highly_compressible_files_are_accepted() -> None:
    # Below the 1 MiB floor the ratio is not held against a folder.
    bundle = read_archive(tar_gz(folder(**{"data.csv": bytes(512 * 1024)})), Limits(max_ratio=2))
    assert bundle.total_size == len(SKILL_MD) + 512 * 1024


@pytest.mark.parametrize("bomb", [zip_bomb, tar_gz_bomb], ids=["zip", "tar.gz"])
def test_a_1_gib_bomb_is_refused_after_reading_at_most_the_limit(
    bomb: Callable[[], bytes],
) -> None:
    data = bomb()
    assert len(data) < 2 * MIB  # 1 GiB of zeros inside
    limit = 16 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveTooLarge) as caught:
            read_archive(data, Limits(max_total_bytes=limit, max_ratio=GIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problem = caught.value.problems[0]
    assert (problem.entry, problem.code) == ("assets/zeros.bin", "archive_too_large")
    assert caught.value.read_bytes <= limit + CHUNK
    assert peak < limit + 8 * MIB  # what was read, plus buffers: never the gigabyte


@pytest.mark.parametrize("bomb", [zip_bomb, tar_gz_bomb], ids=["zip", "tar.gz"])
def test_a_1_gib_bomb_is_refused_with_default_limits(bomb: Callable[[], bytes]) -> None:
    defaults = Limits()
    with pytest.raises(ArchiveTooLarge) as caught:
        read_archive(bomb(), defaults)
    assert caught.value.problems[0].code == "archive_too_large"
    assert caught.value.read_bytes <= defaults.max_total_bytes + CHUNK


@pytest.mark.parametrize("bomb", [zip_bomb, tar_gz_bomb], ids=["zip", "tar.gz"])
def test_a_bomb_under_the_total_limit_is_refused_by_its_ratio(bomb: Callable[[], bytes]) -> None:
    with pytest.raises(ArchiveTooLarge) as caught:
        read_archive(bomb(), Limits(max_total_bytes=GIB, max_ratio=20))
    assert caught.value.problems[0].code == "compression_ratio"
    assert caught.value.read_bytes <= 20 * len(bomb()) + CHUNK


# The deterministic archive ---------------------------------------------------------------


def test_deterministic_archive_is_byte_identical_whatever_the_input_order() -> None:
    bundle = read_archive(tar_gz(skill_folder()), Limits())
    first = deterministic_tar_gz(bundle.files, prefix="helper")
    assert first == deterministic_tar_gz(list(reversed(bundle.files)), prefix="helper")
    assert read_archive(first, Limits()) == bundle


paths = st.lists(
    st.text(alphabet="abcXYZ-_.é", min_size=1, max_size=8).filter(lambda p: p not in {".", ".."}),
    min_size=1,
    max_size=3,
).map("/".join)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        paths.filter(lambda p: p.casefold() != "skill.md"),
        st.tuples(st.binary(max_size=300), st.booleans()),
        max_size=6,
    )
)
def test_any_folder_round_trips_through_the_deterministic_archive(
    files: dict[str, tuple[bytes, bool]],
) -> None:
    keys = {p.casefold() for p in files}
    prefixes = {
        "/".join(p.casefold().split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)
    }
    if len(keys) < len(files) or keys & prefixes:
        return  # case-only duplicates and file/folder clashes are refused, tested above
    bundle = Bundle.of(
        [BundleFile("SKILL.md", SKILL_MD)] + [BundleFile(p, c, x) for p, (c, x) in files.items()]
    )
    archive = deterministic_tar_gz(bundle.files, prefix="s")
    assert read_archive(archive, Limits()) == bundle
    assert deterministic_tar_gz(bundle.files, prefix="s") == archive


def test_a_huge_pax_header_is_refused_before_it_is_held() -> None:
    # tarfile reads a PAX header's records into memory: the stream bound stops it first.
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("SKILL.md")
        info.size = len(SKILL_MD)
        info.pax_headers = {"comment": "x" * (8 * MIB)}
        tar.addfile(info, io.BytesIO(SKILL_MD))
    with pytest.raises(ArchiveTooLarge) as caught:
        read_archive(gzip.compress(raw.getvalue()), Limits(max_total_bytes=MIB, max_files=10))
    assert caught.value.problems[0].code == "archive_too_large"
    assert caught.value.read_bytes <= 2 * MIB
