"""Conversations and their messages as the routes and the chat service read them.

Ownership is checked by the caller (`owned` returns None for another user's conversation,
so a route can answer 404 exactly as for a missing one). The chat writer's batched writes
stay in `chat/store.py`; this module serves requests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from polychat.db.models import Conversation, Message


async def owned(session: AsyncSession, user_id: int, conv_id: int) -> Conversation | None:
    """The conversation if it exists and belongs to `user_id`."""
    conv = await session.get(Conversation, conv_id)
    return conv if conv is not None and conv.user_id == user_id else None


async def page(
    session: AsyncSession,
    user_id: int,
    *,
    limit: int,
    pinned: bool | None = None,
    after: tuple[datetime, int] | None = None,
) -> list[Conversation]:
    """Up to `limit` of a user's conversations, most recently active first, starting after
    the (updated_at, id) cursor; `pinned` keeps only starred (True) or unstarred (False)."""
    query = select(Conversation).where(Conversation.user_id == user_id)
    if pinned is not None:
        # Same order and cursor as the whole list: a page of a filtered list is just fewer rows.
        query = query.where(Conversation.pinned == pinned)
    if after is not None:
        when, conv_id = after
        query = query.where(
            or_(
                Conversation.updated_at < when,
                and_(Conversation.updated_at == when, Conversation.id < conv_id),
            )
        )
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


def keep_updated_at(conv: Conversation) -> None:
    """Write `updated_at` back unchanged so the column's `onupdate` does not bump it (a change
    that is not activity, like starring, leaves a conversation where it was in the list)."""
    flag_modified(conv, "updated_at")


async def delete_conversation(session: AsyncSession, conv_id: int) -> None:
    """Delete a conversation and all its messages (the caller commits)."""
    await session.execute(delete(Message).where(Message.conversation_id == conv_id))
    await session.execute(delete(Conversation).where(Conversation.id == conv_id))


async def message(session: AsyncSession, message_id: int) -> Message | None:
    return await session.get(Message, message_id)


async def messages(session: AsyncSession, conv_id: int) -> list[Message]:
    """Every message of a conversation (all branches), oldest first."""
    rows = await session.execute(
        select(Message).where(Message.conversation_id == conv_id).order_by(Message.id)
    )
    return list(rows.scalars())


async def streaming_ids(session: AsyncSession, conv_id: int) -> list[int]:
    """The conversation's answers still marked `streaming`."""
    rows = await session.execute(
        select(Message.id).where(Message.conversation_id == conv_id, Message.status == "streaming")
    )
    return list(rows.scalars())


async def streaming_since(session: AsyncSession) -> list[tuple[int, datetime | None]]:
    """Every `streaming` answer with when it was last written (the orphan sweep's input)."""
    rows = await session.execute(
        select(Message.id, Message.updated_at).where(Message.status == "streaming")
    )
    return [(int(i), at) for i, at in rows.all()]


async def message_status(session: AsyncSession, message_id: int) -> str:
    """The status of a message known to exist (raises if it is gone)."""
    rows = await session.execute(select(Message.status).where(Message.id == message_id))
    return str(rows.scalar_one())
