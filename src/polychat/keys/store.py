"""Database side of provider access: encrypted keys (`api_keys`) and switches (`provider_settings`).

Only this module and the rotation command touch those tables. Everything read here becomes
an immutable snapshot (`snapshot.py`) that `ProviderAccess` caches; every write is followed
by an invalidation from the caller.

Conventions:

* `api_keys.user_id` NULL = instance-wide key set by an admin; `key_name` = `<provider>_api_key`.
* `provider_settings` rows have `scope` `user` (one user's switch, base URL never read) or
  `instance` (`user_id` NULL). On instance rows, `definition` holds the provider's
  instance-level policy: `allow_user_keys`, and for a custom OpenAI-compatible provider its
  definition (`custom`, `class_name`, `display_name`, `model_allowlist`).
* NULL user ids defeat SQL unique constraints, so upserts select first and then insert or
  update inside the caller's transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.config import Settings
from polychat.db.models import ApiKey, ProviderSetting
from polychat.db.types import utcnow
from polychat.keys.snapshot import (
    InstanceSnapshot,
    KeyMaterial,
    ProviderDefinition,
    Secret,
    UserSnapshot,
    key_hint,
    key_name_for,
)
from polychat.providers.registry import ProviderRegistry
from polychat.security.secretbox import SecretBox, SecretBoxError, associated_data

logger = logging.getLogger(__name__)

Scope = Literal["user", "instance"]
CUSTOM_CLASS = "openai_compatible"


def aad_for(row: ApiKey) -> bytes:
    return associated_data(row.user_id, row.provider, row.key_name)


def _decrypt(box: SecretBox, row: ApiKey) -> Secret | None:
    try:
        return Secret(box.decrypt(row.encrypted_key, aad_for(row)))
    except SecretBoxError as exc:
        # A row we cannot open is treated as absent (the provider shows "unconfigured") and
        # logged without any secret material, so an operator can restore the right key.
        logger.error("api key row %s (%s) cannot be decrypted: %s", row.id, row.provider, exc)
        return None


# -- snapshots -------------------------------------------------------------------------------


async def load_instance_snapshot(
    session: AsyncSession, settings: Settings, registry: ProviderRegistry, box: SecretBox
) -> InstanceSnapshot:
    rows = (
        await session.scalars(select(ProviderSetting).where(ProviderSetting.scope == "instance"))
    ).all()
    by_provider = {r.provider: r for r in rows}
    providers: dict[str, ProviderDefinition] = {}
    for spec in registry.instances():
        if spec.class_name == CUSTOM_CLASS and spec.instance_id != CUSTOM_CLASS:
            continue  # custom instances come from the database below
        facts = registry.spec(spec.class_name)
        row = by_provider.get(spec.instance_id)
        policy = (row.definition if row is not None else None) or {}
        providers[spec.instance_id] = ProviderDefinition(
            provider_id=spec.instance_id,
            class_name=spec.class_name,
            display_name=facts.display_name,
            requires_key=facts.requires_key,
            base_url=(row.base_url if row is not None else None)
            or settings.provider_base_url(spec.instance_id),
            instance_enabled=row.enabled if row is not None else True,
            allow_user_keys=bool(policy.get("allow_user_keys", True)),
            env_key=facts.env_keys[0] if facts.env_keys else None,
            docs_url=facts.docs_url,
            catalog=facts.catalog,
        )
    for row in rows:
        d = row.definition or {}
        if not d.get("custom") or row.provider in providers:
            continue
        providers[row.provider] = ProviderDefinition(
            provider_id=row.provider,
            class_name=str(d.get("class_name") or CUSTOM_CLASS),
            display_name=str(d.get("display_name") or row.provider),
            requires_key=False,
            base_url=row.base_url,
            instance_enabled=row.enabled,
            allow_user_keys=bool(d.get("allow_user_keys", False)),
            model_allowlist=tuple(str(m) for m in d.get("model_allowlist") or ()),
            custom=True,
        )

    keys: dict[str, KeyMaterial] = {}
    for pid in providers:
        env = settings.provider_env_key(pid)
        if env:
            keys[pid] = KeyMaterial(Secret(env), "env", key_hint(env))
    key_rows = (
        await session.scalars(
            select(ApiKey).where(ApiKey.user_id.is_(None), ApiKey.is_active.is_(True))
        )
    ).all()
    for key_row in key_rows:
        if key_row.provider not in providers or key_row.key_name != key_name_for(key_row.provider):
            continue
        secret = _decrypt(box, key_row)
        if secret is not None:
            keys[key_row.provider] = KeyMaterial(secret, "admin", secret.hint)
    return InstanceSnapshot(providers=providers, keys=keys)


async def load_user_snapshot(session: AsyncSession, user_id: int, box: SecretBox) -> UserSnapshot:
    key_rows = (
        await session.scalars(
            select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.is_active.is_(True))
        )
    ).all()
    keys: dict[str, KeyMaterial] = {}
    for row in key_rows:
        if row.key_name != key_name_for(row.provider):
            continue
        secret = _decrypt(box, row)
        if secret is not None:
            keys[row.provider] = KeyMaterial(secret, "user", secret.hint)
    disabled = (
        await session.scalars(
            select(ProviderSetting.provider).where(
                ProviderSetting.scope == "user",
                ProviderSetting.user_id == user_id,
                ProviderSetting.enabled.is_(False),
            )
        )
    ).all()
    return UserSnapshot(keys=keys, disabled=frozenset(disabled))


# -- keys ------------------------------------------------------------------------------------


def _owner_filter(owner: int | None) -> Any:
    return ApiKey.user_id.is_(None) if owner is None else ApiKey.user_id == owner


async def find_key_row(session: AsyncSession, owner: int | None, provider: str) -> ApiKey | None:
    return await session.scalar(
        select(ApiKey).where(
            _owner_filter(owner),
            ApiKey.provider == provider,
            ApiKey.key_name == key_name_for(provider),
        )
    )


async def set_key(
    session: AsyncSession, box: SecretBox, owner: int | None, provider: str, raw: str
) -> ApiKey:
    """Store (or replace) a key encrypted and bound to its row; clears the old test result."""
    row = await find_key_row(session, owner, provider)
    if row is None:
        row = ApiKey(user_id=owner, provider=provider, key_name=key_name_for(provider))
        session.add(row)
    row.encrypted_key = box.encrypt(raw, associated_data(owner, provider, key_name_for(provider)))
    row.key_hint = key_hint(raw)
    row.master_key_id = box.current_key_id
    row.is_active = True
    row.updated_at = utcnow()
    await clear_test_result(session, owner, provider)
    return row


async def delete_key(session: AsyncSession, owner: int | None, provider: str) -> bool:
    result = await session.execute(
        delete(ApiKey).where(
            _owner_filter(owner),
            ApiKey.provider == provider,
            ApiKey.key_name == key_name_for(provider),
        )
    )
    await clear_test_result(session, owner, provider)
    return bool(getattr(result, "rowcount", 0))


# -- provider settings -------------------------------------------------------------------------


async def setting_row(
    session: AsyncSession, owner: int | None, provider: str, *, create: bool = False
) -> ProviderSetting | None:
    """The user's (owner id) or instance's (owner None) settings row for a provider."""
    scope: Scope = "instance" if owner is None else "user"
    owner_match = (
        ProviderSetting.user_id.is_(None) if owner is None else ProviderSetting.user_id == owner
    )
    row = await session.scalar(
        select(ProviderSetting).where(
            ProviderSetting.scope == scope, owner_match, ProviderSetting.provider == provider
        )
    )
    if row is None and create:
        row = ProviderSetting(scope=scope, user_id=owner, provider=provider, enabled=True)
        session.add(row)
    return row


async def set_enabled(
    session: AsyncSession, owner: int | None, provider: str, enabled: bool
) -> None:
    row = await setting_row(session, owner, provider, create=True)
    assert row is not None
    row.enabled = enabled


async def set_instance_policy(
    session: AsyncSession,
    provider: str,
    *,
    base_url: str | Literal[False] | None = False,
    allow_user_keys: bool | None = None,
) -> None:
    """Admin settings of a provider. `base_url=False` leaves it; None clears it."""
    row = await setting_row(session, None, provider, create=True)
    assert row is not None
    if base_url is not False:
        row.base_url = base_url
    if allow_user_keys is not None:
        row.definition = {**(row.definition or {}), "allow_user_keys": allow_user_keys}


@dataclass(frozen=True, slots=True)
class LastTest:
    ok: bool | None
    message: str | None
    checked_at: datetime | None


async def record_test_result(
    session: AsyncSession, owner: int | None, provider: str, ok: bool, message: str | None
) -> None:
    row = await setting_row(session, owner, provider, create=True)
    assert row is not None
    row.last_test_ok = ok
    row.last_test_message = message
    row.last_checked_at = utcnow()


async def clear_test_result(session: AsyncSession, owner: int | None, provider: str) -> None:
    row = await setting_row(session, owner, provider)
    if row is not None:
        row.last_test_ok = None
        row.last_test_message = None
        row.last_checked_at = None


async def clear_all_test_results(session: AsyncSession, provider: str) -> None:
    """Every user's and the instance's result: after the address changed, none still holds."""
    await session.execute(
        update(ProviderSetting)
        .where(ProviderSetting.provider == provider)
        .values(last_test_ok=None, last_test_message=None, last_checked_at=None)
    )


async def last_tests(session: AsyncSession, user_id: int) -> dict[tuple[Scope, str], LastTest]:
    """Last test results of this user's rows and the instance rows, keyed (scope, provider)."""
    rows = (
        await session.scalars(
            select(ProviderSetting).where(
                ((ProviderSetting.scope == "user") & (ProviderSetting.user_id == user_id))
                | (ProviderSetting.scope == "instance")
            )
        )
    ).all()
    out: dict[tuple[Scope, str], LastTest] = {}
    for row in rows:
        scope: Scope = "instance" if row.scope == "instance" else "user"
        out[(scope, row.provider)] = LastTest(
            row.last_test_ok, row.last_test_message, row.last_checked_at
        )
    return out


# -- custom providers ----------------------------------------------------------------------------


async def custom_rows(session: AsyncSession) -> list[ProviderSetting]:
    rows = (
        await session.scalars(
            select(ProviderSetting)
            .where(ProviderSetting.scope == "instance")
            .order_by(ProviderSetting.provider)
        )
    ).all()
    return [r for r in rows if (r.definition or {}).get("custom")]


async def save_custom(
    session: AsyncSession,
    provider_id: str,
    *,
    display_name: str,
    base_url: str,
    model_allowlist: list[str],
    enabled: bool = True,
    allow_user_keys: bool = False,
) -> ProviderSetting:
    row = await setting_row(session, None, provider_id, create=True)
    assert row is not None
    row.base_url = base_url
    row.enabled = enabled
    row.definition = {
        "custom": True,
        "class_name": CUSTOM_CLASS,
        "display_name": display_name,
        "model_allowlist": list(model_allowlist),
        "allow_user_keys": allow_user_keys,
    }
    return row


async def delete_custom(session: AsyncSession, provider_id: str) -> bool:
    row = await setting_row(session, None, provider_id)
    if row is None or not (row.definition or {}).get("custom"):
        return False
    await session.delete(row)
    await session.execute(delete(ApiKey).where(ApiKey.provider == provider_id))
    await session.execute(
        delete(ProviderSetting).where(
            ProviderSetting.scope == "user", ProviderSetting.provider == provider_id
        )
    )
    return True
