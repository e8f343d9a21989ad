"""Fixed-window rate limits with one interface and two stores.

`InMemoryRateLimiter` serves a single process; `RedisRateLimiter` shares counts between
processes and replicas (used whenever `REDIS_URL` is set). Both anchor a window at the first hit
of a key and count hits until it expires, so they behave identically. Login uses them per
client IP and per account; the chat service reuses them for per-user request limits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after: float  # seconds until the window resets; 0 when allowed

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after)))


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: float) -> RateDecision:
        """Count one event for `key`; allowed while the window holds at most `limit`."""
        ...

    async def reset(self, key: str) -> None: ...

    async def aclose(self) -> None: ...


class InMemoryRateLimiter:
    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (expires_at, count)

    async def hit(self, key: str, limit: int, window_seconds: float) -> RateDecision:
        now = self._clock()
        expires_at, count = self._windows.get(key, (0.0, 0))
        if expires_at <= now:
            if len(self._windows) >= self._max_keys:
                self._prune(now)
            expires_at, count = now + window_seconds, 0
        count += 1
        self._windows[key] = (expires_at, count)
        if count > limit:
            return RateDecision(False, 0, expires_at - now)
        return RateDecision(True, limit - count, 0.0)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def aclose(self) -> None:
        self._windows.clear()

    def _prune(self, now: float) -> None:
        for key in [k for k, (exp, _) in self._windows.items() if exp <= now]:
            del self._windows[key]
        while len(self._windows) >= self._max_keys:  # all live: drop the oldest inserted
            del self._windows[next(iter(self._windows))]


_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


class RedisRateLimiter:
    """Counts live in Redis under `polychat:rl:<key>`; a Lua script makes increment and
    expiry one atomic step."""

    def __init__(self, redis: Redis, *, prefix: str = "polychat:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_HIT_SCRIPT)

    async def hit(self, key: str, limit: int, window_seconds: float) -> RateDecision:
        window_ms = max(1, int(window_seconds * 1000))
        result = await self._script(keys=[self._prefix + key], args=[window_ms])
        count, ttl_ms = int(result[0]), int(result[1])
        if count > limit:
            return RateDecision(False, 0, ttl_ms / 1000)
        return RateDecision(True, limit - count, 0.0)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def aclose(self) -> None:
        """The Redis client belongs to the app; closing it is the lifespan's job."""
