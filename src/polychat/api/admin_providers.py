"""`/api/admin/providers`: custom OpenAI-compatible providers (vLLM, LM Studio, Groq, ...).

Admin only, because a provider's base URL is an address the server will connect to. A custom
provider then appears in `/api/providers` and `/api/models` like a built-in, under its id.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from polychat.api.deps import AdminUser, SessionDep
from polychat.api.errors import ApiError, error_responses
from polychat.api.provider_schemas import CustomProviderIn, CustomProviderOut, CustomProviderPatch
from polychat.api.providers import get_access, get_box
from polychat.db.models import ProviderSetting
from polychat.keys import store

router = APIRouter(prefix="/api/admin/providers", tags=["admin"])

ERRORS = error_responses(401, 403, 404, 409, 422)


async def _out(session: SessionDep, row: ProviderSetting) -> CustomProviderOut:
    d = row.definition or {}
    key = await store.find_key_row(session, None, row.provider)
    return CustomProviderOut(
        id=row.provider,
        display_name=str(d.get("display_name") or row.provider),
        base_url=row.base_url or "",
        model_allowlist=[str(m) for m in d.get("model_allowlist") or ()],
        enabled=row.enabled,
        allow_user_keys=bool(d.get("allow_user_keys", False)),
        has_key=key is not None,
        key_hint=key.key_hint if key is not None else None,
    )


async def _custom(session: SessionDep, provider_id: str) -> ProviderSetting:
    row = await store.setting_row(session, None, provider_id)
    if row is None or not (row.definition or {}).get("custom"):
        raise ApiError(404, "not_found", f"no custom provider {provider_id!r}")
    return row


@router.get("", response_model=list[CustomProviderOut], responses=ERRORS)
async def list_custom(_admin: AdminUser, session: SessionDep) -> list[CustomProviderOut]:
    return [await _out(session, row) for row in await store.custom_rows(session)]


@router.post("", response_model=CustomProviderOut, status_code=201, responses=ERRORS)
async def create_custom(
    body: CustomProviderIn, request: Request, _admin: AdminUser, session: SessionDep
) -> CustomProviderOut:
    access = get_access(request)
    taken = set(access.registry.names()) | {s.instance_id for s in access.registry.instances()}
    if body.id in taken or await store.setting_row(session, None, body.id) is not None:
        raise ApiError(409, "conflict", f"a provider with id {body.id!r} already exists")
    row = await store.save_custom(
        session,
        body.id,
        display_name=body.display_name,
        base_url=body.base_url,
        model_allowlist=body.model_allowlist,
        enabled=body.enabled,
        allow_user_keys=body.allow_user_keys,
    )
    if body.api_key:
        await store.set_key(session, get_box(request), None, body.id, body.api_key.strip())
    await session.commit()
    await access.invalidate(None)
    return await _out(session, row)


@router.patch("/{provider_id}", response_model=CustomProviderOut, responses=ERRORS)
async def update_custom(
    provider_id: str,
    body: CustomProviderPatch,
    request: Request,
    _admin: AdminUser,
    session: SessionDep,
) -> CustomProviderOut:
    access = get_access(request)
    row = await _custom(session, provider_id)
    d = dict(row.definition or {})
    row = await store.save_custom(
        session,
        provider_id,
        display_name=body.display_name or str(d.get("display_name") or provider_id),
        base_url=body.base_url or row.base_url or "",
        model_allowlist=body.model_allowlist
        if body.model_allowlist is not None
        else list(d.get("model_allowlist") or ()),
        enabled=body.enabled if body.enabled is not None else row.enabled,
        allow_user_keys=body.allow_user_keys
        if body.allow_user_keys is not None
        else bool(d.get("allow_user_keys", False)),
    )
    if body.api_key is not None:
        if body.api_key.strip():
            await store.set_key(session, get_box(request), None, provider_id, body.api_key.strip())
        else:
            await store.delete_key(session, None, provider_id)
    await session.commit()
    access.pool.retire_where(provider_id)
    await access.invalidate(None)
    return await _out(session, row)


@router.delete("/{provider_id}", status_code=204, responses=ERRORS)
async def delete_custom(
    provider_id: str, request: Request, _admin: AdminUser, session: SessionDep
) -> Response:
    access = get_access(request)
    await _custom(session, provider_id)
    await store.delete_custom(session, provider_id)
    await session.commit()
    access.pool.retire_where(provider_id)
    await access.invalidate(None)
    return Response(status_code=204)
