"""The FastAPI application factory.

`create_app()` wires routers, error handlers and middleware; its lifespan is
`polychat.services.app_services`, the one place that migrates the database (unless disabled),
builds the long-lived services on `app.state` and closes them in reverse. Routes reach them
through `polychat.api.deps`, never through globals.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from polychat import __version__
from polychat.api import ROUTERS
from polychat.api.errors import ApiError, install_error_handlers
from polychat.api.middleware import RequestIdMiddleware
from polychat.config import Settings
from polychat.services import app_services

log = logging.getLogger(__name__)

_NOT_SPA = ("api/", "docs", "redoc", "openapi.json", "healthz", "readyz")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with app_services(app, settings):
            yield

    app = FastAPI(
        title="Polychat",
        version=__version__,
        description="Self-hosted multi-provider AI chat. Errors always have the shape "
        '`{"error": {"code": "...", "message": "..."}}`.',
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    _mount_web(app, settings.web_dir)
    app.add_middleware(RequestIdMiddleware)
    return app


def _mount_web(app: FastAPI, web_dir: Path) -> None:
    """Serve the built single-page app: real files as they are, any other non-API path as
    index.html so client-side routes survive a reload."""
    root = web_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        log.info("no web UI build at %s: serving the API only", root)
        return

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        if path.startswith(_NOT_SPA):
            raise ApiError(404, "not_found", "not found")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            headers = {"Cache-Control": "public, max-age=31536000, immutable"}
            if not path.startswith("assets/"):
                headers = {"Cache-Control": "no-cache"}
            return FileResponse(candidate, headers=headers)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
