"""In-memory cache of provider configuration, so a chat request never reads settings from SQL.

Loading happens on a miss only; every change (key set or deleted, enable/disable, base URL,
custom provider, rotation) calls `invalidate`, locally and, through `bus`, in every other
process. A generation counter makes a load that raced with an invalidation throw its result
away instead of caching stale data.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.keys.snapshot import (
    EffectiveProvider,
    InstanceSnapshot,
    UserSnapshot,
    effective_providers,
)

InstanceLoader = Callable[[AsyncSession], Awaitable[InstanceSnapshot]]
UserLoader = Callable[[AsyncSession, int], Awaitable[UserSnapshot]]


class ProviderConfigCache:
    def __init__(
        self,
        load_instance: InstanceLoader,
        load_user: UserLoader,
        *,
        max_users: int = 10_000,
    ) -> None:
        self._load_instance = load_instance
        self._load_user = load_user
        self._max_users = max_users
        self._instance: InstanceSnapshot | None = None
        self._users: OrderedDict[int, dict[str, EffectiveProvider]] = OrderedDict()
        self._generation = 0
        self.loads = 0
        """How many times the database was read (tests use it to prove the cache works)."""

    async def instance(self, session: AsyncSession) -> InstanceSnapshot:
        snap = self._instance
        if snap is not None:
            return snap
        gen = self._generation
        snap = await self._load_instance(session)
        self.loads += 1
        if gen == self._generation:
            self._instance = snap
        return snap

    async def effective(self, session: AsyncSession, user_id: int) -> dict[str, EffectiveProvider]:
        """Every provider as `user_id` sees it. The returned dict must not be mutated."""
        cached = self._users.get(user_id)
        if cached is not None:
            self._users.move_to_end(user_id)
            return cached
        gen = self._generation
        instance = await self.instance(session)
        user = await self._load_user(session, user_id)
        self.loads += 1
        result = effective_providers(instance, user)
        if gen == self._generation:
            self._users[user_id] = result
            while len(self._users) > self._max_users:
                self._users.popitem(last=False)
        return result

    @property
    def generation(self) -> int:
        """Changes on every invalidation: anything derived from the cache keys off it."""
        return self._generation

    def invalidate(self, user_id: int | None = None) -> None:
        """Drop one user's view, or (None) everything: instance changes affect every user."""
        self._generation += 1
        if user_id is None:
            self._instance = None
            self._users.clear()
        else:
            self._users.pop(user_id, None)
