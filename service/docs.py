"""API docs with no outside host: Swagger UI from files vendored in the package (see
``service/docs_assets/swagger-ui/README.md``), served under ``/schema/assets``.

Litestar's Swagger plugin would load its JavaScript, CSS and favicon from public CDNs; hospital
networks often block those and the page is then blank. Every URL here is on the service itself.
"""

from __future__ import annotations

from pathlib import Path

from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from service.openapi import FinishedSwaggerRenderPlugin

SWAGGER_UI_VERSION = "5.35.0"
ASSETS_DIR = Path(__file__).parent / "docs_assets" / "swagger-ui"
ASSETS_PATH = "/schema/assets"


def docs_assets_router() -> ControllerRouterHandler:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS_DIR], include_in_schema=False, name="docs-assets",
        cache_control=None,
    )


def swagger_ui_plugin() -> FinishedSwaggerRenderPlugin:
    return FinishedSwaggerRenderPlugin(
        path="/docs",
        version=SWAGGER_UI_VERSION,
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
