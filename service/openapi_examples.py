"""Response examples for the OpenAPI document, taken from the published examples/ (dev-python)."""

from __future__ import annotations

from typing import Any

from service.formats.kinds import KINDS

DEV_PYTHON_DIGEST = "sha256:17d02dedb28b3db6e117d1ba35faa78dbdef52381721413a866d335f2564221b"

PROFILE: dict[str, Any] = {
    "agentDefinition": {
        "description": "Python developer — Flask, FastAPI, SQLAlchemy, pytest, boto3",
        "maxTurns": 100,
        "model": "sonnet",
        "prompt": "\n# Python Developer\n\nYou are a senior Python developer. You …",
        "tools": ["Read", "Write", "Edit", "Bash", "Grep", "Glob"],
    },
    "deprecated": None,
    "description": "Python developer — Flask, FastAPI, SQLAlchemy, pytest, boto3",
    "digest": "sha256:17d02dedb28b3db6e117d1ba35faa78dbdef52381721413a866d335f2564221b",
    "frontmatter": {
        "description": "Python developer — Flask, FastAPI, SQLAlchemy, pytest, boto3",
        "maxTurns": 100,
        "model": "sonnet",
        "name": "dev-python",
        "skills": "python-flask, python-data-processing, python-aws, python-testing, git-workflow, code-review-practices",
        "tools": "Read, Write, Edit, Bash, Grep, Glob",
    },
    "instructions": "\n# Python Developer\n\nYou are a senior Python developer. You …",
    "lock": {
        "skills": {
            "code-review-practices": {
                "digest": "sha256:614bd3055450fa2208adaf865940577fc8a89d74d909b240f7ce16f027f50751",
                "version": "1.0.0",
            }
        },
        "toolsets": {},
    },
    "maxTurns": 100,
    "model": "sonnet",
    "name": "dev-python",
    "namespace": "default",
    "publishedAt": "2026-11-25T12:51:34.883025Z",
    "skills": [
        {
            "allowedTools": ["Read", "Grep", "Glob", "Bash(flask:*)", "Bash(python -m flask:*)"],
            "description": "Build and maintain Flask 3.x web services - application factory, blueprints, request validation, error handlers and configuration. Use when adding or changing routes, extensions or app setup in a Flask codebase.",
            "digest": "sha256:686fca7f100a1c4b8b22de1903b0c3b1ae8d6c7166022986fad41dfab65b421c",
            "instructions": "\n# Flask services\n\n## Layout\n- Create th…",
            "name": "python-flask",
            "requiredBy": ["dev-python"],
            "version": "1.0.0",
        }
    ],
    "tools": {
        "declared": ["Read", "Write", "Edit", "Bash", "Grep", "Glob"],
        "denied": [],
        "grants": [
            {
                "rule": "Read",
                "sources": [
                    "agent",
                    "skill:python-flask@1.0.0",
                    "skill:python-aws@1.0.0",
                    "skill:python-testing@1.0.0",
                    "skill:code-review-practices@1.0.0",
                ],
                "specifier": None,
                "tool": "Read",
            },
            {"rule": "Write", "sources": ["agent"], "specifier": None, "tool": "Write"},
        ],
        "mode": "allowlist",
        "ungranted": [],
    },
    "version": "1.0.0",
    "yanked": False,
}

VERSION_DETAIL: dict[str, Any] = {
    "kind": "agent",
    "namespace": "default",
    "name": "dev-python",
    "version": "1.0.0",
    "digest": DEV_PYTHON_DIGEST,
    "size": 4091,
    "description": PROFILE["description"],
    "publishedAt": PROFILE["publishedAt"],
    "yanked": False,
    "yankReason": None,
    "deprecated": None,
    "publisher": "ci-team-a",
    "frontmatter": PROFILE["frontmatter"],
    "body": PROFILE["instructions"],
    "lock": PROFILE["lock"],
    "warnings": [],
}

CONFLICT: dict[str, Any] = {
    "type": "https://agent-registry.dev/problems/version-conflict",
    "title": "Version already published with different content",
    "status": 409,
    "detail": "agent default/dev-python@1.0.0 is already published as " + DEV_PYTHON_DIGEST + "; …",
    "code": "version_conflict",
    "existingDigest": DEV_PYTHON_DIGEST,
    "publishedDigest": "sha256:9b73368134bd7d9552219cb21e3b019acbd353d3d007c3ce8b60443bf4ded30e",
}

INVALID: dict[str, Any] = {
    "type": "https://agent-registry.dev/problems/validation-failed",
    "title": "The file is not valid",
    "status": 422,
    "detail": "2 problem(s) in the agent file; nothing was published.",
    "code": "validation_failed",
    "errors": [
        {
            "loc": "frontmatter.maxTurns",
            "code": "invalid_max_turns",
            "message": "maxTurns must be a positive integer, not 0",
            "severity": "error",
        },
        {
            "loc": "frontmatter.skills[0]",
            "code": "unknown_skill",
            "message": "skill 'missing-skill' does not exist (required by reviewer)",
            "severity": "error",
        },
    ],
    "warnings": [],
}

# (operationId, status, media type, example)
EXAMPLES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("get_profile", "200", "application/json", PROFILE),
    ("publish_agent_version", "201", "application/json", VERSION_DETAIL),
    ("publish_agent_version", "200", "application/json", VERSION_DETAIL),
    ("get_agent_version", "200", "application/json", VERSION_DETAIL),
    *((f"publish_{kind}_version", "409", "application/problem+json", CONFLICT) for kind in KINDS),
    ("publish_agent_version", "422", "application/problem+json", INVALID),
]
