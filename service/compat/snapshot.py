"""One stored version reduced to what comparing versions needs: plain data, no I/O."""

from __future__ import annotations

import json
import pickle
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.formats.tools import RuleSyntaxError, parse_tool_rule

if TYPE_CHECKING:
    from service.db.models import ArtifactVersion
    from service.formats.names import Identity


@dataclass(frozen=True, slots=True)
class LockedSkill:
    name: str
    version: str
    digest: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A version as the diff and the classifier see it.

    `grants` are the effective grants (`{"rule", "tool", "specifier", "sources"}`), from the
    stored profile for an agent and from `allowed-tools` for a skill; `mode` is `inherit` when
    an agent omits `tools`. `skills` is the resolved closure from the lock; `preloaded` the
    skill names the file itself declares.
    """

    kind: str
    name: str
    version: str
    digest: str
    frontmatter: Mapping[str, Any]
    body: str
    text: str
    mode: str = "allowlist"
    grants: tuple[Mapping[str, Any], ...] = ()
    denied: tuple[str, ...] = ()
    skills: tuple[LockedSkill, ...] = ()
    preloaded: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Baseline:
    """A stored version as its snapshot reads it: the release a new version is compared with."""

    version: str
    digest: str
    frontmatter: dict[str, Any]
    body: str
    content: bytes
    profile_json: bytes | None
    tool_rules: list[str] | None
    disallowed_rules: list[str]
    lock: dict[str, Any]
    requires: list[dict[str, Any]]


def rule_dict(rule: str, sources: list[str]) -> dict[str, Any]:
    """A grant entry for a rule written in a file (the profile's grant shape)."""
    try:
        parsed = parse_tool_rule(rule)
        tool, specifier = parsed.tool, parsed.specifier
    except RuleSyntaxError:
        tool, specifier = rule, None
    return {"rule": rule.strip(), "tool": tool, "specifier": specifier, "sources": sources}


def snapshot(
    kind: str,
    name: str,
    version: str,
    digest: str,
    frontmatter: Mapping[str, Any],
    body: str,
    content: bytes,
    *,
    profile: Mapping[str, Any] | None,
    tool_rules: list[str] | None,
    disallowed_rules: list[str],
    lock: Mapping[str, Any],
    preloaded: list[str],
) -> Snapshot:
    """Build a snapshot from a version's parts (the resolved profile preferred for agents)."""
    if profile is not None:
        tools = profile["tools"]
        mode = tools["mode"]
        grants = tuple(tools["grants"])
        denied = tuple(d["rule"] for d in tools["denied"])
        locked = profile["lock"]["skills"]
    else:
        source = "agent" if kind == "agent" else "skill"
        mode = "inherit" if kind == "agent" and tool_rules is None else "allowlist"
        grants = tuple(rule_dict(rule, [source]) for rule in tool_rules or [])
        denied = tuple(disallowed_rules)
        locked = lock.get("skills", {})
    skills = tuple(
        LockedSkill(skill, str(entry["version"]), str(entry["digest"]))
        for skill, entry in sorted(locked.items())
    )
    return Snapshot(
        kind=kind,
        name=name,
        version=version,
        digest=digest,
        frontmatter=frontmatter,
        body=body,
        text=content.decode("utf-8", errors="replace"),
        mode=mode,
        grants=grants,
        denied=denied,
        skills=skills,
        preloaded=tuple(preloaded),
    )


def snapshot_of(kind: str, identity: Identity, row: ArtifactVersion | Baseline) -> Snapshot:
    """The snapshot of a stored version."""
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


SnapshotKey = tuple[str, str, str, str]  # kind, qualified name, version, digest


class SnapshotCache:
    """Snapshots of stored versions, most recently used kept: the next release of an artifact
    is compared with the one below it, most often the one this process just published, so
    the comparison need not read that version's bytes and stored profile back. A stored
    version never changes (what may, its yanked and deprecated state, is not in a snapshot;
    the baseline query skips yanked ones), and the key holds its digest. One per database.

    Each is kept pickled: bytes are nothing the garbage collector scans, where a snapshot's
    frontmatter, grants and skills are ~20 tracked objects (a full cache: ~10,000, a third of
    what every full collection walked after a few hundred publishes). A `get` unpickles one
    (tens of microseconds, once per publish)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[SnapshotKey, bytes] = OrderedDict()

    def get(self, key: SnapshotKey) -> Snapshot | None:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        snapshot: Snapshot = pickle.loads(found)  # noqa: S301 (bytes `put` made, never read in)
        return snapshot

    def put(self, key: SnapshotKey, value: Snapshot) -> None:
        self._entries[key] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
