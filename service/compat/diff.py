"""The diff between two versions of an artifact: fields, effective grants, skills, instructions.

Pure and deterministic: the same two snapshots always give the same document, with fields in
key order, grants in rule order and skills in name order.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from service.compat.snapshot import LockedSkill, Snapshot
from service.resolution.profile import jsonable


def version_diff(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """The JSON diff document of `GET /v1/{kind}/{name}/diff/{from}...{to}`."""
    return {
        "kind": new.kind,
        "name": new.name,
        "from": old.version,
        "to": new.version,
        "fromDigest": old.digest,
        "toDigest": new.digest,
        "fields": field_changes(old.frontmatter, new.frontmatter),
        "grants": grant_changes(old, new),
        "skills": skill_changes(old.skills, new.skills),
        "instructions": unified(old, new, old.body, new.body),
    }


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every top-level frontmatter key added, removed or changed, in key order."""
    changes: list[dict[str, Any]] = []
    before, after = jsonable(old), jsonable(new)
    for key in sorted(set(before) | set(after)):
        if key not in after:
            changes.append({"field": key, "change": "removed", "from": before[key], "to": None})
        elif key not in before:
            changes.append({"field": key, "change": "added", "from": None, "to": after[key]})
        elif before[key] != after[key]:
            changes.append(
                {"field": key, "change": "changed", "from": before[key], "to": after[key]}
            )
    return changes


def grant_changes(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """Effective grants added and removed (by rule text), each with its sources."""
    before = {g["rule"]: g for g in old.grants}
    after = {g["rule"]: g for g in new.grants}
    return {
        "mode": {"from": old.mode, "to": new.mode},
        "added": [_grant(after[rule]) for rule in sorted(after.keys() - before.keys())],
        "removed": [_grant(before[rule]) for rule in sorted(before.keys() - after.keys())],
    }


def _grant(grant: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "rule": grant["rule"],
        "tool": grant["tool"],
        "specifier": grant.get("specifier"),
        "sources": list(grant.get("sources", [])),
    }


def skill_changes(
    old: Sequence[LockedSkill], new: Sequence[LockedSkill]
) -> dict[str, list[dict[str, Any]]]:
    """Resolved skills added, removed, or moved to another version, in name order."""
    before = {s.name: s for s in old}
    after = {s.name: s for s in new}
    changed = [
        {
            "name": name,
            "from": before[name].version,
            "to": after[name].version,
            "fromDigest": before[name].digest,
            "toDigest": after[name].digest,
        }
        for name in sorted(before.keys() & after.keys())
        if before[name].digest != after[name].digest
    ]
    return {
        "added": [_skill(after[name]) for name in sorted(after.keys() - before.keys())],
        "removed": [_skill(before[name]) for name in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def _skill(skill: LockedSkill) -> dict[str, str]:
    return {"name": skill.name, "version": skill.version, "digest": skill.digest}


def unified(old: Snapshot, new: Snapshot, before: str, after: str) -> str:
    """A unified diff (`git diff` style headers, no timestamps); empty when nothing changed."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{old.name}@{old.version}",
        tofile=f"b/{new.name}@{new.version}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def text_diff(old: Snapshot, new: Snapshot) -> str:
    """The plain unified diff of the two published files (`?format=text`)."""
    return unified(old, new, old.text, new.text)
