"""`/api/providers`: which providers exist, their keys, status, tests and switches.

Every key write is followed by `access.invalidate` (this process at once, others through
Redis), so the chat hot path, which never reads these tables, sees the change on its next
request. Raw keys only travel inward: responses carry a four-character hint at most.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request

from polychat.api.deps import CurrentUser, SessionDep
from polychat.api.errors import ApiError, error_responses
from polychat.api.provider_schemas import (
    KeyIn,
    KeyScope,
    ProviderModelsOut,
    ProviderOut,
    ProviderPatch,
    StatusOut,
    TestIn,
    TestOut,
)
from polychat.db.models import User
from polychat.keys import store
from polychat.keys.access import ProviderAccess
from polychat.keys.errors import (
    AdminRequiredError,
    KeyValidationFailedError,
    ProviderDisabledError,
    UserKeysForbiddenError,
)
from polychat.keys.views import (
    MonthUsage,
    build_view,
    models_of,
    month_usage,
    provider_views,
    test_scope,
)
from polychat.security.secretbox import SecretBox

router = APIRouter(prefix="/api/providers", tags=["providers"])

ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def get_access(request: Request) -> ProviderAccess:
    access: ProviderAccess = request.app.state.provider_access
    return access


def get_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secretbox
    return box


def require_admin(user: User, what: str) -> None:
    if not user.is_admin:
        raise AdminRequiredError(f"only an administrator can {what}")


async def _view(
    access: ProviderAccess, session: SessionDep, user: User, provider: str
) -> ProviderOut:
    eff = await access.provider(session, user.id, provider)
    tests = await store.last_tests(session, user.id)
    usage = (await month_usage(session, user.id)).get(provider, MonthUsage())
    return ProviderOut.of(build_view(eff, tests, usage), admin=user.is_admin)


@router.get("", response_model=list[ProviderOut], responses=ERRORS)
async def list_providers(
    request: Request, user: CurrentUser, session: SessionDep
) -> list[ProviderOut]:
    """Every registered provider (built-in and custom) as the current user sees it."""
    views = await provider_views(get_access(request), session, user.id)
    return [ProviderOut.of(v, admin=user.is_admin) for v in views]


@router.post("/{provider}/key", response_model=ProviderOut, responses=ERRORS)
async def set_key(
    provider: str, body: KeyIn, request: Request, user: CurrentUser, session: SessionDep
) -> ProviderOut:
    """Save a key, encrypted: your own (`scope=user`) or the instance-wide one (admins)."""
    access = get_access(request)
    eff = await access.provider(session, user.id, provider)
    d = eff.definition
    if body.scope == "instance":
        require_admin(user, "set an instance-wide key")
    elif not d.allow_user_keys:
        raise UserKeysForbiddenError(
            f"personal keys are turned off for {d.display_name} on this server",
            provider=provider,
        )
    if not d.requires_key and not d.custom:
        raise ApiError(400, "key_not_needed", f"{d.display_name} does not use an API key")
    owner = None if body.scope == "instance" else user.id
    await store.set_key(session, get_box(request), owner, provider, body.api_key)
    await session.commit()
    await access.invalidate(owner)
    return await _view(access, session, user, provider)


@router.delete("/{provider}/key", response_model=ProviderOut, responses=ERRORS)
async def delete_key(
    provider: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    scope: Annotated[KeyScope, Query()] = "user",
) -> ProviderOut:
    """Remove a key; the next source in line (instance key, environment) takes over."""
    access = get_access(request)
    await access.provider(session, user.id, provider)
    if scope == "instance":
        require_admin(user, "remove an instance-wide key")
    owner = None if scope == "instance" else user.id
    if not await store.delete_key(session, owner, provider):
        raise ApiError(404, "key_not_found", f"no {scope} key is stored for {provider}")
    await session.commit()
    await access.invalidate(owner)
    return await _view(access, session, user, provider)


@router.post("/{provider}/test", response_model=TestOut, responses=ERRORS)
async def test_provider(
    provider: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    body: TestIn | None = None,
) -> TestOut:
    """Make the provider's cheapest real call with the key in use (or one given here, which is
    not saved). The result of testing the key in use is kept and shown as the status."""
    access = get_access(request)
    eff = await access.provider(session, user.id, provider)
    if not eff.definition.instance_enabled:
        raise ProviderDisabledError(
            f"{eff.definition.display_name} is turned off on this server", provider=provider
        )
    candidate = body.api_key.strip() if body is not None and body.api_key else None
    if candidate is None and not eff.configured:
        access.check_usable(eff)  # raises: not configured, with what to do
    instance = access.instance(eff)
    started = time.perf_counter()
    try:
        result = await instance.validate_api_key(candidate)
    except Exception as exc:  # validate_api_key should never raise; be safe anyway
        raise KeyValidationFailedError(
            f"testing {provider} failed unexpectedly ({type(exc).__name__})", provider=provider
        ) from None
    latency = result.latency_ms or (time.perf_counter() - started) * 1000
    error = result.error.message if result.error is not None else None
    if candidate is None:
        await store.record_test_result(
            session,
            None if test_scope(eff) == "instance" else user.id,
            provider,
            result.success,
            error,
        )
        await session.commit()
    return TestOut(
        success=result.success,
        provider=provider,
        latency_ms=round(latency, 1),
        error=error,
        error_code=result.error.code if result.error is not None else None,
    )


@router.get("/{provider}/status", response_model=StatusOut, responses=ERRORS)
async def provider_status(
    provider: str, request: Request, user: CurrentUser, session: SessionDep
) -> StatusOut:
    view = await _view(get_access(request), session, user, provider)
    return StatusOut(
        provider=view.id,
        status=view.status,
        message=view.status_message,
        configured=view.configured,
        enabled=view.enabled,
        key_source=view.key_source,
        key_hint=view.key_hint,
        last_test=view.last_test,
    )


@router.get("/{provider}/models", response_model=ProviderModelsOut, responses=ERRORS)
async def provider_models(
    provider: str, request: Request, user: CurrentUser, session: SessionDep
) -> ProviderModelsOut:
    """This provider's models: live when usable, else its catalog marked unavailable."""
    access = get_access(request)
    eff = await access.provider(session, user.id, provider)
    group = await models_of(access, eff, live=eff.usable)
    out = ProviderModelsOut.of(group)
    if not eff.usable:
        view = await _view(access, session, user, provider)
        out.status = view.status
        out.error = view.status_message
    return out


@router.patch("/{provider}", response_model=ProviderOut, responses=ERRORS)
async def patch_provider(
    provider: str, body: ProviderPatch, request: Request, user: CurrentUser, session: SessionDep
) -> ProviderOut:
    """`enabled` is yours to switch; `instance_enabled`, `base_url` and `allow_user_keys` are
    admin settings (a base URL is where the server connects, so only admins may set it)."""
    access = get_access(request)
    eff = await access.provider(session, user.id, provider)
    admin_fields = body.model_fields_set & {"instance_enabled", "base_url", "allow_user_keys"}
    if admin_fields:
        require_admin(user, f"change {', '.join(sorted(admin_fields))}")
    if body.enabled is not None:
        await store.set_enabled(session, user.id, provider, body.enabled)
    if admin_fields:
        if body.instance_enabled is not None:
            await store.set_enabled(session, None, provider, body.instance_enabled)
        if "base_url" in body.model_fields_set or body.allow_user_keys is not None:
            await store.set_instance_policy(
                session,
                provider,
                base_url=body.base_url if "base_url" in body.model_fields_set else False,
                allow_user_keys=body.allow_user_keys,
            )
        if "base_url" in body.model_fields_set:
            access.pool.retire_where(eff.provider_id)
            await store.clear_all_test_results(session, provider)
    await session.commit()
    await access.invalidate(None if admin_fields else user.id)
    return await _view(access, session, user, provider)
