"""The FastAPI application factory.

`create_app()` wires routers, error handlers and middleware; the lifespan then migrates the
database (unless disabled), builds the long-lived singletons and stores them on `app.state`:

    settings, engine, sessionmaker, passwords, rate_limiter, redis (or None)

Routes reach them through `polychat.api.deps`, never through globals.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse

from polychat import __version__
from polychat.api import LIFESPANS, ROUTERS
from polychat.api.errors import ApiError, install_error_handlers
from polychat.api.middleware import RequestIdMiddleware
from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.migrate import migrate
from polychat.security.passwords import Passwords
from polychat.security.ratelimit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter

log = logging.getLogger(__name__)

_NOT_SPA = ("api/", "docs", "redoc", "openapi.json", "healthz", "readyz")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if settings.database_url is None:
                settings.ensure_data_dir()
            if settings.run_migrations:
                await migrate(settings)
            engine = create_engine(settings)
            stack.push_async_callback(engine.dispose)
            redis = _redis_client(settings)
            if redis is not None:
                stack.push_async_callback(redis.aclose)
            limiter: RateLimiter = (
                RedisRateLimiter(redis, prefix=f"{settings.redis_prefix}rl:")
                if redis is not None
                else InMemoryRateLimiter()
            )
            stack.push_async_callback(limiter.aclose)
            settings.jwt_secret()  # create or load now, not on the first request
            app.state.settings = settings
            app.state.engine = engine
            app.state.sessionmaker = create_sessionmaker(engine)
            app.state.passwords = Passwords.from_settings(settings)
            app.state.redis = redis
            app.state.rate_limiter = limiter
            for extension in LIFESPANS:
                await stack.enter_async_context(extension(app))
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


def _redis_client(settings: Settings) -> Any:
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis  # imported only when configured

    return Redis.from_url(settings.redis_url)


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
