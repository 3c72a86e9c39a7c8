"""Comparing stored versions: load both, reduce them to snapshots, diff them."""

from __future__ import annotations

import json
from typing import Any

from service.artifacts.schemas import Kind
from service.artifacts.service import ArtifactService
from service.compat.diff import text_diff, version_diff
from service.compat.snapshot import Snapshot, snapshot
from service.db.models import ArtifactVersion
from service.formats.names import Identity


def snapshot_of(kind: str, identity: Identity, row: ArtifactVersion) -> Snapshot:
    return snapshot(
        kind,
        str(identity),
        row.version,
        row.digest,
        row.frontmatter,
        row.body,
        row.content,
        profile=json.loads(row.profile_json) if row.profile_json else None,
        tool_rules=row.tool_rules,
        disallowed_rules=row.disallowed_rules,
        lock=row.lock,
        preloaded=[str(r["name"]) for r in row.requires],
    )


class DiffService:
    def __init__(self, artifacts: ArtifactService) -> None:
        self.artifacts = artifacts

    async def snapshots(
        self, kind: Kind, qualified_name: str, old: str, new: str
    ) -> tuple[Snapshot, Snapshot]:
        identity, before = await self.artifacts.find_version(kind, qualified_name, old)
        _, after = await self.artifacts.find_version(kind, qualified_name, new)
        return snapshot_of(kind, identity, before), snapshot_of(kind, identity, after)

    async def diff(self, kind: Kind, qualified_name: str, old: str, new: str) -> dict[str, Any]:
        return version_diff(*await self.snapshots(kind, qualified_name, old, new))

    async def text(self, kind: Kind, qualified_name: str, old: str, new: str) -> str:
        return text_diff(*await self.snapshots(kind, qualified_name, old, new))
