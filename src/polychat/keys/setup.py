"""Building `ProviderAccess` for the app (`polychat/services.py` wires it on `app.state`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.config import Settings
from polychat.keys.access import ProviderAccess
from polychat.keys.keyring import build_secretbox
from polychat.keys.snapshot import InstanceSnapshot, UserSnapshot
from polychat.keys.store import load_instance_snapshot, load_user_snapshot
from polychat.providers.registry import ProviderRegistry
from polychat.security.secretbox import SecretBox


def create_provider_access(
    settings: Settings,
    *,
    redis: Any | None = None,
    registry: ProviderRegistry | None = None,
    box: SecretBox | None = None,
) -> tuple[ProviderAccess, SecretBox]:
    """The access singleton and the secret box it decrypts with. `redis` (the app's client,
    when configured) carries cache invalidations to the other processes. Call
    `await access.start()` before serving and `await access.aclose()` on shutdown."""
    registry = registry or ProviderRegistry()
    box = box or build_secretbox(settings)
    sealed = box

    async def load_instance(session: AsyncSession) -> InstanceSnapshot:
        return await load_instance_snapshot(session, settings, registry, sealed)

    async def load_user(session: AsyncSession, user_id: int) -> UserSnapshot:
        return await load_user_snapshot(session, user_id, sealed)

    access = ProviderAccess(
        registry=registry,
        load_instance=load_instance,
        load_user=load_user,
        redis=redis,
    )
    return access, box
