"""Dry-run validation and hostile inputs through the API: refused fast, never a 500."""

from __future__ import annotations

import httpx

from tests.helpers import GENEROUS_SECONDS, MARKDOWN, agent_bytes, agent_file, put, within

ALIAS_BOMB = b"""---
name: bomb
description: boom
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
body
"""

HOSTILE = {
    "alias_bomb": ALIAS_BOMB,
    "not_utf8": b"---\nname: tester\ndescription: caf\xe9\n---\nbody\n",
    "python_tag": b"---\nname: tester\ndescription: !!python/object/apply:os.system ['true']\n---\n",
    "list_frontmatter": b"---\n- name\n- description\n---\nbody\n",
    "no_frontmatter": b"# Just markdown\n",
    "nul_byte": b"---\nname: tester\ndescription: a\x00b\n---\nbody\n",
    "empty": b"",
}


async def test_hostile_files_are_422_problems_and_fast(client: httpx.AsyncClient) -> None:
    for label, body in HOSTILE.items():
        with within(GENEROUS_SECONDS):
            response = await put(client, "agent", "tester", "1.0.0", body)
        assert response.status_code == 422, (label, response.text)
        problem = response.json()
        assert problem["errors"], label
        assert "Traceback" not in response.text and "SELECT" not in response.text, label
    assert (await client.get("/v1/agents/tester")).status_code == 404


async def test_validate_reports_without_storing(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/validate",
        params={"kind": "agent", "name": "flask-specialist"},
        content=agent_bytes("flask-specialist"),
        headers=MARKDOWN,
    )
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is True
    assert report["name"] == "default/flask-specialist"
    assert report["frontmatter"]["name"] == "flask-specialist"
    assert report["errors"] == []
    assert (await client.get("/v1/agents/flask-specialist")).status_code == 404


async def test_validate_lists_all_errors_for_a_bad_file(client: httpx.AsyncClient) -> None:
    body = agent_file("tester", maxTurns="-3", skills="missing-skill")
    response = await client.post("/v1/validate", content=body, headers=MARKDOWN)
    report = response.json()
    assert response.status_code == 200
    assert report["valid"] is False
    assert [(e["loc"], e["code"]) for e in report["errors"]] == [
        ("frontmatter.maxTurns", "invalid_max_turns"),
        ("frontmatter.skills[0]", "unknown_skill"),
    ]


async def test_overlong_path_values_are_problems_not_500(client: httpx.AsyncClient) -> None:
    long_version = "1.0.0-" + "a" * 300
    response = await put(client, "agent", "tester", long_version, agent_file("tester"))
    assert response.status_code == 422
    long_name = "a" * 100
    response = await put(client, "agent", long_name, "1.0.0", agent_file(long_name))
    assert response.status_code == 422
    assert "path.name" in {e["loc"] for e in response.json()["errors"]}
    read = await client.get(f"/v1/agents/{long_name}/versions/{long_version}")
    assert read.status_code == 404


async def test_nul_in_path_or_query_is_a_400_problem(client: httpx.AsyncClient) -> None:
    for path in ("/v1/skills?q=%00", "/v1/agents/a%00b", "/v1/agents/x/versions/1.0.0%00"):
        response = await client.get(path)
        assert response.status_code == 400, path
        assert response.json()["code"] == "invalid_character"
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["title"] == "Invalid character in the request"
        assert "instance" not in problem  # the path is the problem: not echoed back


def problem(status: int, code: str, title: str, detail: str, instance: str) -> dict[str, object]:
    kebab = code.replace("_", "-")
    return {
        "type": f"https://agent-registry.dev/problems/{kebab}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
    }


async def test_router_errors_are_the_same_problems_as_the_services(
    client: httpx.AsyncClient,
) -> None:
    """404 and 405 raised by the router itself come out of the one exception-to-problem path:
    the class's title and type, the request path as instance, the router's headers kept."""
    missing = await client.get("/v1/no-such-collection")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == problem(
        404, "not_found", "Not found", "Not Found", "/v1/no-such-collection"
    )
    wrong = await client.patch("/v1/validate")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert wrong.json() == problem(
        405, "method_not_allowed", "Method not allowed", "Method Not Allowed", "/v1/validate"
    )


async def test_unstorable_text_in_json_bodies_is_refused_not_500(client: httpx.AsyncClient) -> None:
    toolset = b'{"name": "readonly", "description": "\\ud800", "tools": ["Read"]}'
    response = await client.put(
        "/v1/toolsets/readonly/versions/1.0.0",
        content=toolset,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unsupported_value"
    await put(client, "agent", "tester", "1.0.0", agent_file("tester"))
    for content, status, code in (
        (b'{"message": "bad \\u0000 text"}', 422, "request_invalid"),
        (b"\xff", 400, "bad_request"),
    ):
        refused = await client.post(
            "/v1/agents/tester/versions/1.0.0/deprecate",
            content=content,
            headers={"Content-Type": "application/json"},
        )
        assert (refused.status_code, refused.json()["code"]) == (status, code), content


async def test_fields_kept_with_a_warning_reach_the_typed_profile_as_written(
    client: httpx.AsyncClient,
) -> None:
    """`effort` and `initialPrompt` are carried as written (a warning, not an error): the one
    profile type takes them, so publishing such a file is a 201, never a 500."""
    body = agent_file("odd", effort="1.5", initialPrompt="7")
    published = await put(client, "agent", "odd", "1.0.0", body)
    assert published.status_code == 201, published.text
    assert {w["code"] for w in published.json()["warnings"]} == {"unexpected_type"}
    served = (await client.get("/v1/profiles/odd@1.0.0")).json()
    assert (served["effort"], served["initialPrompt"]) == (1.5, 7)
    definition = served["agentDefinition"]
    assert (definition["effort"], definition["initialPrompt"]) == (1.5, 7)


async def test_validating_a_file_with_errors_lists_them_without_a_profile(
    client: httpx.AsyncClient,
) -> None:
    """A file whose fields cannot make a profile (no description, maxTurns not a number) is
    still resolved for its other problems, and answered with a report, not a 500."""
    body = b"---\nname: bad\nmaxTurns: many\nskills: no-such-skill\n---\n\nBody.\n"
    response = await client.post(
        "/v1/validate", params={"kind": "agent", "name": "bad"}, content=body, headers=MARKDOWN
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is False
    codes = {e["code"] for e in report["errors"]}
    assert {"required_field_missing", "invalid_max_turns", "unknown_skill"} <= codes
