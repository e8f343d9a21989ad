"""The configuration cache: read once, dropped on every change, in every process."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.keys.bus import LocalBus, RedisBus
from polychat.keys.cache import ProviderConfigCache
from polychat.keys.snapshot import (
    InstanceSnapshot,
    KeyMaterial,
    ProviderDefinition,
    Secret,
    UserSnapshot,
)

CLAUDE = ProviderDefinition("claude", "claude", "Anthropic", requires_key=True)
NO_SESSION = cast(AsyncSession, None)


class Source:
    """Stands in for the database: counts reads and can be changed between them."""

    def __init__(self) -> None:
        self.user_keys: dict[int, str] = {}
        self.reads = 0
        self.gate: asyncio.Event | None = None

    async def instance(self, _session: AsyncSession) -> InstanceSnapshot:
        self.reads += 1
        return InstanceSnapshot({"claude": CLAUDE})

    async def user(self, _session: AsyncSession, user_id: int) -> UserSnapshot:
        self.reads += 1
        raw = self.user_keys.get(user_id)
        if self.gate is not None:
            await self.gate.wait()
        keys = {"claude": KeyMaterial(Secret(raw), "user", "…")} if raw else {}
        return UserSnapshot(keys=keys)


async def test_hot_path_reads_the_database_once() -> None:
    src = Source()
    cache = ProviderConfigCache(src.instance, src.user)
    for _ in range(100):
        view = await cache.effective(NO_SESSION, 1)
        assert view["claude"].key_source == "none"
    assert src.reads == 2  # instance + user, once


async def test_invalidation_is_per_user_or_global() -> None:
    src = Source()
    cache = ProviderConfigCache(src.instance, src.user)
    await cache.effective(NO_SESSION, 1)
    await cache.effective(NO_SESSION, 2)
    src.user_keys[1] = "key-one"
    assert (await cache.effective(NO_SESSION, 1))["claude"].key_source == "none"  # cached
    cache.invalidate(1)
    reads = src.reads
    assert (await cache.effective(NO_SESSION, 1))["claude"].key_source == "user"
    assert src.reads == reads + 1  # only the user layer reloaded
    await cache.effective(NO_SESSION, 2)
    assert src.reads == reads + 1  # user 2 untouched
    cache.invalidate(None)
    await cache.effective(NO_SESSION, 2)
    assert src.reads == reads + 3  # instance + user 2


async def test_load_racing_with_invalidation_is_not_cached() -> None:
    src = Source()
    cache = ProviderConfigCache(src.instance, src.user)
    src.gate = asyncio.Event()
    stale = asyncio.create_task(cache.effective(NO_SESSION, 1))
    await asyncio.sleep(0.01)
    src.user_keys[1] = "new-key"  # the change lands while the old read is in flight
    cache.invalidate(1)
    src.gate.set()
    assert (await asyncio.wait_for(stale, 2))["claude"].key_source == "none"
    src.gate = None
    assert (await cache.effective(NO_SESSION, 1))["claude"].key_source == "user"


async def test_user_views_are_bounded() -> None:
    src = Source()
    cache = ProviderConfigCache(src.instance, src.user, max_users=3)
    for uid in range(10):
        await cache.effective(NO_SESSION, uid)
    assert len(cache._users) == 3


async def test_local_bus_invalidates_this_process() -> None:
    seen: list[int | None] = []
    bus = LocalBus(seen.append)
    await bus.start()
    await bus.publish(5)
    await bus.publish(None)
    await bus.aclose()
    assert seen == [5, None]


REDIS_URL = os.environ.get("REDIS_URL")

if REDIS_URL:  # Redis only where REDIS_URL is set (.ci/run sets it), as in the rest of the suite

    async def test_redis_bus_reaches_other_processes() -> None:
        channel = f"test:{uuid.uuid4().hex}"
        here: list[int | None] = []
        there: list[int | None] = []
        from redis.asyncio import Redis

        # Two processes: two clients, as each app has its own.
        client_a, client_b = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
        a = RedisBus(here.append, client_a, channel=channel)
        b = RedisBus(there.append, client_b, channel=channel)
        await a.start()
        await b.start()
        here.clear()
        there.clear()
        try:
            await a.publish(42)
            await a.publish(None)
            for _ in range(200):
                if len(there) >= 2:
                    break
                await asyncio.sleep(0.01)
            assert there == [42, None]
            await asyncio.sleep(0.1)
            assert here == [42, None]  # applied locally at once; its own echo is ignored
        finally:
            await a.aclose()
            await b.aclose()
            await client_a.aclose()
            await client_b.aclose()


def test_garbage_on_the_channel_drops_everything() -> None:
    seen: list[Any] = []
    bus = RedisBus.__new__(RedisBus)
    bus._invalidate = seen.append
    bus._origin = "me"
    bus._apply(b"other|not-a-number")
    bus._apply(b"other|*")
    bus._apply("other|7")
    bus._apply("me|7")  # our own echo
    bus._apply("7")  # no origin (an operator's redis-cli PUBLISH)
    assert seen == [None, None, 7, 7]


async def test_provider_pool_shares_instances_and_retires_old_ones() -> None:
    from polychat.keys.pool import ProviderPool
    from polychat.providers.base import ProviderConfig
    from polychat.providers.registry import ProviderRegistry

    pool = ProviderPool(ProviderRegistry(), max_instances=2, close_grace_s=0)
    cfg = ProviderConfig(api_key="k1", base_url="http://127.0.0.1:9", instance_id="openai")
    first = pool.get("openai", cfg)
    assert pool.get("openai", cfg) is first  # same credentials, same pooled client
    second = pool.get("openai", ProviderConfig(api_key="k2", instance_id="openai"))
    assert second is not first
    pool.get("openai", ProviderConfig(api_key="k3", instance_id="openai"))
    assert len(pool) == 2  # the least recently used one was retired
    assert pool.get("openai", cfg) is not first  # rebuilt on demand
    pool.retire_where("openai")
    assert len(pool) == 0
    for _ in range(100):  # retired instances close after the (zero) grace period
        if not pool._closing:
            break
        await asyncio.sleep(0.01)
    assert not pool._closing
    await pool.aclose()
