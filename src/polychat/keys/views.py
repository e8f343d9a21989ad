"""What the providers and models endpoints show: status, test results, usage, model lists.

These are read paths for the settings screens and the model picker, not the chat hot path,
so they may read the database (test results, usage) and call providers' list endpoints
(through each provider's own TTL cache).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.db.repositories import usage as usage_repo
from polychat.keys.access import ProviderAccess
from polychat.keys.snapshot import EffectiveProvider, KeySource
from polychat.keys.store import LastTest, last_tests
from polychat.providers.base import BaseProvider, IgnoredParam, ModelInfo
from polychat.providers.catalog import ModelCache, load_catalog

logger = logging.getLogger(__name__)

Status = Literal["ok", "unconfigured", "disabled", "error"]
LIST_TIMEOUT_S = 15.0
FAILURE_TTL_S = 30.0


@dataclass(frozen=True, slots=True)
class MonthUsage:
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class ProviderCapabilitySummary:
    streaming: bool
    vision: bool
    tools: bool
    max_context: int | None
    reasoning: bool = False  # some model of it can show its thinking


@dataclass(frozen=True, slots=True)
class ProviderView:
    id: str
    display_name: str
    custom: bool
    requires_key: bool
    configured: bool
    enabled: bool
    instance_enabled: bool
    user_enabled: bool
    allow_user_keys: bool
    status: Status
    status_message: str | None
    key_source: KeySource
    key_hint: str | None
    has_user_key: bool
    base_url: str | None
    capabilities: ProviderCapabilitySummary
    last_test: LastTest | None
    usage: MonthUsage
    docs_url: str | None = None

    def hint_for(self, *, admin: bool) -> str | None:
        """A shared (admin or env) key's hint is for admins: it would help a user guess it."""
        return self.key_hint if admin or self.key_source == "user" else None


def test_scope(eff: EffectiveProvider) -> Literal["user", "instance"]:
    """Test results belong to the key they tested: the user's own, or the shared one."""
    return "user" if eff.key_source == "user" else "instance"


def compute_status(eff: EffectiveProvider, last: LastTest | None) -> tuple[Status, str | None]:
    d = eff.definition
    if not d.instance_enabled:
        return "disabled", "turned off on this server by an administrator"
    if not eff.user_enabled:
        return "disabled", "turned off in your settings"
    if not eff.configured:
        if eff.user_key_ignored:
            return "unconfigured", "personal keys are not allowed for this provider"
        return "unconfigured", "no API key"
    if last is not None and last.ok is False:
        return "error", last.message
    return "ok", None


def capability_summary(catalog: str | None) -> ProviderCapabilitySummary:
    """From the shipped catalog: no instance (and no key) is needed to describe a provider."""
    models = load_catalog(catalog).models if catalog else ()
    return ProviderCapabilitySummary(
        streaming=True,
        vision=any(m.vision for m in models),
        tools=any(m.tools for m in models),
        max_context=max((m.context_window or 0 for m in models), default=0) or None,
        reasoning=any(m.reasoning for m in models),
    )


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def month_usage(session: AsyncSession, user_id: int) -> dict[str, MonthUsage]:
    rows = await usage_repo.grouped(session, user_id, "provider", month_start())
    return {t.key: MonthUsage(t.requests, t.input_tokens, t.output_tokens, t.cost) for t in rows}


async def provider_views(
    access: ProviderAccess, session: AsyncSession, user_id: int
) -> list[ProviderView]:
    providers = await access.providers(session, user_id)
    tests = await last_tests(session, user_id)
    usage = await month_usage(session, user_id)
    return [
        build_view(eff, tests, usage.get(pid, MonthUsage()))
        for pid, eff in sorted(providers.items(), key=lambda kv: (kv[1].definition.custom, kv[0]))
    ]


def build_view(
    eff: EffectiveProvider,
    tests: dict[tuple[Literal["user", "instance"], str], LastTest],
    usage: MonthUsage,
) -> ProviderView:
    d = eff.definition
    last = tests.get((test_scope(eff), d.provider_id))
    if last is not None and last.checked_at is None:
        last = None
    status, message = compute_status(eff, last)
    return ProviderView(
        id=d.provider_id,
        display_name=d.display_name,
        custom=d.custom,
        requires_key=d.requires_key,
        configured=eff.configured,
        enabled=eff.enabled,
        instance_enabled=d.instance_enabled,
        user_enabled=eff.user_enabled,
        allow_user_keys=d.allow_user_keys,
        status=status,
        status_message=message,
        key_source=eff.key_source,
        key_hint=eff.key.hint if eff.key is not None else None,
        has_user_key=eff.key_source == "user" or eff.user_key_ignored,
        base_url=d.base_url,
        capabilities=capability_summary(d.catalog),
        docs_url=d.docs_url,
        last_test=last,
        usage=usage,
    )


# -- models ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelEntry:
    info: ModelInfo
    provider_display_name: str
    available: bool
    streaming: bool = True
    # The conversation parameters the model does not take: the adapter's own rule.
    ignored_params: tuple[IgnoredParam, ...] = ()


@dataclass(frozen=True, slots=True)
class ProviderModels:
    provider: str
    display_name: str
    status: Status
    available: bool
    error: str | None = None
    models: list[ModelEntry] = field(default_factory=list)


def _list_error(instance: BaseProvider) -> BaseException | None:
    """Providers serve their catalog when the live list fails (never raising); the failure is
    kept on their `ModelCache`, which is where we learn the list was not live."""
    explicit = getattr(instance, "models_error", None)
    if isinstance(explicit, BaseException):
        return explicit
    for value in vars(instance).values():
        if isinstance(value, ModelCache) and value.last_error is not None:
            return value.last_error
    return None


def _describe(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return str(message) if message else type(error).__name__


def _entry(instance: BaseProvider, info: ModelInfo, display: str, available: bool) -> ModelEntry:
    return ModelEntry(info, display, available, ignored_params=instance.ignored_params(info.id))


async def models_of(
    access: ProviderAccess, eff: EffectiveProvider, *, live: bool
) -> ProviderModels:
    """One provider's models; failures become status `error` plus the catalog, never raise."""
    d = eff.definition
    catalog = load_catalog(d.catalog) if d.catalog else None
    catalog_models = list(catalog.for_provider(d.provider_id).models) if catalog else []
    if d.model_allowlist:
        catalog_models = [m for m in catalog_models if m.id in d.model_allowlist] or [
            ModelInfo(id=m, provider=d.provider_id, display_name=m) for m in d.model_allowlist
        ]
    # No I/O: an unconfigured provider's instance only states its parameter rules.
    instance = access.instance(eff)
    if not live:
        entries = [_entry(instance, m, d.display_name, False) for m in catalog_models]
        return ProviderModels(d.provider_id, d.display_name, "unconfigured", False, None, entries)
    error: str | None = None
    recent = access.list_failures.get(instance)
    if recent is not None and time.monotonic() - recent[0] < FAILURE_TTL_S:
        # Failed moments ago: do not make every page load wait on a dead endpoint again.
        models, error = catalog_models, recent[1]
    else:
        try:
            models = await asyncio.wait_for(instance.get_models(), LIST_TIMEOUT_S)
            failure = _list_error(instance)
            if failure is not None:
                error = _describe(failure)
            if models:
                access.registry.remember_models(d.provider_id, models)
        except Exception as exc:  # one provider failing never fails the endpoint
            logger.warning("listing models of %s failed: %s", d.provider_id, type(exc).__name__)
            error = _describe(exc) if not isinstance(exc, TimeoutError) else "timed out"
            models = catalog_models
        if error is not None:
            access.list_failures[instance] = (time.monotonic(), error)
        else:
            access.list_failures.pop(instance, None)
    # A keyless provider whose list failed is unreachable (Ollama not running): its catalog is
    # shown for orientation but not offered as usable.
    usable = error is None or d.requires_key
    entries = [_entry(instance, m, d.display_name, usable) for m in models]
    status: Status = "error" if error else "ok"
    return ProviderModels(d.provider_id, d.display_name, status, True, error, entries)


async def list_models(
    access: ProviderAccess,
    session: AsyncSession,
    user_id: int,
    *,
    include_unconfigured: bool = False,
    only: str | None = None,
) -> list[ProviderModels]:
    """Models of usable providers (listed concurrently); with `include_unconfigured`, also
    catalog models of enabled providers that lack a key, marked unavailable. Disabled
    providers are left out: turning a provider off hides its models."""
    providers = await access.providers(session, user_id)
    jobs = []
    for pid, eff in sorted(providers.items()):
        if only is not None and pid != only:
            continue
        if eff.usable:
            jobs.append(models_of(access, eff, live=True))
        elif eff.enabled and include_unconfigured:
            jobs.append(models_of(access, eff, live=False))
    return list(await asyncio.gather(*jobs))
