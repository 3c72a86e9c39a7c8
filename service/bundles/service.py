"""Skill folders: unpack an upload within the configured bounds, serve manifests, files, archives."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
from dataclasses import dataclass

from service.bundles.archive import ArchiveError, ArchiveTooLarge, Limits, read_archive
from service.bundles.manifest import Bundle, deterministic_tar_gz
from service.bundles.repository import BundleRepository, SkillVersionRef
from service.bundles.schemas import FileManifest
from service.errors import ArchiveRefused, NotFound
from service.errors import ArchiveTooLarge as ArchiveTooLargeError
from service.formats import names
from service.formats.problems import error
from service.resolution.document import SkillFile
from service.settings import Settings

# Python's own table only (not the machine's /etc/mime.types), so every host answers alike.
_MEDIA_TYPES = mimetypes.MimeTypes()
for _type, _suffix in (
    ("text/markdown", ".md"),
    ("application/yaml", ".yaml"),
    ("application/yaml", ".yml"),
    ("application/toml", ".toml"),
    ("application/xml", ".xsd"),
    ("font/ttf", ".ttf"),
    ("font/otf", ".otf"),
    ("font/woff2", ".woff2"),
):
    _MEDIA_TYPES.add_type(_type, _suffix)


def archive_url(namespace: str, name: str, version: str) -> str:
    return f"/v1/skills/{namespace}/{name}/versions/{version}/archive"


def media_type(path: str, content: bytes) -> str:
    """A guess from the file name; text that is UTF-8 says so."""
    guessed, encoding = _MEDIA_TYPES.guess_type(path)
    if encoding == "gzip":
        return "application/gzip"
    if guessed is None or encoding is not None:
        return "application/octet-stream"
    if guessed.startswith("text/"):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return guessed
        return f"{guessed}; charset=utf-8"
    return guessed


def limits(settings: Settings) -> Limits:
    return Limits(
        max_files=settings.archive_max_files,
        max_total_bytes=settings.archive_max_total_bytes,
        max_ratio=settings.archive_max_ratio,
    )


async def read_upload(data: bytes, settings: Settings) -> Bundle:
    """The skill folder in an uploaded archive, read off the event loop; refusals as problems."""
    try:
        return await asyncio.to_thread(read_archive, data, limits(settings))
    except ArchiveError as exc:
        errors = [error(f"archive:{p.entry}", p.code, p.message).as_dict() for p in exc.problems]
        entries = ", ".join(p.entry for p in exc.problems)
        if isinstance(exc, ArchiveTooLarge):
            raise ArchiveTooLargeError(
                f"{exc.problems[0].message}; nothing was published.",
                errors=errors,
                limit=exc.limit,
            ) from exc
        raise ArchiveRefused(
            f"{len(errors)} problem(s) in the archive ({entries}); nothing was published.",
            errors=errors,
        ) from exc


@dataclass(frozen=True)
class ServedFile:
    content: bytes
    etag: str
    media_type: str


class BundleService:
    def __init__(self, repository: BundleRepository, default_namespace: str) -> None:
        self.repository = repository
        self.default_namespace = default_namespace

    async def manifest(self, qualified_name: str, version: str) -> FileManifest:
        namespace, name, row = await self._version(qualified_name, version)
        entries = (await self.repository.manifests([row.id]))[row.id]
        return FileManifest(
            namespace=namespace,
            name=name,
            version=row.version,
            digest=row.digest,
            archive=archive_url(namespace, name, row.version),
            files=[SkillFile.model_validate(e.as_dict()) for e in entries],
        )

    async def file(self, qualified_name: str, version: str, path: str) -> ServedFile:
        namespace, name, row = await self._version(qualified_name, version)
        found = await self.repository.file(row.id, path)
        if found is None:
            raise NotFound(
                f"skill {namespace}/{name}@{row.version} has no file {path!r}",
                name=f"{namespace}/{name}",
                version=row.version,
                path=path,
            )
        content, sha256 = found
        return ServedFile(content, f'"sha256:{sha256}"', media_type(path, content))

    async def archive(self, qualified_name: str, version: str) -> tuple[ServedFile, str]:
        """The deterministic tar.gz (files under `name/`), and a download file name."""
        _, name, row = await self._version(qualified_name, version)
        files = await self.repository.files(row.id)
        content = deterministic_tar_gz(files, prefix=name)
        etag = '"sha256:' + hashlib.sha256(content).hexdigest() + '"'
        served = ServedFile(content, etag, "application/gzip")
        return served, f"{name}-{row.version}.tar.gz"

    async def _version(self, qualified_name: str, version: str) -> tuple[str, str, SkillVersionRef]:
        try:
            namespace, name = names.split_qualified(qualified_name, self.default_namespace)
        except names.InvalidName as exc:
            raise NotFound(str(exc)) from exc
        row = await self.repository.skill_version(namespace, name, version)
        if row is None:
            raise NotFound(
                f"skill {namespace}/{name} has no version {version}",
                name=f"{namespace}/{name}",
                version=version,
            )
        return namespace, name, row
