"""Per-user chat limits: a request rate and a daily token quota, both answered with 429.

The limits themselves are instance settings an admin changes at run time (stored in
`app_settings` under `chat_limits`), held in memory and reloaded at most every
`RELOAD_S` seconds, so a request never reads configuration from the database. Request counts
use the app's rate limiter (Redis-backed when `REDIS_URL` is set, so all processes share
them); tokens used today are counted in memory, or in Redis across processes, seeded once
per user and day from `usage_tracking`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from polychat.chat.errors import ChatError
from polychat.db import app_settings
from polychat.db.repositories import usage as usage_repo
from polychat.security.ratelimit import RateLimiter

LIMITS_KEY = "chat_limits"
RELOAD_S = 10.0
TOKENS_KEY = "chat:tokens:{}:{}"


@dataclass(frozen=True, slots=True)
class UserLimits:
    requests_per_minute: int = 0  # 0: unlimited
    daily_tokens: int = 0  # 0: unlimited


@dataclass(frozen=True, slots=True)
class LimitsPolicy:
    """Instance defaults plus per-user overrides (user id -> limits)."""

    default: UserLimits = UserLimits()
    users: dict[int, UserLimits] = field(default_factory=dict)

    def for_user(self, user_id: int) -> UserLimits:
        return self.users.get(user_id, self.default)

    def to_json(self) -> dict[str, Any]:
        return {
            "requests_per_minute": self.default.requests_per_minute,
            "daily_tokens": self.default.daily_tokens,
            "users": {
                str(uid): {
                    "requests_per_minute": u.requests_per_minute,
                    "daily_tokens": u.daily_tokens,
                }
                for uid, u in self.users.items()
            },
        }

    @classmethod
    def from_json(cls, raw: Any, fallback: UserLimits) -> LimitsPolicy:
        if not isinstance(raw, dict):
            return cls(default=fallback)
        users: dict[int, UserLimits] = {}
        for key, value in (raw.get("users") or {}).items():
            if isinstance(value, dict):
                users[int(key)] = UserLimits(
                    int(value.get("requests_per_minute", 0)), int(value.get("daily_tokens", 0))
                )
        return cls(
            default=UserLimits(
                int(raw.get("requests_per_minute", fallback.requests_per_minute)),
                int(raw.get("daily_tokens", fallback.daily_tokens)),
            ),
            users=users,
        )


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def _seconds_to_midnight() -> int:
    now = datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((tomorrow - now).total_seconds()))


class ChatLimits:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        limiter: RateLimiter,
        *,
        defaults: UserLimits,
        redis: Any = None,
        redis_prefix: str = "polychat:",
    ) -> None:
        self._sessionmaker = sessionmaker
        self._limiter = limiter
        self._defaults = defaults
        self._redis = redis
        self._tokens_key = redis_prefix + TOKENS_KEY
        self._policy = LimitsPolicy(default=defaults)
        self._loaded_at = -math.inf
        self._tokens: dict[tuple[int, str], int] = {}  # in-process counter (no Redis)

    @property
    def policy(self) -> LimitsPolicy:
        return self._policy

    async def load(self) -> LimitsPolicy:
        async with self._sessionmaker() as session:
            raw = await app_settings.get_value(session, LIMITS_KEY, None)
        self._policy = LimitsPolicy.from_json(raw, self._defaults)
        self._loaded_at = time.monotonic()
        return self._policy

    async def save(self, session: AsyncSession, policy: LimitsPolicy) -> None:
        await app_settings.set_value(session, LIMITS_KEY, policy.to_json())
        await session.commit()
        self._policy = policy
        self._loaded_at = time.monotonic()

    async def check(self, user_id: int) -> None:
        """Raise a 429 `ChatError` (with Retry-After) when the user is over a limit."""
        if time.monotonic() - self._loaded_at > RELOAD_S:
            await self.load()
        limits = self._policy.for_user(user_id)
        if limits.daily_tokens > 0:
            used = await self.tokens_today(user_id)
            if used >= limits.daily_tokens:
                wait = _seconds_to_midnight()
                raise ChatError(
                    429,
                    "quota_exceeded",
                    f"daily token quota reached ({used} of {limits.daily_tokens} tokens used "
                    f"today); it resets at 00:00 UTC",
                    headers={"Retry-After": str(wait)},
                )
        if limits.requests_per_minute > 0:
            decision = await self._limiter.hit(f"chat:{user_id}", limits.requests_per_minute, 60)
            if not decision.allowed:
                raise ChatError(
                    429,
                    "rate_limited",
                    f"too many chat requests: at most {limits.requests_per_minute} a minute; "
                    f"try again in {decision.retry_after_header} s",
                    headers={"Retry-After": decision.retry_after_header},
                )

    async def _seed(self, user_id: int, day: str) -> int:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
        async with self._sessionmaker() as session:
            return await usage_repo.tokens_since(session, user_id, start)

    async def tokens_today(self, user_id: int) -> int:
        day = _today()
        if self._redis is not None:
            key = self._tokens_key.format(user_id, day)
            value = await self._redis.get(key)
            if value is None:
                seeded = await self._seed(user_id, day)
                await self._redis.set(key, seeded, nx=True, ex=2 * 86400)
                value = await self._redis.get(key)
            return int(value or 0)
        cached = self._tokens.get((user_id, day))
        if cached is None:
            cached = await self._seed(user_id, day)
            self._tokens = {k: v for k, v in self._tokens.items() if k[1] == day}
            self._tokens[(user_id, day)] = cached
        return cached

    async def record(self, user_id: int, tokens: int) -> None:
        """Count an answer's tokens (called after its usage row is saved)."""
        if tokens <= 0:
            return
        day = _today()
        if self._redis is not None:
            key = self._tokens_key.format(user_id, day)
            if await self._redis.exists(key):
                await self._redis.incrby(key, tokens)
            return
        if (user_id, day) in self._tokens:
            self._tokens[(user_id, day)] += tokens
