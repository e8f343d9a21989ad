"""`/api/conversations`: list, create, read (active branch, paginated), update, delete.

Owner-only everywhere: another user's conversation answers 404 exactly like a missing one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.api.chat import get_chat
from polychat.api.deps import CurrentUser, SessionDep
from polychat.api.errors import ApiError, error_responses
from polychat.chat import store
from polychat.chat.errors import ChatError
from polychat.chat.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    ConversationUpdate,
    ErrorInfo,
    FailoverTarget,
    MessageOut,
    MessageUsageOut,
)
from polychat.db.models import Conversation, Message, UsageRecord
from polychat.db.types import utcnow

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


def _out(conv: Conversation) -> ConversationOut:
    chain = (conv.failover or {}).get("chain") or []
    return ConversationOut(
        id=conv.id,
        title=conv.title,
        provider=conv.provider,
        model=conv.model or None,
        system_prompt=conv.system_prompt,
        params=conv.params or {},
        failover=[FailoverTarget(**f) for f in chain if isinstance(f, dict)],
        active_leaf_id=conv.active_leaf_id,
        created_at=conv.created_at,
        updated_at=conv.updated_at,
    )


async def _owned(session: SessionDep, user_id: int, conv_id: int) -> Conversation:
    try:
        return await store.get_conversation(session, user_id, conv_id)
    except ChatError as error:
        raise ApiError(error.status, error.code, error.message) from None


def _encode_cursor(conv: Conversation) -> str:
    raw = json.dumps([conv.updated_at.isoformat(), conv.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, conv_id = json.loads(raw)
        return datetime.fromisoformat(when), int(conv_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ApiError(400, "invalid_cursor", "invalid pagination cursor") from exc


@router.get(
    "",
    response_model=ConversationPage,
    responses=error_responses(400, 401),
    summary="My conversations, most recently active first (cursor pagination)",
)
async def list_conversations(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> ConversationPage:
    query = select(Conversation).where(Conversation.user_id == user.id)
    if cursor:
        when, conv_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                Conversation.updated_at < when,
                and_(Conversation.updated_at == when, Conversation.id < conv_id),
            )
        )
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return ConversationPage(
        items=[_out(c) for c in rows],
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
    )


@router.post(
    "",
    response_model=ConversationOut,
    status_code=201,
    responses=error_responses(401, 422),
    summary="Create an empty conversation (chat requests can also create one)",
)
async def create_conversation(
    body: ConversationCreate, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    now = utcnow()
    conv = Conversation(
        user_id=user.id,
        title=body.title,
        provider=body.provider,
        model=body.model or "",
        system_prompt=body.system_prompt,
        params=body.params,
        failover={"chain": [f.model_dump() for f in body.failover]} if body.failover else None,
        created_at=now,
        updated_at=now,
    )
    session.add(conv)
    await session.commit()
    return _out(conv)


def _message_out(
    m: Message, sibling_ids: list[int], live_text: str | None, usage: MessageUsageOut | None
) -> MessageOut:
    error = None
    if m.error:
        error = ErrorInfo(
            code=str(m.error.get("code", "error")),
            message=str(m.error.get("message", "")),
            provider=m.error.get("provider"),
            retryable=bool(m.error.get("retryable")),
            retry_after=m.error.get("retry_after"),
        )
    parts = [p for p in (m.parts or []) if isinstance(p, dict)]
    return MessageOut(
        id=m.id,
        conversation_id=m.conversation_id,
        parent_id=m.parent_id,
        role="user" if m.role == "user" else "assistant",
        content=live_text if live_text is not None else m.content,
        parts=parts,
        provider=m.provider if m.role == "assistant" else None,
        model=m.model,
        status=m.status,
        error=error,
        created_at=m.created_at,
        sibling_ids=sibling_ids,
        sibling_index=sibling_ids.index(m.id) if m.id in sibling_ids else 0,
        usage=usage,
    )


async def _usage_by_message(session: AsyncSession, ids: list[int]) -> dict[int, MessageUsageOut]:
    """One query for the whole page: each answer's usage row, keyed by its message id."""
    if not ids:
        return {}
    rows = await session.execute(select(UsageRecord).where(UsageRecord.message_id.in_(ids)))
    return {
        u.message_id: MessageUsageOut(
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            estimated=u.tokens_estimated,
            cost_usd=u.cost,
            ttft_ms=u.ttft_ms,
            duration_ms=u.duration_ms,
        )
        for u in rows.scalars()
        if u.message_id is not None
    }


@router.get(
    "/{conversation_id}",
    response_model=ConversationDetail,
    responses=error_responses(401, 404),
    summary="A conversation with one page of its active branch (newest page first)",
)
async def get_conversation(
    conversation_id: int,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[
        int | None, Query(description="Message id: return the page before it")
    ] = None,
) -> ConversationDetail:
    conv = await _owned(session, user.id, conversation_id)
    rows = list(
        (
            await session.execute(
                select(Message).where(Message.conversation_id == conv.id).order_by(Message.id)
            )
        ).scalars()
    )
    stored = [store.StoredMessage(m.id, m.parent_id, m.role, "", None, m.status) for m in rows]
    path = store.path_to(stored, conv.active_leaf_id)
    ids = [m.id for m in path]
    end = ids.index(before) if before is not None and before in ids else len(ids)
    start = max(0, end - limit)
    by_id = {m.id: m for m in rows}
    kids = store.siblings(stored)
    hub = get_chat(request).hub
    page = ids[start:end]
    usage = await _usage_by_message(session, page)
    messages = []
    for mid in page:
        m = by_id[mid]
        live = hub.get(mid)
        live_text = live.text_so_far if live is not None and not live.finished else None
        messages.append(_message_out(m, kids.get(m.parent_id, [m.id]), live_text, usage.get(mid)))
    base = _out(conv)
    return ConversationDetail(**base.model_dump(), messages=messages, has_more=start > 0)


@router.put(
    "/{conversation_id}",
    response_model=ConversationOut,
    responses=error_responses(400, 401, 404, 422),
    summary="Rename, change defaults, or switch the active branch",
)
async def update_conversation(
    conversation_id: int, body: ConversationUpdate, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conv = await _owned(session, user.id, conversation_id)
    fields = body.model_fields_set
    if "title" in fields and body.title is not None:
        conv.title = body.title.strip() or conv.title
    if "provider" in fields and body.provider is not None:
        conv.provider = body.provider
    if "model" in fields and body.model is not None:
        conv.model = body.model
    if "system_prompt" in fields:
        conv.system_prompt = body.system_prompt
    if "params" in fields:
        conv.params = body.params
    if "failover" in fields:
        conv.failover = (
            {"chain": [f.model_dump() for f in body.failover]} if body.failover else None
        )
    if body.active_message_id is not None:
        stored = await store.conversation_messages(session, conv.id)
        if body.active_message_id not in {m.id for m in stored}:
            raise ApiError(404, "not_found", "message not found in this conversation")
        conv.active_leaf_id = store.newest_leaf_under(stored, body.active_message_id)
    conv.updated_at = utcnow()
    await session.commit()
    return _out(conv)


@router.delete(
    "/{conversation_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 404),
    summary="Delete a conversation (answers still being written are stopped first)",
)
async def delete_conversation(
    conversation_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    user_id = user.id
    conv = await _owned(session, user_id, conversation_id)
    chat = get_chat(request)
    streaming = (
        await session.execute(
            select(Message.id).where(
                Message.conversation_id == conv.id, Message.status == "streaming"
            )
        )
    ).scalars()
    streaming_ids: list[Any] = list(streaming)
    await session.rollback()  # no transaction held open while answers are being stopped
    for message_id in streaming_ids:
        with contextlib.suppress(ChatError):
            await chat.stop(user_id, message_id)
    chat.hub.discard_conversation(conversation_id)
    await session.execute(delete(Message).where(Message.conversation_id == conversation_id))
    await session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    await session.commit()
    return Response(status_code=204)
