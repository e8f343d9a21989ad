"""`GET /api/users/usage` (my usage, grouped) and the admin's chat limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from polychat.api.deps import AdminUser, CurrentUser, SessionDep
from polychat.api.errors import ApiError, error_responses
from polychat.chat.limits import ChatLimits, LimitsPolicy, UserLimits
from polychat.chat.schemas import UsageBucket, UsageReport
from polychat.db.repositories import usage as usage_repo
from polychat.db.repositories import users as users_repo

router = APIRouter(tags=["usage"])


def _bucket(t: usage_repo.UsageTotals) -> UsageBucket:
    return UsageBucket(
        key=t.key,
        provider=t.provider,
        requests=t.requests,
        input_tokens=t.input_tokens,
        output_tokens=t.output_tokens,
        estimated_requests=t.estimated,
        cost_usd=round(t.cost, 8) if t.priced and t.cost is not None else None,
        unpriced_requests=t.requests - t.priced,
    )


@router.get(
    "/api/users/usage",
    response_model=UsageReport,
    responses=error_responses(400, 401, 422),
    summary="My token usage and cost, grouped by provider, model or day",
)
async def my_usage(
    user: CurrentUser,
    session: SessionDep,
    group_by: Literal["provider", "model", "day"] = "provider",
    start: Annotated[date | None, Query(description="First day (UTC), default 30 days ago")] = None,
    end: Annotated[
        date | None, Query(description="Last day (UTC, inclusive), default today")
    ] = None,
) -> UsageReport:
    today = datetime.now(UTC).date()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise ApiError(400, "invalid_range", "start must not be after end")
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    items = await usage_repo.grouped(session, user.id, group_by, since, until)
    total = await usage_repo.total(session, user.id, since, until)
    return UsageReport(
        group_by=group_by,
        start=start,
        end=end,
        items=[_bucket(t) for t in items],
        total=_bucket(total),
    )


class LimitsIn(BaseModel):
    requests_per_minute: int = Field(ge=0, le=100_000, description="0 = unlimited")
    daily_tokens: int = Field(ge=0, le=10**12, description="0 = unlimited")


class ChatLimitsBody(LimitsIn):
    """Instance defaults; `users` overrides them per user id."""

    users: dict[int, LimitsIn] = Field(default_factory=dict)


def _limits(request: Request) -> ChatLimits:
    limits: ChatLimits | None = getattr(request.app.state.chat, "limits", None)
    if limits is None:
        raise ApiError(503, "unavailable", "chat limits are not available")
    return limits


def _body(policy: LimitsPolicy) -> ChatLimitsBody:
    return ChatLimitsBody(
        requests_per_minute=policy.default.requests_per_minute,
        daily_tokens=policy.default.daily_tokens,
        users={
            uid: LimitsIn(requests_per_minute=u.requests_per_minute, daily_tokens=u.daily_tokens)
            for uid, u in policy.users.items()
        },
    )


@router.get(
    "/api/admin/chat-limits",
    response_model=ChatLimitsBody,
    responses=error_responses(401, 403),
    summary="Per-user chat request rate and daily token quota",
    tags=["admin"],
)
async def get_chat_limits(request: Request, _admin: AdminUser) -> ChatLimitsBody:
    return _body(await _limits(request).load())


@router.put(
    "/api/admin/chat-limits",
    response_model=ChatLimitsBody,
    responses=error_responses(400, 401, 403, 422),
    summary="Set the chat request rate and daily token quota (defaults and per user)",
    tags=["admin"],
)
async def put_chat_limits(
    body: ChatLimitsBody, request: Request, _admin: AdminUser, session: SessionDep
) -> ChatLimitsBody:
    if body.users:
        known = await users_repo.existing_ids(session, body.users)
        missing = sorted(set(body.users) - known)
        if missing:
            raise ApiError(400, "unknown_user", f"no such user id: {missing[0]}")
    policy = LimitsPolicy(
        default=UserLimits(body.requests_per_minute, body.daily_tokens),
        users={
            uid: UserLimits(u.requests_per_minute, u.daily_tokens) for uid, u in body.users.items()
        },
    )
    await _limits(request).save(session, policy)
    return _body(policy)
