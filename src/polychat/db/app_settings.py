"""Instance settings an admin changes at run time, stored as JSON rows in `app_settings`.

Read where they matter (registration reads `registration_open` once per attempt), never on the
hot path. A missing row falls back to the start-up default from `Settings`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.db.models import AppSetting

REGISTRATION_OPEN = "registration_open"


async def get_value(session: AsyncSession, key: str, default: Any) -> Any:
    row = await session.get(AppSetting, key)
    return default if row is None else row.value


async def set_value(session: AsyncSession, key: str, value: Any) -> None:
    row = await session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
