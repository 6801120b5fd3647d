"""The API's documentation pages under /schema, with their scripts and styles served by the
service itself (issue 11, item 5), so they work where the browser has no internet.

Litestar's render plugins load each UI from a CDN by default. The files come instead from
the `openapi-ui-bundles` package on PyPI (Apache-2.0; no dependencies), which ships the
built Swagger UI, Redoc and RapiDoc; `/schema/assets/{name}` serves the ones the pages load.
Stoplight Elements, which Litestar also offers, is left out: its only PyPI packaging comes
with another web framework (star-openapi's Starlette, or Flask) as a dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.datastructures import ResponseHeader
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    RapidocRenderPlugin,
    RedocRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.params import FromPath
from litestar.response import File
from openapi_ui_bundles import rapidoc, redoc, swagger_ui

from domain.errors import NotFound

DOCS_PATH = "/schema"
ASSETS_PATH = f"{DOCS_PATH}/assets"

# The browser loads nothing for these pages from anywhere but this service. Redoc draws a
# "by Redocly" logo from its makers' CDN, which no option turns off: refused here, it hides
# itself. Inline scripts and styles are how the UIs start; data: and blob: URLs are their
# icons and Redoc's worker.
ONLY_THIS_SERVICE = "default-src 'self' 'unsafe-inline' data: blob:"

# Only the files the pages load: each bundle also carries a demo index.html that would fetch
# a sample API from the internet, which has no place on this service.
_ASSETS: dict[str, Path] = {
    name: folder / name
    for folder, names in [
        (swagger_ui.static_path, ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                                  "swagger-ui.css", "favicon-32x32.png")),
        (redoc.static_path, ("redoc.standalone.js", "logo-mini.svg")),
        (rapidoc.static_path, ("rapidoc-min.js",)),
    ]
    for name in names
}


class _RapidocWithoutWebFonts(RapidocRenderPlugin):
    """RapiDoc, which otherwise fetches its Open Sans from Google's font servers."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        return page.replace(b"<rapi-doc ", b"<rapi-doc load-fonts='false' ", 1)


def _icon(name: str | None) -> str:
    # Without a <link rel=icon> the browser asks for /favicon.ico, a 404 in the access log.
    href = f"{ASSETS_PATH}/{name}" if name else "data:,"
    return f"<link rel='icon' href='{href}'>"


def documentation_pages() -> Sequence[OpenAPIRenderPlugin]:
    """The pages under /schema: Redoc first (also served at /schema itself, as before), Swagger
    UI, RapiDoc, and the document as JSON and YAML."""
    return [
        RedocRenderPlugin(js_url=f"{ASSETS_PATH}/redoc.standalone.js", google_fonts=False,
                          favicon=_icon("logo-mini.svg")),
        SwaggerRenderPlugin(js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                            css_url=f"{ASSETS_PATH}/swagger-ui.css",
                            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
                            favicon=_icon("favicon-32x32.png")),
        _RapidocWithoutWebFonts(js_url=f"{ASSETS_PATH}/rapidoc-min.js", favicon=_icon(None)),
        JsonRenderPlugin(),
        YamlRenderPlugin(),
    ]


@get("/assets/{name:str}", sync_to_thread=False)
def documentation_asset(name: FromPath[str]) -> File:
    """One script, style or icon of the documentation pages."""
    path = _ASSETS.get(name)
    if path is None:
        raise NotFound(f"no documentation asset {name}")
    # The name gives the content type: Chromium applies no stylesheet sent as octet-stream.
    return File(path, filename=name, content_disposition_type="inline")


def documentation_router() -> Router:
    """The router Litestar adds the pages to (one per app: Litestar registers into it), with
    the assets beside them; all of it outside the OpenAPI document."""
    return Router(DOCS_PATH, route_handlers=[documentation_asset], include_in_schema=False,
                  response_headers=[ResponseHeader(name="Content-Security-Policy",
                                                   value=ONLY_THIS_SERVICE)])
