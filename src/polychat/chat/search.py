"""Full search over one user's conversations: titles and message text.

How it works, and why (docs/operations.md "Search" has the numbers):

- One SQL statement per page. It walks the user's conversations newest activity first (the
  `(user_id, updated_at)` index) and, for each, asks a correlated subquery for the oldest
  message whose text contains the words (`messages.conversation_id` index). The database stops
  as soon as it has `limit + 1` hits, so a common word answers after a few conversations; a
  rare one reads every message of that one user, never anyone else's rows.
- Matching is a case-insensitive substring (`ILIKE`; SQLite renders `lower() LIKE lower()`),
  with `%`, `_` and `\\` escaped so they are literal. No index helps a leading-`%` pattern on
  SQLite; on PostgreSQL a `pg_trgm` GIN index on `messages.content` would (see the docs).
- The snippet is cut in Python from the one matching message per result: ~160 characters
  around the first hit, whitespace collapsed, plain text (the client renders it as text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.db.models import Conversation, Message

SNIPPET_CHARS = 160
# How much of the window goes before the hit, so the words read in context.
_LEAD_CHARS = 50
_SPACE = re.compile(r"\s+")

MatchRole = Literal["title", "user", "assistant"]


@dataclass(frozen=True)
class SearchHit:
    """One conversation that matched, and where: a message (oldest matching one) or its title."""

    conversation: Conversation
    message_id: int | None
    role: MatchRole
    snippet: str


def like_pattern(words: str) -> str:
    """`%words%` with the LIKE wildcards and the escape character itself made literal."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def snippet(text: str, words: str, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` around the first case-insensitive hit of `words`,
    on one line, cut at spaces, with `…` where text was left out. No hit (the database folds
    case differently from Python for some scripts): the start of the text."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    found = re.search(re.escape(_SPACE.sub(" ", words).strip()), flat, re.IGNORECASE)
    hit_start, hit_end = (found.start(), found.end()) if found else (0, 0)
    start = max(0, hit_start - _LEAD_CHARS)
    if hit_end - start > width:  # a long query: show it from its start
        start = hit_start
    start = min(start, len(flat) - width)
    if start > 0:
        space = flat.find(" ", start, hit_start)
        if space != -1 and space - start < 20:
            start = space + 1
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", max(hit_end, end - 20), end)
        if space > start:
            end = space
    body = flat[start:end].strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(flat) else "")


def _search_query(
    user_id: int, words: str, after: tuple[datetime, int] | None, limit: int
) -> Select[Conversation, int, str, str]:
    # Typed as the columns are; the outer join makes the last three None for a title hit.
    pattern = like_pattern(words)
    first_hit = (
        select(func.min(Message.id))
        .where(
            Message.conversation_id == Conversation.id,
            Message.content.ilike(pattern, escape="\\"),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )
    title_hit: ColumnElement[bool] = Conversation.title.ilike(pattern, escape="\\")
    page = (
        select(
            Conversation.id.label("id"),
            Conversation.updated_at.label("updated_at"),
            first_hit.label("hit_id"),
        )
        # The user's own rows first: the subquery only ever runs on them.
        .where(Conversation.user_id == user_id)
        .where(or_(title_hit, first_hit.is_not(None)))
    )
    if after is not None:
        when, conv_id = after
        page = page.where(
            or_(
                Conversation.updated_at < when,
                and_(Conversation.updated_at == when, Conversation.id < conv_id),
            )
        )
    # The page is chosen (and limited) in a derived table, then joined to the conversation
    # and the matching message: still one statement, and the join only sees `limit + 1` rows.
    hits = (
        page.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit + 1)
        .subquery("hits")
    )
    return (
        select(Conversation, Message.id, Message.role, Message.content)
        .join(hits, Conversation.id == hits.c.id)
        .outerjoin(Message, Message.id == hits.c.hit_id)
        .order_by(hits.c.updated_at.desc(), hits.c.id.desc())
    )


async def search_conversations(
    session: AsyncSession,
    user_id: int,
    words: str,
    *,
    after: tuple[datetime, int] | None,
    limit: int,
) -> tuple[list[SearchHit], bool]:
    """A page of hits, newest activity first, and whether more follow: one SQL statement."""
    rows = list((await session.execute(_search_query(user_id, words, after, limit))).all())
    more = len(rows) > limit
    hits: list[SearchHit] = []
    for conv, message_id, role, content in rows[:limit]:
        if message_id is not None:
            hits.append(
                SearchHit(
                    conversation=conv,
                    message_id=message_id,
                    role="user" if role == "user" else "assistant",
                    snippet=snippet(content, words),
                )
            )
        else:
            hits.append(SearchHit(conv, None, "title", snippet(conv.title or "", words)))
    return hits, more
