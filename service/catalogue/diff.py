"""Two resolved agent profiles compared: frontmatter, grants, skills, instructions (pure).

The catalogue's own small diff until the registry's diff API (DESIGN §3,
`GET /v1/{kind}/{name}/diff/{from}...{to}`) exists; then the page should take that instead.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Literal

LineTag = Literal["equal", "replace", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    key: str
    old: str | None  # None: absent on that side
    new: str | None


@dataclass(frozen=True, slots=True)
class SkillChange:
    name: str
    old: str | None  # version; None: added
    new: str | None  # version; None: removed


@dataclass(frozen=True, slots=True)
class Line:
    tag: LineTag
    old_number: int | None
    old: str | None
    new_number: int | None
    new: str | None


@dataclass(frozen=True, slots=True)
class ProfileDiff:
    fields: list[FieldChange]
    grants_added: list[str]
    grants_removed: list[str]
    skills: list[SkillChange]
    instructions: list[Line]

    @property
    def unchanged(self) -> bool:
        return not (
            self.fields
            or self.grants_added
            or self.grants_removed
            or self.skills
            or any(line.tag != "equal" for line in self.instructions)
        )


def _shown(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )


def _fields(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        if old.get(key) == new.get(key) and (key in old) == (key in new):
            continue
        changes.append(
            FieldChange(
                key,
                _shown(old[key]) if key in old else None,
                _shown(new[key]) if key in new else None,
            )
        )
    return changes


def _granted(profile: dict[str, Any]) -> list[str]:
    tools = profile.get("tools", {})
    if tools.get("mode") == "inherit":
        return ["(every tool: inherit)"]
    return [grant["rule"] for grant in tools.get("grants", [])]


def _skills(old: dict[str, Any], new: dict[str, Any]) -> list[SkillChange]:
    before = {s["name"]: s["version"] for s in old.get("skills", [])}
    after = {s["name"]: s["version"] for s in new.get("skills", [])}
    return [
        SkillChange(name, before.get(name), after.get(name))
        for name in [*before, *(n for n in after if n not in before)]
        if before.get(name) != after.get(name)
    ]


def _lines(old: str, new: str) -> list[Line]:
    a, b = old.splitlines(), new.splitlines()
    rows: list[Line] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            rows.append(
                Line(
                    tag,
                    i + 1 if i < i2 else None,
                    a[i] if i < i2 else None,
                    j + 1 if j < j2 else None,
                    b[j] if j < j2 else None,
                )
            )
    return rows


def diff_profiles(old: dict[str, Any], new: dict[str, Any]) -> ProfileDiff:
    granted_before, granted_after = _granted(old), _granted(new)
    return ProfileDiff(
        fields=_fields(old.get("frontmatter", {}), new.get("frontmatter", {})),
        grants_added=[rule for rule in granted_after if rule not in granted_before],
        grants_removed=[rule for rule in granted_before if rule not in granted_after],
        skills=_skills(old, new),
        instructions=_lines(old.get("instructions", ""), new.get("instructions", "")),
    )
