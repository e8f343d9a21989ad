"""Usage totals: the one module that reads `usage_tracking` (the writer in `chat/store.py`
is the one that writes it).

Every reader of usage goes through here: the usage report (`GET /api/users/usage`), a
provider card's month (`keys/views.py`), each answer's own row (a conversation page) and the
daily token quota's seed (`chat/limits.py`). One set of measures means the report, the cards
and the quota count the same rows the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.db.models import UsageRecord

GroupBy = Literal["provider", "model", "day"]


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """Sums over a set of usage rows. `cost` sums the priced rows only (`priced` of them);
    it is None when none was priced."""

    key: str
    provider: str | None
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    estimated: int = 0
    cost: float | None = None
    priced: int = 0


_MEASURES = (
    func.count().label("requests"),
    func.sum(UsageRecord.input_tokens).label("input_tokens"),
    func.sum(UsageRecord.output_tokens).label("output_tokens"),
    func.sum(cast(UsageRecord.tokens_estimated, Integer)).label("estimated"),
    func.sum(UsageRecord.cost).label("cost"),
    func.count(UsageRecord.cost).label("priced"),
)


def _totals(key: str, provider: str | None, row: Any) -> UsageTotals:
    return UsageTotals(
        key=key,
        provider=provider,
        requests=int(row.requests or 0),
        input_tokens=int(row.input_tokens or 0),
        output_tokens=int(row.output_tokens or 0),
        estimated=int(row.estimated or 0),
        cost=None if row.cost is None else float(row.cost),
        priced=int(row.priced or 0),
    )


def _where(user_id: int, since: datetime, until: datetime | None) -> list[Any]:
    where = [UsageRecord.user_id == user_id, UsageRecord.created_at >= since]
    if until is not None:
        where.append(UsageRecord.created_at < until)
    return where


async def grouped(
    session: AsyncSession,
    user_id: int,
    group_by: GroupBy,
    since: datetime,
    until: datetime | None = None,
) -> list[UsageTotals]:
    """A user's usage in [since, until), one row per provider, per (provider, model) or per
    UTC day (key `YYYY-MM-DD`), in that order."""
    where = _where(user_id, since, until)
    if group_by == "day":
        day = func.date(UsageRecord.created_at)
        rows = await session.execute(
            select(day.label("k"), *_MEASURES).where(*where).group_by(day).order_by(day)
        )
        return [_totals(str(r.k)[:10], None, r) for r in rows]
    if group_by == "model":
        rows = await session.execute(
            select(UsageRecord.provider, UsageRecord.model, *_MEASURES)
            .where(*where)
            .group_by(UsageRecord.provider, UsageRecord.model)
            .order_by(UsageRecord.provider, UsageRecord.model)
        )
        return [_totals(str(r.model), r.provider, r) for r in rows]
    rows = await session.execute(
        select(UsageRecord.provider, *_MEASURES)
        .where(*where)
        .group_by(UsageRecord.provider)
        .order_by(UsageRecord.provider)
    )
    return [_totals(str(r.provider), r.provider, r) for r in rows]


async def total(
    session: AsyncSession, user_id: int, since: datetime, until: datetime | None = None
) -> UsageTotals:
    """A user's whole usage in [since, until)."""
    row = (await session.execute(select(*_MEASURES).where(*_where(user_id, since, until)))).one()
    return _totals("total", None, row)


async def tokens_since(session: AsyncSession, user_id: int, since: datetime) -> int:
    """Input plus output tokens a user has used since `since` (the daily quota's count)."""
    found = await session.scalar(
        select(
            func.coalesce(func.sum(UsageRecord.input_tokens + UsageRecord.output_tokens), 0)
        ).where(*_where(user_id, since, None))
    )
    return int(found or 0)


async def by_message(session: AsyncSession, message_ids: Sequence[int]) -> dict[int, UsageRecord]:
    """Each answer's usage row, keyed by its message id: one query for a page of messages."""
    if not message_ids:
        return {}
    rows = await session.execute(
        select(UsageRecord).where(UsageRecord.message_id.in_(list(message_ids)))
    )
    return {u.message_id: u for u in rows.scalars() if u.message_id is not None}
