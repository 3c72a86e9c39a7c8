"""The catalogue in a real headless Chromium (Debian's package), against a live `registry serve`.

The journey of the issue: home, live search for "flask", flask-specialist's grants, dev-python's
six skills and grant sources, a skill's dependents, a version diff, the `.claude/agents`
download; plus keyboard use, JavaScript off, dark and phone layouts, axe-core on every page,
offline /docs and /redoc, and hostile publisher content that must never run. Screenshots of the
main pages are written to CATALOGUE_SCREENSHOTS (default build/screenshots).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from tests.contract.live_server import REGISTRY, LiveServer, live_registry
from tests.helpers import ADMIN, ADMIN_TOKEN, EXAMPLES, SKILL_NAMES, agent_bytes, skill_file

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("REGISTRY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CATALOGUE_SCREENSHOTS", ROOT / "build" / "screenshots"))
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000  # generous: two shared cores


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing: `apt-get install chromium` (scripts/test installs it)"
    if _in_ci():
        pytest.fail(message)  # CI must run these tests, never pass by skipping them
    pytest.skip(message)


def _dev_python_1_1_0() -> bytes:
    """dev-python 1.1.0: one more tool, more turns, a changed heading; the same six skills."""
    return (
        agent_bytes("dev-python")
        .replace(b"Glob\n", b"Glob, WebFetch\n", 1)
        .replace(b"maxTurns: 100", b"maxTurns: 120", 1)
        .replace(b"# Python Developer\n", b"# Python Developer, 1.1\n", 1)
    )


@pytest.fixture(scope="module")
def registry(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_registry(tmp_path_factory.mktemp("catalogue"), "registry_catalogue") as server:
        published = subprocess.run(
            [*REGISTRY, "publish", str(EXAMPLES), "--version", "1.0.0", "--url", server.url],
            env=os.environ | {"REGISTRY_TOKEN": ADMIN_TOKEN},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert published.returncode == 0, published.stderr
        response = httpx.put(
            f"{server.url}/v1/agents/dev-python/versions/1.1.0",
            content=_dev_python_1_1_0(),
            headers={"Content-Type": "text/markdown", **ADMIN},
        )
        assert response.status_code == 201, response.text
        yield server


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


class Watch:
    """What a page did that it must not: dialogs, requests off this server, CSP refusals."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.base = base
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        context.route("**/*", self._local_only)

    def _local_only(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def page(self, context: BrowserContext) -> Page:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        return page

    def assert_clean(self, refusals_allowed: tuple[str, ...] = ()) -> None:
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.outside == [], f"requests left the server: {self.outside}"
        refused = [
            m
            for m in self.console_errors
            if "Content Security Policy" in m and not any(a in m for a in refusals_allowed)
        ]
        assert refused == [], f"CSP refusals: {refused}"


@pytest.fixture
def watched(browser: Browser, registry: LiveServer) -> Iterator[tuple[Watch, Page]]:
    context = browser.new_context(viewport=WIDE, accept_downloads=True)
    watch = Watch(context, registry.url)
    yield watch, watch.page(context)
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings (evaluated over CDP, so the page CSP is untouched)."""
    page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
    )
    return found


def check(page: Page, shot: str | None = None) -> None:
    """Every page: no serious accessibility violation; optionally a screenshot."""
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))


def _cells(page: Page, table: str, column: int) -> list[str]:
    return [
        text.strip()
        for text in page.locator(f"{table} tbody tr > :nth-child({column})").all_inner_texts()
    ]


def _compare(page: Page, artifact_url: str, old: str, new: str) -> list[list[str]]:
    """Choose two versions on an artifact's page and compare them: the diff's grant changes,
    each as its words."""
    page.goto(artifact_url)
    page.get_by_label("From").select_option(old)
    page.get_by_label("to", exact=True).select_option(new)
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(f"{artifact_url}/diff/{old}...{new}")
    grants = page.locator("#grants-heading + ul.changes li").all_inner_texts()
    return [grant.replace("\n", " ").split() for grant in grants]


def test_journey_search_agent_grants_skills_dependents_diff_download(
    watched: tuple[Watch, Page], registry: LiveServer
) -> None:
    watch, page = watched
    url = registry.url

    page.goto(url + "/")
    assert page.locator("h1").inner_text() == "Find an agent"
    assert page.locator(".counts").inner_text().split() == [
        "Agents", "2", "Skills", "6", "Toolsets", "0", "Versions", "9", "Namespaces", "1",
    ]  # fmt: skip
    check(page, "home")

    page.get_by_label("Search agents, skills and toolsets by name or description").fill("flask")
    live = page.locator("#live-results")
    live.locator('a[href="/ui/agents/default/flask-specialist"]').wait_for()
    assert page.url == url + "/"  # results came in place, by htmx
    check(page, "search-live")

    live.locator('a[href="/ui/agents/default/flask-specialist"]').click()
    page.wait_for_url(url + "/ui/agents/default/flask-specialist")
    assert _cells(page, "table.grants", 1) == [
        "Read", "Write", "Edit", "MultiEdit", "Grep", "Glob", "Bash",
    ]  # fmt: skip
    assert set(_cells(page, "table.grants", 4)) == {"agent"}
    check(page, "agent-flask-specialist")

    page.goto(url + "/ui/agents/default/dev-python@1.0.0")
    tree = page.locator("ul.tree > li > a").all_inner_texts()
    assert sorted(tree) == sorted(SKILL_NAMES)
    profile = httpx.get(f"{url}/v1/profiles/dev-python@1.0.0").json()
    rows = page.locator("table.grants tbody tr")
    assert rows.count() == len(profile["tools"]["grants"]) == 6
    for index, grant in enumerate(profile["tools"]["grants"]):
        row = rows.nth(index)
        assert row.locator("th").inner_text() == grant["rule"]
        assert row.locator("td.sources > *").all_inner_texts() == grant["sources"]
    bash = rows.filter(has=page.locator("th", has_text=re.compile(r"^Bash$")))
    assert "skill:git-workflow@1.0.0" in bash.locator("td.sources").inner_text()
    check(page, "agent-dev-python")
    page.locator("#skills-heading").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('skills-heading').scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / "agent-dev-python-skills-grants.png"))

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download")).click()
    downloaded = Path(download_info.value.path()).read_bytes()
    expected = httpx.get(f"{url}/v1/profiles/dev-python@1.0.0?format=markdown").content
    assert downloaded == expected
    assert download_info.value.suggested_filename == "dev-python.md"

    page.locator("ul.tree").get_by_role("link", name="git-workflow").click()
    page.wait_for_url(url + "/ui/skills/default/git-workflow@1.0.0")
    dependents = page.locator("table.dependents tbody th a").all_inner_texts()
    assert dependents == ["default/dev-python", "default/dev-python"]  # 1.1.0 and 1.0.0
    assert _cells(page, "table.dependents", 3) == ["1.1.0", "1.0.0"]
    check(page, "skill-git-workflow")

    page.goto(url + "/ui/skills/default/python-testing")  # published as a folder by the CLI
    files = page.locator("table.files tbody tr")
    assert files.locator("th").all_inner_texts() == [
        "SKILL.md", "references/fixtures.md", "scripts/run_pytest.sh",
    ]  # fmt: skip
    assert files.locator("td:nth-child(3)").all_inner_texts() == ["no", "no", "yes"]
    script = httpx.get(url + (files.locator("th a").last.get_attribute("href") or ""))
    assert script.content == (EXAMPLES / "skills/python-testing/scripts/run_pytest.sh").read_bytes()
    check(page, "skill-python-testing-files")

    grants = _compare(page, url + "/ui/agents/default/dev-python", "1.0.0", "1.1.0")
    assert grants == [["+", "added", "WebFetch", "agent"]]
    fields = page.locator("table.diff-fields tbody th code").all_inner_texts()
    assert fields == ["maxTurns", "tools"]  # the diff API lists fields in key order
    assert page.locator("table.side-by-side td.del").first.inner_text() == "# Python Developer"
    assert page.locator("table.side-by-side td.ins").first.inner_text() == "# Python Developer, 1.1"
    check(page, "diff-dev-python")

    # A skill's versions compare the same way (its grants are its allowed tools).
    for version, tools in (("1.0.0", "Read"), ("1.1.0", "Read Grep")):
        response = httpx.put(
            f"{url}/v1/skills/release-notes/versions/{version}",
            content=skill_file("release-notes", **{"allowed-tools": tools}),
            headers={"Content-Type": "text/markdown", **ADMIN},
        )
        assert response.status_code == 201, response.text
    grants = _compare(page, url + "/ui/skills/default/release-notes", "1.0.0", "1.1.0")
    assert [grant[:3] for grant in grants] == [["+", "added", "Grep"]]
    check(page, "diff-skill-release-notes")

    watch.assert_clean()


def test_keyboard_alone_reaches_search_and_opens_a_result(
    watched: tuple[Watch, Page], registry: LiveServer
) -> None:
    watch, page = watched
    page.goto(registry.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the search box is not reachable with Tab")
    page.keyboard.type("git-work")
    page.locator('#live-results a[href="/ui/skills/default/git-workflow"]').wait_for()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == (
            "/ui/skills/default/git-workflow"
        ):
            break
    else:
        pytest.fail("the live result is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(registry.url + "/ui/skills/default/git-workflow")
    watch.assert_clean()


def test_every_page_works_with_javascript_off(browser: Browser, registry: LiveServer) -> None:
    context = browser.new_context(viewport=WIDE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(registry.url + "/")
        page.get_by_label("Search agents, skills and toolsets by name or description").fill("flask")
        page.keyboard.press("Enter")
        page.wait_for_url(registry.url + "/ui/search?q=flask")
        page.get_by_role("link", name="default/flask-specialist").click()
        assert page.locator("table.grants tbody tr").count() == 7
        snippet = page.locator("#snippet-curl").inner_text()
        assert snippet == f"curl -s '{registry.url}/v1/profiles/default/flask-specialist@1.0.0'"
    finally:
        context.close()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("dark", {"viewport": WIDE, "color_scheme": "dark"}),
        ("phone", {"viewport": PHONE, "is_mobile": True, "has_touch": True}),
        ("phone-dark", {"viewport": PHONE, "is_mobile": True, "color_scheme": "dark"}),
    ],
)
def test_dark_and_phone_layouts_fit_and_stay_accessible(
    browser: Browser, registry: LiveServer, name: str, options: dict[str, Any]
) -> None:
    context = browser.new_context(**options)
    try:
        watch = Watch(context, registry.url)
        page = watch.page(context)
        for path, shot in [
            ("/", f"home-{name}"),
            ("/ui/search?q=python", f"search-{name}"),
            ("/ui/agents/default/dev-python@1.0.0", f"agent-dev-python-{name}"),
        ]:
            page.goto(registry.url + path)
            dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            assert dark == ("dark" in name)
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert (background == "rgb(15, 18, 22)") == dark, background
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {options}"
            check(page, shot)
        watch.assert_clean()
    finally:
        context.close()


def test_docs_and_redoc_render_offline(watched: tuple[Watch, Page], registry: LiveServer) -> None:
    watch, page = watched
    page.goto(registry.url + "/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 20
    assert "Agent Registry" in page.locator(".info .title").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "docs-swagger-ui.png"))
    page.goto(registry.url + "/redoc")
    page.locator("redoc h1").first.wait_for()
    assert "Agent Registry" in page.locator("redoc h1").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "redoc.png"))
    # ReDoc's "API docs by Redocly" footer links its logo from cdn.redoc.ly: the CSP refuses
    # it, so nothing is fetched (watch.outside stays empty); that one refusal is expected.
    watch.assert_clean(refusals_allowed=("https://cdn.redoc.ly/redoc/logo-mini.svg",))


HOSTILE_AGENT = """---
name: hostile
description: "<script>window.__pwned='description';alert('description')</script><img src=x onerror=\\"window.__pwned='img';alert('img')\\"> Looks <b>harmless</b>"
tools: Read
skills: hostile-skill
x-note: "<svg onload=alert('frontmatter')></svg>"
---
# Hostile <script>window.__pwned='heading';alert('heading')</script>

<img src=x onerror="window.__pwned='body-img';alert('body-img')">

[click me](javascript:window.__pwned='link';alert('link'))

<a href="javascript:alert('raw-link')">raw link</a> <a href="JaVaScRiPt:alert('mixed')">mixed</a>

<svg onload="alert('svg')"></svg><iframe src="javascript:alert('iframe')"></iframe>

<style>body { display: none }</style>

![x](javascript:alert('image'))
"""

HOSTILE_SKILL = """---
name: hostile-skill
description: "<img src=x onerror=alert('skill')> a skill that <script>alert('skill-script')</script>"
allowed-tools: Read
---
<details open ontoggle="alert('details')"><summary>x</summary></details>
"""

HOSTILE_PAGES = [
    "/",
    "/ui/search?q=hostile",
    "/ui/search?q=%3Cscript%3Ealert('query')%3C/script%3E&tool=%22%3E%3Cimg+src=x+onerror=alert(1)%3E",
    "/ui/agents/default/hostile",
    "/ui/agents/default/hostile@1.0.0",
    "/ui/agents/default/hostile/diff/1.0.0...1.0.1",
    "/ui/skills/default/hostile-skill",
    "/ui/namespaces/default",
]


def _publish_hostile(url: str) -> None:
    markdown = {"Content-Type": "text/markdown"}
    with httpx.Client(base_url=url, timeout=30, headers=ADMIN) as http:
        responses = [
            http.put(
                "/v1/skills/hostile-skill/versions/1.0.0", content=HOSTILE_SKILL, headers=markdown
            ),
            http.put("/v1/agents/hostile/versions/1.0.0", content=HOSTILE_AGENT, headers=markdown),
            http.put(
                "/v1/agents/hostile/versions/1.0.1",
                content=HOSTILE_AGENT.replace("Looks", "Still looks"),
                headers=markdown,
            ),
            http.post(
                "/v1/agents/hostile/versions/1.0.0/yank",
                json={"reason": "<img src=x onerror=\"window.__pwned='yank';alert('yank')\">"},
            ),
            http.post(
                "/v1/agents/hostile/versions/1.0.1/deprecate",
                json={
                    "message": "<script>window.__pwned='deprecated';alert('deprecated')</script>"
                },
            ),
        ]
    for response in responses:
        assert response.status_code in (200, 201), response.text


# Run in the page: anything that could execute, left in the DOM.
_DANGERS = """() => {
  const origin = location.origin;
  const found = [];
  for (const s of document.scripts) {
    if (!s.src || !s.src.startsWith(origin + '/ui/static/')) found.push('script ' + (s.src || s.text.slice(0, 60)));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) found.push(el.tagName + ' ' + a.name);
      if (/^\\s*javascript:/i.test(a.value)) found.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  for (const el of document.querySelectorAll('main iframe, main svg, main object, main embed, main style')) {
    found.push('element ' + el.tagName);
  }
  return found;
}"""


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "sanitiser-alone"])
def test_hostile_content_never_runs(
    browser: Browser, registry: LiveServer, bypass_csp: bool
) -> None:
    """Hostile agents and skills, shown on every page: no dialog, no script. Run once with the
    page CSP and once with CSP bypassed, so the sanitiser is proved on its own too."""
    if httpx.get(f"{registry.url}/v1/agents/hostile").status_code == 404:
        _publish_hostile(registry.url)
    context = browser.new_context(viewport=WIDE, bypass_csp=bypass_csp)
    try:
        watch = Watch(context, registry.url)
        page = watch.page(context)
        for path in HOSTILE_PAGES:
            response = page.goto(registry.url + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__pwned") is None, path
            assert page.evaluate(_DANGERS) == [], path
            for link in page.locator("main a").all()[:60]:
                href = link.get_attribute("href") or ""
                assert not href.lower().strip().startswith("javascript:"), (path, href)
        page.goto(registry.url + "/ui/agents/default/hostile@1.0.0")
        main = page.locator("main").inner_text()
        assert "<script>window.__pwned='description'" in main  # shown as text, not dropped
        assert "javascript:window.__pwned='link'" in main  # the link stayed inert text
        page.get_by_text("click me").click()
        assert page.evaluate("window.__pwned") is None
        if not bypass_csp:
            check(page, "hostile-agent")
        assert watch.dialogs == [], watch.dialogs
        assert watch.outside == [] or all("/x" in u for u in watch.outside), watch.outside
    finally:
        context.close()
