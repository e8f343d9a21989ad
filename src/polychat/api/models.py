"""`GET /api/models`: every model the current user can pick, grouped by provider.

Live lists come through each provider's TTL cache; one provider's list failing marks that
provider `error` and serves its catalog, it never fails the endpoint.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from polychat.api.deps import CurrentUser, SessionDep
from polychat.api.errors import error_responses
from polychat.api.provider_schemas import ModelOut, ModelsOut, ProviderGroupOut
from polychat.api.providers import get_access
from polychat.keys.views import list_models

router = APIRouter(prefix="/api/models", tags=["models"])


@router.get("", response_model=ModelsOut, responses=error_responses(401, 422))
async def get_models(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    all: Annotated[
        bool,
        Query(description="Also list unconfigured providers' catalog models (available=false)."),
    ] = False,
    provider: Annotated[str | None, Query(description="Only this provider.")] = None,
) -> ModelsOut:
    groups = await list_models(
        get_access(request), session, user.id, include_unconfigured=all, only=provider
    )
    return ModelsOut(
        models=[ModelOut.of(entry) for group in groups for entry in group.models],
        providers=[
            ProviderGroupOut(
                provider=g.provider,
                display_name=g.display_name,
                status=g.status,
                available=g.available,
                error=g.error,
            )
            for g in groups
        ],
    )
