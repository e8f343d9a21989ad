"""Start-up and shutdown of the chat service: one `ChatService` on `app.state.chat`.

Entered from `polychat.api.LIFESPANS`, after the database is ready. On start: answers left
`streaming` by a dead process are marked `interrupted`; with Redis, the cross-process bridge
starts. On shutdown: running answers are saved as `interrupted`, queued writes are flushed.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.chat.errors import ChatError
from polychat.chat.limits import ChatLimits, UserLimits
from polychat.chat.options import ChatOptions
from polychat.chat.service import ChatService


class _AppAccess:
    """`ProviderAccess` looked up on `app.state` when first needed, so the order in which
    feature lifespans start does not matter."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    async def resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None = None
    ) -> Any:
        access = getattr(self._app.state, "provider_access", None)
        if access is None:
            raise ChatError(503, "providers_unavailable", "provider access is not ready yet")
        return await access.resolve(session, user_id, model, provider)

    async def resolve_title_provider(
        self, session: AsyncSession, user_id: int, prefer: str | None = None
    ) -> Any:
        access = getattr(self._app.state, "provider_access", None)
        pick = getattr(access, "resolve_title_provider", None)
        return None if pick is None else await pick(session, user_id, prefer=prefer)


# CPython hands the GIL between threads every 5 ms by default. The event loop shares the
# process with database helper threads (aiosqlite runs one per connection; the chat writer one
# more), and each hand-off back to the loop could cost up to that long: measured on the chat
# benchmark, 1 ms doubles streams per second at the same CPU per stream.
GIL_SWITCH_INTERVAL_S = 0.001


@asynccontextmanager
async def chat_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(previous_interval, GIL_SWITCH_INTERVAL_S))
    options = ChatOptions.from_settings(settings)
    redis = getattr(app.state, "redis", None)
    limits = ChatLimits(
        app.state.sessionmaker,
        app.state.rate_limiter,
        defaults=UserLimits(options.rate_limit_per_minute, options.daily_token_quota),
        redis=redis,
        redis_prefix=settings.redis_prefix,
    )
    service = ChatService(app.state.sessionmaker, _AppAccess(app), options, limits=limits)
    bridge = None
    if redis is not None:
        from polychat.chat.redis_bridge import RedisBridge

        bridge = RedisBridge(redis, service.hub, prefix=settings.redis_prefix)
        await bridge.start()
        service.bridge = bridge
    await service.start()
    app.state.chat = service
    try:
        yield
    finally:
        await service.close()
        if bridge is not None:
            await bridge.close()
        sys.setswitchinterval(previous_interval)
