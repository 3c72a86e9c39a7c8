"""The catalogue's pages: HTML for people, rendered on the server, enhanced with htmx."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from service.artifacts.router import get_service
from service.artifacts.service import ArtifactService
from service.auth.dependencies import ReadScopeDep
from service.bundles.router import BundlesDep
from service.catalogue.markdown import CachedMarkdown
from service.catalogue.repository import CatalogueRepository, Filters
from service.catalogue.service import DEPENDENTS_COUNTED, CatalogueService
from service.dependencies import SessionDep
from service.errors import NotFound, RegistryError
from service.formats.kinds import DOCUMENT_KINDS, KINDS, DocumentKind, Kind
from service.profiles.router import ProfilesDep

HERE = Path(__file__).parent
STATIC_PREFIX = "/ui/static"
# No inline script or style, nothing from another origin; forms and links stay on this site.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def templates() -> Jinja2Templates:
    environment = Jinja2Templates(directory=HERE / "templates")
    env = environment.env
    env.filters["markdown"] = CachedMarkdown()
    env.globals["static"] = lambda path: f"{STATIC_PREFIX}/{path}"
    env.globals["KINDS"] = KINDS
    env.filters["shown"] = _shown
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return environment


def _shown(value: Any) -> str:
    """A frontmatter value as text: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def page_headers(csp: str = PAGE_CSP) -> dict[str, str]:
    return {"Content-Security-Policy": csp, **SECURITY_HEADERS}


def get_catalogue(
    session: SessionDep,
    artifacts: Annotated[ArtifactService, Depends(get_service)],
    profiles: ProfilesDep,
    bundles: BundlesDep,
    scope: ReadScopeDep,
) -> CatalogueService:
    """The catalogue reads through the same services, built the same way, as the API, and
    shows only the namespaces the reader may read (REGISTRY_ANONYMOUS_READ=false)."""
    repository = CatalogueRepository(session, scope.namespaces)
    return CatalogueService(repository, artifacts, profiles, bundles)


CatalogueDep = Annotated[CatalogueService, Depends(get_catalogue)]


def build_router() -> APIRouter:
    views = templates()

    def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        response = views.TemplateResponse(
            request, template, context, status_code=status, headers=page_headers()
        )
        response.headers["Vary"] = "HX-Request"
        return response

    class PageRoute(APIRoute):
        """A registry error on a page is an HTML page with the problem's status and text."""

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def handle(request: Request) -> Response:
                try:
                    return await handler(request)
                except RegistryError as error:
                    return render(request, "error.html", error.status, error=error)

            return handle

    router = APIRouter(route_class=PageRoute, include_in_schema=False)

    @router.get("/")
    async def home(request: Request, catalogue: CatalogueDep) -> Response:
        return render(request, "home.html", home=await catalogue.home())

    @router.get("/ui/search")
    async def search(
        request: Request,
        catalogue: CatalogueDep,
        q: Annotated[str | None, Query(max_length=200)] = None,
        kind: Annotated[str | None, Query(max_length=16)] = None,
        namespace: Annotated[str | None, Query(max_length=64)] = None,
        tool: Annotated[str | None, Query(max_length=200)] = None,
        skill: Annotated[str | None, Query(max_length=200)] = None,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
    ) -> Response:
        filters = Filters(
            query=(q or "").strip() or None,
            kind=kind if kind in KINDS else None,
            namespace=namespace or None,
            tool=tool or None,
            skill=skill or None,
        )
        results = await catalogue.search(filters, cursor)
        fragment = request.headers.get("hx-request") == "true"
        return render(
            request,
            "_results.html" if fragment else "search.html",
            results=results,
            link=_filter_link(filters),
        )

    @router.get("/ui/namespaces/{namespace}")
    async def namespace_page(
        request: Request,
        namespace: str,
        catalogue: CatalogueDep,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
    ) -> Response:
        filters = Filters(namespace=namespace)
        results = await catalogue.search(filters, cursor)
        if not results.items and cursor is None:
            raise NotFound(f"nothing is published in namespace {namespace!r}")
        return render(
            request,
            "namespace.html",
            namespace=namespace,
            results=results,
            link=_filter_link(filters),
        )

    diffable: tuple[DocumentKind, ...] = DOCUMENT_KINDS
    for diff_kind in diffable:
        _add_diff_pages(router, diff_kind, render)

    @router.get("/ui/agents/{namespace}/{spec}/download")
    async def download(namespace: str, spec: str, catalogue: CatalogueDep) -> Response:
        name, _, version = spec.partition("@")
        if not version:
            raise NotFound(
                "download names an exact version: /ui/agents/{namespace}/{name}@{version}/download"
            )
        body = await catalogue.agent_markdown(namespace, name, version)
        return Response(
            body,
            media_type="text/markdown; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}.md"',
                **SECURITY_HEADERS,
            },
        )

    @router.get("/ui/agents/{namespace}/{spec}")
    async def agent(
        request: Request, namespace: str, spec: str, catalogue: CatalogueDep
    ) -> Response:
        name, _, version = spec.partition("@")
        page = await catalogue.agent(namespace, name, version or None)
        return render(request, "agent.html", page=page, base=str(request.base_url).rstrip("/"))

    artifact_kinds: tuple[Kind, ...] = ("skill", "toolset")
    for kind in artifact_kinds:
        _add_artifact_page(router, kind, render)

    return router


def _add_artifact_page(router: APIRouter, kind: Kind, render: Callable[..., Response]) -> None:
    @router.get(f"/ui/{kind}s/{{namespace}}/{{spec}}", name=f"{kind}_page")
    async def artifact_page(
        request: Request, namespace: str, spec: str, catalogue: CatalogueDep
    ) -> Response:
        name, _, version = spec.partition("@")
        page = await catalogue.artifact(kind, namespace, name, version or None)
        return render(request, f"{kind}.html", page=page, counted=DEPENDENTS_COUNTED)


def _add_diff_pages(router: APIRouter, kind: DocumentKind, render: Callable[..., Response]) -> None:
    base = f"/ui/{kind}s/{{namespace}}/{{name}}/diff"

    @router.get(base, name=f"choose_{kind}_diff")
    async def choose_diff(
        namespace: str,
        name: str,
        from_version: Annotated[str, Query(alias="from", max_length=128)],
        to_version: Annotated[str, Query(alias="to", max_length=128)],
    ) -> Response:
        """The version chooser's form lands here and is sent on to the diff's own address."""
        return RedirectResponse(
            f"/ui/{kind}s/{namespace}/{name}/diff/{from_version}...{to_version}", 303
        )

    @router.get(base + "/{versions}", name=f"{kind}_diff")
    async def diff(
        request: Request, namespace: str, name: str, versions: str, catalogue: CatalogueDep
    ) -> Response:
        old, separator, new = versions.partition("...")
        if not separator or not old or not new:
            raise NotFound("a diff is addressed as {from}...{to}, e.g. 1.0.0...1.1.0")
        page = await catalogue.diff(kind, namespace, name, old, new)
        return render(request, "diff.html", page=page)


def _filter_link(filters: Filters) -> Callable[..., str]:
    """`link(kind="skill")`: this search with one filter changed (None removes it)."""
    current = {
        "q": filters.query,
        "kind": filters.kind,
        "namespace": filters.namespace,
        "tool": filters.tool,
        "skill": filters.skill,
    }

    def link(**changes: str | None) -> str:
        merged = {k: v for k, v in (current | changes).items() if v}
        return "/ui/search" + ("?" + urlencode(merged) if merged else "")

    return link
