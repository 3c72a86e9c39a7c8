"""The catalogue's pages, rendered by the app against a real PostgreSQL (no browser here)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.catalogue import repository as catalogue_repository
from service.catalogue import service as catalogue_service
from service.catalogue.markdown import CachedMarkdown, render_markdown
from service.catalogue.repository import CatalogueRepository
from tests.helpers import agent_bytes, agent_file, publish_examples, put, skill_file


async def _page(client: httpx.AsyncClient, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    return response.text


async def test_home_shows_counts_recent_versions_and_api_links(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    await client.post(
        "/v1/agents/flask-specialist/versions/1.0.0/deprecate", json={"message": "use dev-python"}
    )
    html = await _page(client, "/")
    counts = dict(re.findall(r"<dt>(\w+)</dt><dd>(?:<a [^>]*>)?(\d+)", html))
    assert counts == {
        "Agents": "2",
        "Skills": "6",
        "Toolsets": "0",
        "Versions": "8",
        "Namespaces": "1",
    }
    assert "/ui/agents/default/dev-python@1.0.0" in html
    assert 'href="/docs"' in html and 'href="/openapi.json"' in html
    lifecycle = html.split("Recently yanked or deprecated", 1)[1]
    assert "flask-specialist@1.0.0" in lifecycle and "use dev-python" in lifecycle


async def test_search_finds_flask_with_model_skills_and_grants(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    html = await _page(client, "/ui/search?q=flask")
    names = re.findall(r'class="result-name" href="([^"]+)"', html)
    assert "/ui/agents/default/flask-specialist" in names
    assert "/ui/skills/default/python-flask" in names
    assert "/ui/agents/default/dev-python" in names  # its description names Flask
    dev = html.split('href="/ui/agents/default/dev-python"', 1)[1].split('class="result"', 1)[0]
    assert "<strong>sonnet</strong>" in dev and "<strong>6</strong> skills" in dev
    assert "<strong>6</strong> grants" in dev


async def test_many_and_few_matches_list_the_same_pages(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filtered search walks the artifacts in order when many match and gathers the matches
    when few do: both answer the same results, page after page."""
    await publish_examples(client)
    await put(client, "skill", "notes", "1.0.0", skill_file("notes", description="Python notes."))
    monkeypatch.setattr(catalogue_service, "PAGE_SIZE", 2)

    async def every_page(query: str) -> list[str]:
        names: list[str] = []
        path: str | None = f"/ui/search?{query}"
        while path is not None:
            html = await _page(client, path)
            names += re.findall(r'class="result-name" href="([^"]+)"', html)
            following = re.search(r'href="(/ui/search\?[^"]*cursor=[^"]+)"', html)
            path = following.group(1).replace("&amp;", "&") if following else None
        return names

    for query in ("q=python", "q=PYTHON&kind=skill", "tool=Bash", "skill=git-workflow", "q=zzz"):
        monkeypatch.setattr(catalogue_repository, "FEW_MATCHES", 1_000)
        gathered = await every_page(query)
        monkeypatch.setattr(catalogue_repository, "FEW_MATCHES", 1)
        walked = await every_page(query)
        assert gathered == walked, query
        assert len(gathered) == len(set(gathered)), query
    python = await every_page("q=python")  # more than one page of 2
    assert len(python) > 2 and "/ui/skills/default/notes" in python
    assert "/ui/agents/default/dev-python" in python


async def test_search_filters_are_links_that_narrow_results(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    skills_only = await _page(client, "/ui/search?kind=skill")
    assert skills_only.count('class="result"') == 6
    using_git = await _page(client, "/ui/search?skill=git-workflow")
    assert re.findall(r'class="result-name" href="([^"]+)"', using_git) == [
        "/ui/agents/default/dev-python"
    ]
    multi_edit = await _page(client, "/ui/search?tool=MultiEdit")
    assert re.findall(r'class="result-name" href="([^"]+)"', multi_edit) == [
        "/ui/agents/default/flask-specialist"
    ]
    assert 'href="/ui/search?kind=agent&amp;tool=MultiEdit"' in multi_edit
    none = await _page(client, "/ui/search?namespace=elsewhere")
    assert "Nothing matches" in none


async def test_live_search_answers_htmx_with_a_fragment(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    response = await client.get("/ui/search?q=git", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert '/ui/skills/default/git-workflow"' in response.text
    assert response.headers["vary"] == "HX-Request"


async def test_agent_page_shows_skill_tree_grants_with_sources_and_versions(
    client: httpx.AsyncClient,
) -> None:
    await publish_examples(client)
    html = await _page(client, "/ui/agents/default/dev-python")
    tree = html.split('class="tree"', 1)[1].split("</section>", 1)[0]
    for skill in ("python-flask", "python-data-processing", "python-aws", "python-testing",
                  "git-workflow", "code-review-practices"):  # fmt: skip
        assert f'href="/ui/skills/default/{skill}@1.0.0"' in tree
    grants = html.split('<table class="grants">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row"><code>([^<]+)</code></th>', grants)
    assert rows == ["Read", "Write", "Edit", "Bash", "Grep", "Glob"]
    bash = grants.split("<code>Bash</code>", 1)[1].split("</tr>", 1)[0]
    assert (
        "skill:git-workflow@1.0.0" in bash and '<span class="chip chip-agent">agent</span>' in bash
    )
    assert "<h1>Python Developer</h1>" in html  # instructions rendered from Markdown
    assert 'href="/ui/agents/default/dev-python@1.0.0/download"' in html
    assert "/v1/profiles/default/dev-python@1.0.0" in html  # the curl snippet


async def test_agent_page_highlights_ungranted_skill_rules(client: httpx.AsyncClient) -> None:
    await put(
        client,
        "skill",
        "gitter",
        "1.0.0",
        skill_file("gitter", **{"allowed-tools": "Bash(git log:*)"}),
    )
    await put(
        client, "agent", "reader", "1.0.0", agent_file("reader", tools="Read", skills="gitter")
    )
    html = await _page(client, "/ui/agents/default/reader@1.0.0")
    ungranted = html.split('class="grants ungranted"', 1)[1].split("</table>", 1)[0]
    assert "<code>Bash(git log:*)</code>" in ungranted and "no grant covers it" in ungranted
    assert "skill_tool_not_granted" in html


async def test_agent_page_highlights_ignored_entries(client: httpx.AsyncClient) -> None:
    body = agent_file("odd", tools="Read, Frobnicate")
    assert (await put(client, "agent", "odd", "1.0.0", body)).status_code == 201
    html = await _page(client, "/ui/agents/default/odd@1.0.0")
    ignored = html.split('class="grants ignored"', 1)[1].split("</table>", 1)[0]
    assert "<code>Frobnicate</code>" in ignored and "unknown tool" in ignored
    assert "<code>tools</code>" in ignored
    granted = html.split('<table class="grants">', 1)[1].split("</table>", 1)[0]
    assert "Frobnicate" not in granted


async def test_markdown_download_is_the_profile_api_markdown(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    download = await client.get("/ui/agents/default/dev-python@1.0.0/download")
    api = await client.get("/v1/profiles/dev-python@1.0.0?format=markdown")
    assert download.status_code == 200 and api.status_code == 200
    assert download.content == api.content
    assert download.headers["content-disposition"] == 'attachment; filename="dev-python.md"'


async def test_skill_page_lists_allowed_tools_and_dependents(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    html = await _page(client, "/ui/skills/default/git-workflow")
    assert "<code>Bash(git status:*)</code>" in html
    files = html.split('class="files"', 1)[1].split("</table>", 1)[0]
    assert ">SKILL.md</a>" in files  # published as SKILL.md alone: the folder is that one file
    dependents = html.split('class="dependents"', 1)[1].split("</table>", 1)[0]
    assert 'href="/ui/agents/default/dev-python@1.0.0"' in dependents
    assert "directly" in dependents


async def test_toolset_and_namespace_pages(client: httpx.AsyncClient) -> None:
    await client.put(
        "/v1/toolsets/readonly/versions/1.0.0",
        json={"name": "readonly", "description": "Look, never touch", "tools": ["Read", "Grep"]},
    )
    await put(client, "agent", "looker", "1.0.0", agent_file("looker", tools="toolset:readonly@^1"))
    toolset = await _page(client, "/ui/toolsets/default/readonly")
    assert "<code>Read</code>" in toolset and 'href="/ui/agents/default/looker@1.0.0"' in toolset
    agent = await _page(client, "/ui/agents/default/looker")
    assert 'href="/ui/toolsets/default/readonly@1.0.0">toolset:readonly@1.0.0</a>' in agent
    namespace = await _page(client, "/ui/namespaces/default")
    assert "/ui/toolsets/default/readonly" in namespace and "/ui/agents/default/looker" in namespace
    await _page(client, "/ui/namespaces/nowhere", 404)


@pytest.mark.parametrize(
    ("kind", "publish"),
    [
        ("agent", lambda c: put(c, "agent", "held", "1.0.0", agent_file("held"))),
        ("skill", lambda c: put(c, "skill", "held", "1.0.0", skill_file("held"))),
        (
            "toolset",
            lambda c: c.put(
                "/v1/toolsets/held/versions/1.0.0",
                json={"name": "held", "description": "Read only", "tools": ["Read"]},
            ),
        ),
    ],
)
async def test_every_kind_of_page_says_when_its_version_is_yanked_or_deprecated(
    client: httpx.AsyncClient, kind: str, publish: Any
) -> None:
    assert (await publish(client)).status_code == 201
    path = f"/v1/{kind}s/held/versions/1.0.0"
    assert (
        await client.post(f"{path}/deprecate", json={"message": "use other"})
    ).status_code == 200
    assert (
        await client.post(f"{path}/yank", json={"reason": "leaks <secrets>"})
    ).status_code == 200
    page = await _page(client, f"/ui/{kind}s/default/held@1.0.0")
    yanked = re.search(r'<p class="alert alert-yanked" role="note">(.*?)</p>', page)
    assert yanked is not None, page
    assert "leaks &lt;secrets&gt;" in yanked.group(1)
    assert "Ranges and tags never choose this version" in yanked.group(1)
    assert "<strong>Deprecated:</strong> use other</p>" in page


async def test_diff_shows_fields_grants_skills_and_instructions(client: httpx.AsyncClient) -> None:
    await publish_examples(client)
    newer = (
        agent_bytes("dev-python")
        .replace(b"Glob\n", b"Glob, WebFetch\n")
        .replace(b", code-review-practices", b"")
        .replace(b"# Python Developer", b"# Python Developer (2)")
    )
    assert (await put(client, "agent", "dev-python", "1.1.0", newer)).status_code == 201
    chooser = await client.get("/ui/agents/default/dev-python/diff?from=1.0.0&to=1.1.0")
    assert chooser.status_code == 303
    assert chooser.headers["location"] == "/ui/agents/default/dev-python/diff/1.0.0...1.1.0"
    html = await _page(client, chooser.headers["location"])
    grants = html.split('id="grants-heading"')[1].split("</section>")[0]
    assert '<li class="ins">' in grants and "<code>WebFetch</code>" in grants
    assert "/v1/agents/default/dev-python/diff/1.0.0...1.1.0" in html  # the API it shows
    skills = html.split('id="skills-heading"')[1].split("</section>")[0]
    assert "removed </span>code-review-practices 1.0.0" in skills
    fields = html.split('id="fields-heading"')[1].split("</section>")[0]
    assert "<code>tools</code>" in fields and "<code>skills</code>" in fields
    lines = html.split('class="side-by-side"')[1]
    assert '<td class="del"># Python Developer</td>' in lines
    assert '<td class="ins"># Python Developer (2)</td>' in lines


async def test_a_skill_has_a_version_chooser_and_a_diff_page(client: httpx.AsyncClient) -> None:
    await put(client, "skill", "notes", "1.0.0", skill_file("notes", **{"allowed-tools": "Read"}))
    newer = skill_file("notes", description="Takes notes.", **{"allowed-tools": "Read Grep"})
    assert (await put(client, "skill", "notes", "1.1.0", newer)).status_code == 201
    page = await _page(client, "/ui/skills/default/notes")
    assert 'action="/ui/skills/default/notes/diff"' in page
    chooser = await client.get("/ui/skills/default/notes/diff?from=1.0.0&to=1.1.0")
    assert chooser.status_code == 303
    assert chooser.headers["location"] == "/ui/skills/default/notes/diff/1.0.0...1.1.0"
    html = await _page(client, chooser.headers["location"])
    assert "/v1/skills/default/notes/diff/1.0.0...1.1.0" in html
    fields = html.split('id="fields-heading"')[1].split("</section>")[0]
    assert "<code>description</code>" in fields and "Takes notes." in fields
    grants = html.split('id="grants-heading"')[1].split("</section>")[0]
    assert '<li class="ins">' in grants and "<code>Grep</code>" in grants
    await _page(client, "/ui/skills/default/notes/diff/1.0.0...9.9.9", 404)


async def test_missing_things_are_html_404_pages(client: httpx.AsyncClient) -> None:
    html = await _page(client, "/ui/agents/default/nobody", 404)
    assert "no agent named default/nobody" in html
    await publish_examples(client)
    assert "has no version 9.9.9" in await _page(client, "/ui/agents/default/dev-python@9.9.9", 404)
    await _page(client, "/ui/agents/default/dev-python/diff/1.0.0", 404)
    await _page(client, "/ui/search?cursor=%25%25", 400)


async def test_docs_and_redoc_load_only_local_assets(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        response = await client.get(path)
        assert response.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
        assert sources and all(
            s.startswith("/ui/static/vendor/") or s.startswith("/ui/static/") for s in sources
        )
        assert "<script>" not in response.text  # nothing inline
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "http" not in csp
        for asset in sources:
            assert (await client.get(asset)).status_code == 200, asset


async def test_dependents_show_the_newest_and_count_only_so_far(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await put(client, "skill", "shared", "1.0.0", skill_file("shared"))
    await put(client, "skill", "shared", "1.1.0", skill_file("shared"))
    for index, version in enumerate(("1.0.0", "1.1.0", "1.1.0")):
        body = agent_file(f"user-{index}", skills=f"shared@{version}")
        assert (await put(client, "agent", f"user-{index}", "1.0.0", body)).status_code == 201
    async with app.state.sessions() as session:
        repository = CatalogueRepository(session)
        newest, counted = await repository.dependents("skill", "default", "shared", 2, 10)
        assert [(d.name, d.uses) for d in newest] == [("user-2", "1.1.0"), ("user-1", "1.1.0")]
        assert counted == 3
        assert (await repository.dependents("skill", "default", "shared", 5, 2))[1] == 2
    html = await _page(client, "/ui/skills/default/shared")
    assert "(3 versions)" in html


def test_cached_markdown_is_bounded_and_renders_like_the_plain_renderer() -> None:
    cached = CachedMarkdown(entries=2, max_chars=100)
    texts = ["# one", "# two <script>x</script>", "# three", "# one", "x" * 101]
    assert [cached(t) for t in texts] == [render_markdown(t) for t in texts]
    assert list(cached._cache) == ["# three", "# one"]  # least recently used went first
