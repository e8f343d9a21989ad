"""One place builds and wires the app's long-lived services, and closes them in reverse.

`app_services` is the app's lifespan body (`app.py` enters it). In order:

1. the data directory and the database schema (migrations, unless disabled);
2. the core: `settings`, `engine`, `sessionmaker`, `passwords`, `redis` (one client for the
   whole app, or None), `rate_limiter` (Redis-backed when there is Redis);
3. the features in `FEATURES`: `provider_access` (+ `secretbox`), then `chat` (the chat
   service, its limits and, with Redis, the cross-process bridge).

Each lands on `app.state`, where routes reach it through `polychat.api.deps`; nothing is a
module global. Everything is closed in reverse order on shutdown (an `AsyncExitStack`), so
the chat service saves its running answers while the database and Redis are still there.
The CLI's one-shot commands build what they need themselves (`admin_tools.py`,
`keys/rotation.py`).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from polychat.chat.hub import StreamHub
from polychat.chat.limits import ChatLimits, UserLimits
from polychat.chat.options import ChatOptions
from polychat.chat.service import ChatService
from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.migrate import migrate
from polychat.keys.setup import create_provider_access
from polychat.security.passwords import Passwords
from polychat.security.ratelimit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter

# CPython hands the GIL between threads every 5 ms by default. The event loop shares the
# process with database helper threads (aiosqlite runs one per connection; the chat writer one
# more), and each hand-off back to the loop could cost up to that long: measured on the chat
# benchmark, 1 ms doubles streams per second at the same CPU per stream.
GIL_SWITCH_INTERVAL_S = 0.001


@asynccontextmanager
async def provider_access(app: FastAPI) -> AsyncIterator[None]:
    """`app.state.provider_access` (and the `secretbox` it decrypts keys with)."""
    access, box = create_provider_access(app.state.settings, redis=app.state.redis)
    await access.start()
    app.state.provider_access = access
    app.state.secretbox = box
    try:
        yield
    finally:
        await access.aclose()


@asynccontextmanager
async def chat(app: FastAPI) -> AsyncIterator[None]:
    """`app.state.chat`: on start, answers a dead process left `streaming` are marked
    `interrupted`; on shutdown, running answers are saved as `interrupted` and queued writes
    flushed. Needs `provider_access`, built before it."""
    settings: Settings = app.state.settings
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(previous_interval, GIL_SWITCH_INTERVAL_S))
    options = ChatOptions.from_settings(settings)
    redis = app.state.redis
    limits = ChatLimits(
        app.state.sessionmaker,
        app.state.rate_limiter,
        defaults=UserLimits(options.rate_limit_per_minute, options.daily_token_quota),
        redis=redis,
        redis_prefix=settings.redis_prefix,
    )
    hub = StreamHub(linger_s=options.linger_s)
    bridge = None
    if redis is not None:
        from polychat.chat.redis_bridge import RedisBridge

        bridge = RedisBridge(redis, hub, prefix=settings.redis_prefix)
        await bridge.start()
    service = ChatService(
        app.state.sessionmaker,
        app.state.provider_access,
        options,
        limits=limits,
        bridge=bridge,
        hub=hub,
    )
    await service.start()
    app.state.chat = service
    try:
        yield
    finally:
        await service.close()
        if bridge is not None:
            await bridge.close()
        sys.setswitchinterval(previous_interval)


FEATURES: list[Callable[[FastAPI], AbstractAsyncContextManager[None]]] = [
    provider_access,
    chat,
]
"""Entered in order after the core is built, exited in reverse before it closes."""


@asynccontextmanager
async def app_services(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Build every service on `app.state` (see the module docstring) for the app's life."""
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
        for feature in FEATURES:
            await stack.enter_async_context(feature(app))
        yield


def _redis_client(settings: Settings) -> Any:
    """The app's one Redis client (None without `REDIS_URL`): the rate limiter, the chat
    bridge and the key-cache invalidation bus all share it."""
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis  # imported only when configured

    return Redis.from_url(settings.redis_url)
