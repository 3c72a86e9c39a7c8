"""`/docs` (Swagger UI) and `/redoc` served from assets vendored into this package: no CDN."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from service.catalogue.router import page_headers, templates

# Swagger UI and ReDoc style their widgets at run time (style attributes, injected <style>)
# and ReDoc searches in a Web Worker built from a blob. Scripts still come only from this
# origin, none inline, and nothing loads from anywhere else.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def build_router(openapi_url: str) -> APIRouter:
    views = templates()
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger_ui(request: Request) -> Response:
        return views.TemplateResponse(
            request, "docs.html", {"openapi_url": openapi_url}, headers=page_headers(DOCS_CSP)
        )

    @router.get("/redoc")
    async def redoc(request: Request) -> Response:
        return views.TemplateResponse(
            request, "redoc.html", {"openapi_url": openapi_url}, headers=page_headers(DOCS_CSP)
        )

    return router
