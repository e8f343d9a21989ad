"""Long-lived provider instances, one per (provider, key, base URL), shared by requests.

Why not `ProviderFactory.get` alone: the factory keeps one live instance per provider id and
retires it whenever another key asks for that provider. With per-user keys, two users
chatting with Claude would then build a fresh SDK client on every alternate request. This
pool keeps one instance per distinct credential (bounded, least recently used evicted), so
each user's connection pool stays warm. Evicted instances are closed after a grace period
because a stream may still be reading through them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict

from polychat.providers.base import BaseProvider, ProviderConfig
from polychat.providers.registry import ProviderRegistry

logger = logging.getLogger(__name__)

PoolKey = tuple[str, str | None, str | None, tuple[str, ...]]


class ProviderPool:
    def __init__(
        self,
        registry: ProviderRegistry,
        *,
        max_instances: int = 512,
        close_grace_s: float = 300.0,
    ) -> None:
        self._registry = registry
        self._max = max_instances
        self._grace = close_grace_s
        self._live: OrderedDict[PoolKey, BaseProvider] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()
        self._retired: list[BaseProvider] = []
        self.version = 0
        """Bumped whenever an instance leaves the pool (callers memoizing instances check it)."""

    def __len__(self) -> int:
        return len(self._live)

    def get(self, class_name: str, config: ProviderConfig) -> BaseProvider:
        """The shared instance for this configuration; built on first use (no I/O)."""
        key: PoolKey = (
            config.instance_id or class_name,
            config.api_key,
            config.base_url,
            config.model_allowlist,
        )
        instance = self._live.get(key)
        if instance is not None:
            self._live.move_to_end(key)
            return instance
        instance = self._registry.get_class(class_name)(config)
        self._live[key] = instance
        while len(self._live) > self._max:
            _, old = self._live.popitem(last=False)
            self._retire(old)
        return instance

    def retire_where(self, instance_id: str) -> None:
        """Retire every instance of one provider (its base URL or keys changed)."""
        for key in [k for k in self._live if k[0] == instance_id]:
            self._retire(self._live.pop(key))

    def _retire(self, instance: BaseProvider) -> None:
        self.version += 1
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._retired.append(instance)
            return
        task = loop.create_task(self._close_later(instance))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close_later(self, instance: BaseProvider) -> None:
        try:
            await asyncio.sleep(self._grace)
        finally:
            with contextlib.suppress(Exception):
                await instance.aclose()

    async def aclose(self) -> None:
        """Close everything now (app shutdown)."""
        for task in list(self._closing):
            task.cancel()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        instances = [*self._live.values(), *self._retired]
        self._live.clear()
        self._retired.clear()
        for instance in instances:
            try:
                await instance.aclose()
            except Exception:
                logger.warning("closing provider %s failed", instance.instance_id)
