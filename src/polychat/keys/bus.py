"""Cross-process cache invalidation for provider configuration.

With one process, invalidation is a method call. With several processes (REDIS_URL set),
a change made in one must reach the others' caches within milliseconds, or a revoked key
would keep working elsewhere: every invalidation is published on a Redis channel and each
process drops its own cache when it hears one. Messages are `<origin>|<target>`; a process
ignores its own echo (it already applied the change), so a write costs it one reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

CHANNEL = "polychat:provider-config:invalidate"
ALL = "*"

Invalidate = Callable[[int | None], None]


class LocalBus:
    """Single-process bus: publishing invalidates this process's cache only."""

    def __init__(self, invalidate: Invalidate) -> None:
        self._invalidate = invalidate

    async def start(self) -> None:
        return None

    async def publish(self, user_id: int | None) -> None:
        self._invalidate(user_id)

    async def aclose(self) -> None:
        return None


class RedisBus(LocalBus):
    """Publishes invalidations over Redis pub/sub and applies everyone else's."""

    def __init__(self, invalidate: Invalidate, redis: Any, channel: str = CHANNEL) -> None:
        """`redis` is the app's `redis.asyncio.Redis` client (the app closes it); the
        subscription takes a connection of its own from the client's pool."""
        super().__init__(invalidate)
        self._redis = redis
        self._channel = channel
        self._origin = uuid.uuid4().hex
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="provider-config-invalidation")
        # Do not serve before we hear others; otherwise an early change could be missed.
        await asyncio.wait_for(self._subscribed.wait(), timeout=10)

    async def publish(self, user_id: int | None) -> None:
        self._invalidate(user_id)
        target = ALL if user_id is None else str(user_id)
        await self._redis.publish(self._channel, f"{self._origin}|{target}")

    async def _listen(self) -> None:
        # Runs for the app's lifetime; ends when `aclose` cancels it.
        backoff = 0.1
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                # A reconnect may have missed messages: drop everything to be safe.
                self._invalidate(None)
                self._subscribed.set()
                backoff = 0.1
                async for message in pubsub.listen():
                    self._apply(message.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("provider config invalidation channel lost; reconnecting")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _apply(self, data: object) -> None:
        text = data.decode() if isinstance(data, bytes) else str(data)
        origin, _, text = text.rpartition("|")
        if origin == self._origin:
            return
        if text == ALL:
            self._invalidate(None)
            return
        try:
            self._invalidate(int(text))
        except ValueError:
            self._invalidate(None)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def make_bus(invalidate: Invalidate, redis: Any | None) -> LocalBus:
    """Over Redis when the app has a client, else within this process."""
    return RedisBus(invalidate, redis) if redis is not None else LocalBus(invalidate)
