"""`/api/admin/settings`: instance switches only an administrator may change."""

from __future__ import annotations

from fastapi import APIRouter

from polychat.api.deps import AdminUser, SessionDep, SettingsDep
from polychat.api.errors import error_responses
from polychat.api.schemas_users import AdminSettings, AdminSettingsUpdate
from polychat.db import app_settings

router = APIRouter(prefix="/api/admin", tags=["admin"])


async def _current(session: SessionDep, settings: SettingsDep) -> AdminSettings:
    return AdminSettings(
        registration_open=bool(
            await app_settings.get_value(
                session, app_settings.REGISTRATION_OPEN, settings.registration_open
            )
        )
    )


@router.get(
    "/settings",
    response_model=AdminSettings,
    responses=error_responses(401, 403),
    summary="Instance settings",
)
async def get_admin_settings(
    _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> AdminSettings:
    return await _current(session, settings)


@router.put(
    "/settings",
    response_model=AdminSettings,
    responses=error_responses(401, 403, 422),
    summary="Change instance settings (e.g. close registration)",
)
async def update_admin_settings(
    body: AdminSettingsUpdate, _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> AdminSettings:
    if body.registration_open is not None:
        await app_settings.set_value(
            session, app_settings.REGISTRATION_OPEN, body.registration_open
        )
        await session.commit()
    return await _current(session, settings)
