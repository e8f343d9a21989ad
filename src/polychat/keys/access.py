"""`ProviderAccess`: from (user, model, provider?) to a ready provider instance, from memory.

One instance per app (`app.state.provider_access`), created in the lifespan. The chat
service calls `resolve` on every request; it reads only the in-memory configuration cache
(`cache.ProviderConfigCache`) and the instance pool, never the database, except on the
first request after a change. Every write path (API, CLI rotation) calls `invalidate`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.keys.bus import make_bus
from polychat.keys.cache import ProviderConfigCache
from polychat.keys.errors import (
    InvalidProviderError,
    ProviderDisabledError,
    ProviderNotConfiguredError,
    UnknownModelError,
    UnknownProviderError,
)
from polychat.keys.pool import ProviderPool
from polychat.keys.snapshot import EffectiveProvider, InstanceSnapshot, UserSnapshot
from polychat.providers.base import BaseProvider, ProviderConfig
from polychat.providers.catalog import load_catalog
from polychat.providers.factory import ModelResolutionError, ProviderFactory
from polychat.providers.registry import ProviderRegistry

logger = logging.getLogger(__name__)

LIST_TIMEOUT_S = 10.0
MEMO_SIZE = 50_000


@dataclass(frozen=True)
class ResolvedProvider:
    provider: BaseProvider
    provider_id: str
    model: str
    key_source: Literal["user", "admin", "env", "none"]


def missing_key_message(
    provider_id: str, display_name: str, *, user_keys: bool, env: str | None = None
) -> str:
    """What to do about a missing key; `env` names the variable that would supply one."""
    where = "add one in Settings → Providers" if user_keys else "ask an administrator to add one"
    if env:
        return f"no key for {provider_id}: set {env} or {where}"
    return f"no key for {provider_id} ({display_name}): {where}"


class ProviderAccess:
    def __init__(
        self,
        *,
        registry: ProviderRegistry,
        load_instance: Callable[[AsyncSession], Awaitable[InstanceSnapshot]],
        load_user: Callable[[AsyncSession, int], Awaitable[UserSnapshot]],
        redis: Any | None = None,
        pool: ProviderPool | None = None,
    ) -> None:
        self.registry = registry
        self.factory = ProviderFactory(registry)
        self.pool = pool or ProviderPool(registry)
        self._load_instance = load_instance
        self.cache = ProviderConfigCache(self._load_and_sync, load_user)
        self.bus = make_bus(self.cache.invalidate, redis)
        self.list_failures: weakref.WeakKeyDictionary[BaseProvider, tuple[float, str]] = (
            weakref.WeakKeyDictionary()
        )
        """Recent model-list failures per instance (views.py skips retrying them briefly)."""
        self._memo: dict[tuple[int, str, str | None], tuple[tuple[int, int], ResolvedProvider]] = {}

    async def start(self) -> None:
        await self.bus.start()

    async def aclose(self) -> None:
        await self.bus.aclose()
        await self.pool.aclose()
        await self.factory.aclose_all()

    async def invalidate(self, user_id: int | None = None) -> None:
        """Call after every change to keys or provider settings (None: instance-wide)."""
        await self.bus.publish(user_id)

    # -- views ----------------------------------------------------------------------------------

    async def providers(self, session: AsyncSession, user_id: int) -> dict[str, EffectiveProvider]:
        """Every provider as this user sees it (cached; do not mutate)."""
        return await self.cache.effective(session, user_id)

    async def provider(
        self, session: AsyncSession, user_id: int, provider_id: str
    ) -> EffectiveProvider:
        providers = await self.providers(session, user_id)
        eff = providers.get(provider_id)
        if eff is None:
            raise UnknownProviderError(
                f"unknown provider {provider_id!r}; known: {', '.join(sorted(providers))}",
                provider=provider_id,
            )
        return eff

    def instance(self, eff: EffectiveProvider, api_key: str | None = None) -> BaseProvider:
        """The pooled instance for this provider with its effective key (or `api_key`)."""
        d = eff.definition
        key = api_key if api_key is not None else eff.key.secret.reveal() if eff.key else None
        return self.pool.get(
            d.class_name,
            ProviderConfig(
                api_key=key,
                base_url=d.base_url,
                instance_id=d.provider_id,
                display_name=d.display_name,
                model_allowlist=d.model_allowlist,
            ),
        )

    # -- the hot path -----------------------------------------------------------------------------

    async def resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None = None
    ) -> ResolvedProvider:
        """The provider instance that serves `model` for this user, or a clear refusal.

        Successful answers are memoized until the next configuration change or pool
        eviction, so a warm request costs a dict lookup."""
        key = (user_id, model, provider)
        stamp = (self.cache.generation, self.pool.version)
        memo = self._memo.get(key)
        if memo is not None and memo[0] == stamp:
            return memo[1]
        resolved = await self._resolve(session, user_id, model, provider)
        if (self.cache.generation, self.pool.version) == stamp:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = (stamp, resolved)
        return resolved

    async def _resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None
    ) -> ResolvedProvider:
        providers = await self.providers(session, user_id)
        if provider is not None and provider not in providers:
            raise InvalidProviderError(
                f"unknown provider {provider!r}; known: {', '.join(sorted(providers))}",
                provider=provider,
            )
        try:
            pid = self.factory.resolve(model, provider)
        except ModelResolutionError:
            # Providers without a shipped catalog (Ollama, custom servers) are only routable
            # once their live list has been seen: fetch those once, then try again.
            if not await self._learn_models(providers):
                raise self._unknown_model(model, providers) from None
            try:
                pid = self.factory.resolve(model, provider)
            except ModelResolutionError:
                raise self._unknown_model(model, providers) from None
        eff = providers.get(pid)
        if eff is None:
            raise self._unknown_model(model, providers)
        self.check_usable(eff)
        allow = eff.definition.model_allowlist
        if allow and model not in allow:
            raise self._unknown_model(model, providers)
        instance = self.instance(eff)
        resolve_alias = getattr(instance, "resolve_model", None)
        if callable(resolve_alias):  # e.g. mistral-7b-instruct -> open-mistral-7b
            model = str(resolve_alias(model))
        return ResolvedProvider(instance, pid, model, eff.key_source)

    def check_usable(self, eff: EffectiveProvider) -> None:
        d = eff.definition
        if not d.instance_enabled:
            raise ProviderDisabledError(
                f"{d.display_name} is turned off on this server by an administrator",
                provider=d.provider_id,
            )
        if not eff.user_enabled:
            raise ProviderDisabledError(
                f"you turned {d.display_name} off: turn it back on in Settings → Providers",
                provider=d.provider_id,
            )
        if not eff.configured:
            raise ProviderNotConfiguredError(
                missing_key_message(
                    d.provider_id, d.display_name, user_keys=d.allow_user_keys, env=d.env_key
                ),
                provider=d.provider_id,
            )

    async def resolve_title_provider(
        self, session: AsyncSession, user_id: int, prefer: str | None = None
    ) -> ResolvedProvider | None:
        """A cheap model the user can use for titles (its spec's `title_model`): `prefer`'s
        provider first, else the others in the registry's order."""
        providers = await self.providers(session, user_id)
        titled = [(s.id, s.title_model) for s in self.registry.specs() if s.title_model]
        order = sorted(titled, key=lambda pm: pm[0] != prefer)
        for pid, model in order:
            eff = providers.get(pid)
            if eff is not None and eff.usable:
                return ResolvedProvider(self.instance(eff), pid, model, eff.key_source)
        return None

    async def _learn_models(self, providers: dict[str, EffectiveProvider]) -> bool:
        known = self.registry.known_models()
        todo = [e for e in providers.values() if e.usable and e.provider_id not in known]
        learned = False
        for eff in todo:
            try:
                models = await asyncio.wait_for(self.instance(eff).get_models(), LIST_TIMEOUT_S)
            except Exception:
                continue
            if models:
                self.registry.remember_models(eff.provider_id, models)
                learned = True
        return learned

    def _unknown_model(
        self, model: str, providers: dict[str, EffectiveProvider]
    ) -> UnknownModelError:
        available = self.known_models(providers)
        shown = "; ".join(f"{pid}: {', '.join(ids)}" for pid, ids in available.items())
        return UnknownModelError(
            f"unknown model {model!r}. Available: {shown or 'none — configure a provider first'}",
            available=available,
        )

    def known_models(self, providers: dict[str, EffectiveProvider]) -> dict[str, list[str]]:
        """Model ids of the user's usable providers, from what we know without a network call."""
        seen = self.registry.known_models()
        out: dict[str, list[str]] = {}
        for pid, eff in sorted(providers.items()):
            if not eff.usable:
                continue
            ids = list(seen.get(pid, ())) or [m.id for m in load_catalog(pid).models]
            if eff.definition.model_allowlist:
                ids = [m for m in eff.definition.model_allowlist]
            if ids:
                out[pid] = ids
        return out

    # -- loading ----------------------------------------------------------------------------------

    async def _load_and_sync(self, session: AsyncSession) -> InstanceSnapshot:
        """Load the instance snapshot and mirror it into the registry (routing needs it)."""
        snap = await self._load_instance(session)
        for spec in self.registry.instances():
            if spec.instance_id not in snap.providers and spec.class_name == "openai_compatible":
                self.registry.remove_instance(spec.instance_id)
        usable = dict(snap.providers)
        for pid, d in snap.providers.items():
            if d.custom:
                try:
                    self.registry.add_instance(
                        pid,
                        d.class_name,
                        display_name=d.display_name,
                        base_url=d.base_url,
                        model_allowlist=d.model_allowlist,
                    )
                except (ValueError, LookupError) as exc:
                    # e.g. a plugin installed later took this id: skip it, serve the rest.
                    logger.error("custom provider %s left out: %s", pid, exc)
                    del usable[pid]
                    continue
                self.registry.remember_models(pid, d.model_allowlist)
            self.registry.set_enabled(pid, d.instance_enabled)
            # Instance-wide view only (admin/env key); per-user keys live in the cache.
            self.registry.set_configured(pid, pid in snap.keys)
        if len(usable) == len(snap.providers):
            return snap
        return InstanceSnapshot(providers=usable, keys=snap.keys)
