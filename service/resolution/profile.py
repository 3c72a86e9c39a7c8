"""The resolved profile (DESIGN §4) built from plain data, and its JSON and Markdown forms."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from service.formats.tools import split_rules
from service.resolution.document import Profile, ProfileSkill
from service.resolution.grants import Grants, ResolvedToolset
from service.semver import Version

# Frontmatter fields the profile's top level and the flattened Markdown agent both carry as
# written, in this order, after their own leading ones: a new pass-through field joins both.
_CARRIED_FIELDS: tuple[str, ...] = (
    "hooks",
    "memory",
    "effort",
    "background",
    "initialPrompt",
    "color",
    "isolation",
)

# Optional agent frontmatter fields copied to the profile's top level when present, in this
# order, after the always-present `description`, `model` and `maxTurns`. `tools` and `skills`
# are not here: at the top level those names hold the effective grants and resolved skills.
OPTIONAL_FIELDS: tuple[str, ...] = (
    "disallowedTools",
    "permissionMode",
    "mcpServers",
    *_CARRIED_FIELDS,
)
_LIST_FIELDS = frozenset({"tools", "disallowedTools"})

# Fields of claude_agent_sdk.types.AgentDefinition (0.2.x) filled from the frontmatter, in the
# SDK's declaration order. `skills` is left out on purpose: the skills are inlined in `prompt`,
# and naming them would make the SDK look for local copies.
_AGENT_DEFINITION_FIELDS: tuple[str, ...] = (
    "disallowedTools",
    "model",
    "memory",
    "mcpServers",
    "initialPrompt",
    "maxTurns",
    "background",
    "effort",
    "permissionMode",
)

# Frontmatter of the flattened Markdown agent, in this order; unknown keys are not carried.
_MARKDOWN_FIELDS: tuple[str, ...] = (
    "model",
    "permissionMode",
    "maxTurns",
    "mcpServers",
    *_CARRIED_FIELDS,
)

SKILL_SEPARATOR = "\n\n---\n\n"


@dataclass(frozen=True, slots=True)
class AgentIdentity:
    namespace: str
    name: str
    version: Version | str
    digest: str
    published_at: dt.datetime
    yanked: bool = False
    deprecated: str | None = None
    provenance: Mapping[str, Any] | None = None  # how it was published (token, OIDC CI run)


def iso_utc(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with a `Z` (`2026-05-01T12:00:00.250000Z`); naive datetimes refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("publishedAt needs a timezone-aware datetime")
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def jsonable(value: Any) -> Any:
    """YAML-loaded data as JSON data: dates as ISO text, mapping keys as text, sets as lists.

    Non-finite floats become their YAML spelling (`.nan`, `.inf`, `-.inf`) and binary becomes
    base64, since JSON has neither.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {_json_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    return str(jsonable(key))


def rule_list(value: Any) -> list[str]:
    """A `tools`/`disallowedTools` value (comma-separated string or list) as a list of rules."""
    if value is None:
        return []
    if isinstance(value, str):
        return split_rules(value, spaces=False)
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value).strip()]


def compose_prompt(instructions: str, skills: Sequence[Mapping[str, Any]]) -> str:
    """The agent's instructions followed by each skill's, under `## Skill: name (version)`.

    Without skills the instructions are returned verbatim.
    """
    if not skills:
        return instructions
    parts = [instructions.rstrip()]
    for skill in skills:
        body = str(skill["instructions"]).strip("\n").rstrip()
        parts.append(f"## Skill: {skill['name']} ({skill['version']})\n\n{body}")
    return SKILL_SEPARATOR.join(parts)


def _mcp_servers_for_sdk(value: Any) -> Any:
    # The SDK takes a list of server names or `{name: config}` entries; a mapping is split up.
    if isinstance(value, Mapping):
        return [{name: config} for name, config in value.items()]
    if isinstance(value, str):
        return [value]
    return value


def build_profile(
    agent: AgentIdentity,
    frontmatter: Mapping[str, Any],
    instructions: str,
    skills: Sequence[ProfileSkill],
    grants: Grants,
    toolsets: Mapping[str, ResolvedToolset] | Sequence[ResolvedToolset] = (),
) -> Profile:
    """The resolved profile document.

    `frontmatter` is the agent's frontmatter as published (unknown keys included);
    `skills` are in resolution order; `toolsets` are the toolsets the grants were expanded
    from. The declared `tools` list appears as `tools.declared` (null in inherit mode), since
    the top-level `tools` holds the effective grants.
    """
    source = jsonable(frontmatter)
    skill_dicts = [skill.model_dump(exclude_unset=True) for skill in skills]
    toolset_list = list(toolsets.values()) if isinstance(toolsets, Mapping) else list(toolsets)

    tools = grants.as_dict()
    tools["declared"] = rule_list(source["tools"]) if "tools" in source else None

    profile: dict[str, Any] = {
        "namespace": agent.namespace,
        "name": agent.name,
        "version": str(agent.version),
        "digest": agent.digest,
        "description": source.get("description"),
        "model": source.get("model"),
        "maxTurns": source.get("maxTurns"),
    }
    for key in OPTIONAL_FIELDS:
        if key in source:
            profile[key] = rule_list(source[key]) if key in _LIST_FIELDS else source[key]
    profile |= {
        "instructions": instructions,
        "frontmatter": source,
        "skills": skill_dicts,
        "tools": tools,
        "lock": {
            "skills": {s.name: {"version": str(s.version), "digest": s.digest} for s in skills},
            "toolsets": {
                t.name: {"version": str(t.version), "digest": t.digest} for t in toolset_list
            },
        },
        "agentDefinition": _agent_definition(profile, source, instructions, skill_dicts, grants),
        "yanked": agent.yanked,
        "deprecated": agent.deprecated,
        "publishedAt": iso_utc(agent.published_at),
    }
    if agent.provenance is not None:
        profile["provenance"] = dict(agent.provenance)
    return Profile.model_validate(profile)


def _agent_definition(
    profile: Mapping[str, Any],
    source: Mapping[str, Any],
    instructions: str,
    skills: Sequence[Mapping[str, Any]],
    grants: Grants,
) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "description": profile["description"],
        "prompt": compose_prompt(instructions, skills),
    }
    if grants.mode == "allowlist":
        definition["tools"] = grants.rules()
    for key in _AGENT_DEFINITION_FIELDS:
        if key not in source or source[key] is None:
            continue
        value = source[key]
        if key == "disallowedTools":
            value = rule_list(value)
        elif key == "mcpServers":
            value = _mcp_servers_for_sdk(value)
        definition[key] = value
    return definition


def profile_json_bytes(profile: Profile) -> bytes:
    """The canonical serialisation: UTF-8, keys sorted, no insignificant whitespace.

    Sorted keys make the bytes a function of the content alone, whatever order a mapping was
    built or stored in (PostgreSQL's jsonb does not keep key order), so the same version gives
    the same bytes, and the same ETag, forever.
    """
    return json_bytes(profile.as_data())


def json_bytes(data: Mapping[str, Any]) -> bytes:
    """`profile_json_bytes` of a profile's data (`Profile.as_data`)."""
    text = json.dumps(
        data,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return text.encode("utf-8")


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def agent_frontmatter(document: Profile) -> str:
    """The YAML between the `---` lines of an agent file built from a profile (see below)."""
    return _frontmatter(document.as_data())


def _frontmatter(profile: Mapping[str, Any]) -> str:
    front: dict[str, Any] = {"name": profile["name"], "description": profile["description"]}
    tools = profile["tools"]
    if tools["mode"] == "allowlist":
        rules = [grant["rule"] for grant in tools["grants"]]
        front["tools"] = ", ".join(rules) if rules else []
    if profile.get("disallowedTools"):
        front["disallowedTools"] = ", ".join(profile["disallowedTools"])
    for key in _MARKDOWN_FIELDS:
        if profile.get(key) is not None:
            front[key] = _canonical(profile[key])
    key = json.dumps(front, ensure_ascii=False)
    return _remembered_yaml(key) if len(key) <= _REMEMBERED_CHARS else _yaml(front)


# Remembered frontmatter YAML: at most 1024 mappings of at most 8 KiB of JSON each.
_REMEMBERED_CHARS = 8 * 1024


@functools.lru_cache(maxsize=1024)
def _remembered_yaml(front: str) -> str:
    """`_yaml` of a mapping given as JSON (its values are JSON data, so the round trip is
    exact). Remembered: the versions of an agent mostly share their frontmatter, and the
    pure-Python emitter is the dearest step of rendering one (PyYAML's C emitter is not
    byte-identical: it escapes characters outside the BMP)."""
    return _yaml(json.loads(front))


def _yaml(front: Mapping[str, Any]) -> str:
    return yaml.safe_dump(
        front, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )


def render_markdown(profile: Profile) -> str:
    """One flattened Claude Code agent file, skills inlined: drop-in for `.claude/agents/`.

    Frontmatter: name, description, tools (the effective grants as a comma-separated string;
    omitted in inherit mode; `[]` when nothing is granted, so the agent fails closed rather
    than inheriting everything), disallowedTools, then the other documented fields present.
    `skills` is left out because the skills are already in the body; unknown keys are left out.
    """
    return markdown(profile.as_data())


def markdown(data: Mapping[str, Any]) -> str:
    """`render_markdown` of a profile's data (`Profile.as_data`)."""
    body = data["agentDefinition"]["prompt"].strip("\n")
    note = _skill_files_note(data["name"], data["skills"])
    return f"---\n{_frontmatter(data)}---\n\n{body}\n{note}"


def _skill_files_note(agent: str, skills: Sequence[Mapping[str, Any]]) -> str:
    """A closing section naming the skills that are more than a SKILL.md, and where their
    files are: the inlined instructions refer to them by relative path."""
    folders = [s for s in skills if len(s.get("files") or ()) > 1]
    if not folders:
        return ""
    lines = [
        "",
        "---",
        "",
        "## Skill files",
        "",
        "These skills carry files beside their SKILL.md, which their instructions refer to."
        f" `registry pull {agent}` installs them into `.claude/skills/<name>/`; each archive"
        " below is the folder as a tar.gz.",
        "",
    ]
    for skill in folders:
        files = ", ".join(
            f"`{f['path']}`" + (" (executable)" if f["executable"] else "")
            for f in skill["files"]
            if f["path"] != "SKILL.md"
        )
        lines.append(f"- {skill['name']} ({skill['version']}): {files} — `{skill['archive']}`")
    return "\n".join(lines) + "\n"
