"""`/api/conversations`: list (all, starred or not), search (titles and message text), create,
read (active branch, paginated), export (Markdown or JSON download), update (rename, star,
defaults, branch), delete.

Owner-only everywhere: another user's conversation answers 404 exactly like a missing one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.api.chat import get_chat
from polychat.api.deps import CurrentUser, SessionDep
from polychat.api.errors import ApiError, error_responses
from polychat.chat import export, search, store
from polychat.chat.errors import ChatError, ErrorRecord
from polychat.chat.hub import Generation
from polychat.chat.parts import StoredImage, read_parts
from polychat.chat.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    ConversationSearchHit,
    ConversationSearchPage,
    ConversationUpdate,
    FailoverTarget,
    MessageOut,
    MessageUsageOut,
    SearchMatch,
)
from polychat.db.models import Conversation, Message, UsageRecord
from polychat.db.repositories import conversations as repo
from polychat.db.repositories import usage as usage_repo
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
        pinned=bool(conv.pinned),
        created_at=conv.created_at,
        updated_at=conv.updated_at,
    )


async def _owned(session: SessionDep, user_id: int, conv_id: int) -> Conversation:
    return await store.get_conversation(session, user_id, conv_id)


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
    pinned: Annotated[
        bool | None,
        Query(description="Only starred (true) or only unstarred (false) conversations"),
    ] = None,
) -> ConversationPage:
    after = _decode_cursor(cursor) if cursor else None
    rows = await repo.page(session, user.id, limit=limit + 1, pinned=pinned, after=after)
    more = len(rows) > limit
    rows = rows[:limit]
    return ConversationPage(
        items=[_out(c) for c in rows],
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
    )


@router.get(
    "/search",
    response_model=ConversationSearchPage,
    responses=error_responses(400, 401, 422),
    summary="Search my conversations' titles and message text, most recently active first",
)
async def search_conversations(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Words to find (case-insensitive substring; `%` and `_` are literal)",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: str | None = None,
) -> ConversationSearchPage:
    # Declared before `/{conversation_id}`, which would otherwise claim the path.
    words = q.strip()
    if not words:
        raise ApiError(
            422,
            "validation_error",
            "q must contain something other than spaces",
            details=[{"loc": ["query", "q"], "msg": "blank search"}],
        )
    hits, more = await search.search_conversations(
        session,
        user.id,
        words,
        after=_decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    return ConversationSearchPage(
        items=[
            ConversationSearchHit(
                **_out(h.conversation).model_dump(),
                match=SearchMatch(message_id=h.message_id, role=h.role, snippet=h.snippet),
            )
            for h in hits
        ],
        next_cursor=_encode_cursor(hits[-1].conversation) if more and hits else None,
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
        params=body.params.stored() if body.params else None,
        failover={"chain": [f.model_dump() for f in body.failover]} if body.failover else None,
        created_at=now,
        updated_at=now,
    )
    session.add(conv)
    await session.commit()
    return _out(conv)


def _message_out(
    m: Message,
    sibling_ids: list[int],
    live: Generation | None,
    usage: MessageUsageOut | None,
) -> MessageOut:
    """A stored message; for an answer this process is still writing (`live`), its text and
    thinking so far come from memory, fresher than the last checkpoint."""
    parts = read_parts(m.parts)
    content = m.content
    if live is not None:
        content = live.text_so_far
        if live.thinking:
            parts = live.stored_parts()
    return MessageOut(
        id=m.id,
        conversation_id=m.conversation_id,
        parent_id=m.parent_id,
        role="user" if m.role == "user" else "assistant",
        content=content,
        parts=parts,
        provider=m.provider if m.role == "assistant" else None,
        model=m.model,
        status=m.status,
        error=ErrorRecord.read(m.error),
        created_at=m.created_at,
        sibling_ids=sibling_ids,
        sibling_index=sibling_ids.index(m.id) if m.id in sibling_ids else 0,
        usage=usage,
    )


def _usage_out(u: UsageRecord) -> MessageUsageOut:
    return MessageUsageOut(
        input_tokens=u.input_tokens,
        output_tokens=u.output_tokens,
        estimated=u.tokens_estimated,
        cost_usd=u.cost,
        ttft_ms=u.ttft_ms,
        duration_ms=u.duration_ms,
    )


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
    rows, stored = await _messages_of(session, conv)
    ids = [m.id for m in store.path_to(stored, conv.active_leaf_id)]
    end = ids.index(before) if before is not None and before in ids else len(ids)
    start = max(0, end - limit)
    by_id = {m.id: m for m in rows}
    kids = store.siblings(stored)
    hub = get_chat(request).hub
    page = ids[start:end]
    usage = await usage_repo.by_message(session, page)
    messages = []
    for mid in page:
        m = by_id[mid]
        live = hub.get(mid)
        running = live if live is not None and not live.finished else None
        used = usage.get(mid)
        messages.append(
            _message_out(
                m, kids.get(m.parent_id, [m.id]), running, _usage_out(used) if used else None
            )
        )
    base = _out(conv)
    images_before = any(_has_image(by_id[mid]) for mid in ids[:start])
    return ConversationDetail(
        **base.model_dump(), messages=messages, has_more=start > 0, images_before=images_before
    )


async def _messages_of(
    session: AsyncSession, conv: Conversation
) -> tuple[list[Message], list[store.StoredMessage]]:
    """Every message of the conversation (all branches), oldest first, plus the light copies
    `store.path_to` and `store.siblings` walk."""
    rows = await repo.messages(session, conv.id)
    return rows, [store.StoredMessage(m.id, m.parent_id, m.role, "", None, m.status) for m in rows]


def _has_image(m: Message) -> bool:
    """An image part, as `chat.history.has_images` counts them when the branch is sent."""
    return any(isinstance(p, StoredImage) for p in read_parts(m.parts))


@router.get(
    "/{conversation_id}/export",
    response_class=Response,
    responses={
        **error_responses(401, 404, 422),
        200: {
            "description": "The file, as an attachment",
            "content": {"text/markdown": {}, "application/json": {}},
        },
    },
    summary="Download the active branch as Markdown or JSON",
)
async def export_conversation(
    conversation_id: int,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    fmt: Annotated[
        export.ExportFormat,
        Query(alias="format", description="`markdown` to read, `json` to process"),
    ] = "markdown",
) -> Response:
    conv = await _owned(session, user.id, conversation_id)
    rows, stored = await _messages_of(session, conv)
    by_id = {m.id: m for m in rows}
    hub = get_chat(request).hub
    messages = []
    for step in store.path_to(stored, conv.active_leaf_id):
        m = by_id[step.id]
        live = hub.get(m.id)
        text = m.content
        parts = m.parts or []
        if live is not None and not live.finished:
            text = live.text_so_far
            if live.thinking:
                parts = live.parts_so_far()
        messages.append(
            export.ExportMessage(
                id=m.id,
                parent_id=m.parent_id,
                role="user" if m.role == "user" else "assistant",
                content=text,
                parts=parts,
                provider=m.provider,
                model=m.model,
                status=m.status,
                error=m.error,
                created_at=m.created_at,
            )
        )
    meta = export.ExportConversation(
        id=conv.id,
        title=conv.title,
        provider=conv.provider,
        model=conv.model or None,
        system_prompt=conv.system_prompt,
        pinned=bool(conv.pinned),
        created_at=conv.created_at,
        updated_at=conv.updated_at,
    )
    render = export.to_markdown if fmt == "markdown" else export.to_json
    return Response(
        content=render(meta, messages, utcnow()),
        media_type=export.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": export.content_disposition(meta, fmt),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.put(
    "/{conversation_id}",
    response_model=ConversationOut,
    responses=error_responses(400, 401, 404, 422),
    summary="Rename, star, change defaults, or switch the active branch",
)
async def update_conversation(
    conversation_id: int, body: ConversationUpdate, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conv = await _owned(session, user.id, conversation_id)
    fields = body.model_fields_set
    if "pinned" in fields and body.pinned is not None:
        conv.pinned = body.pinned
    if "title" in fields and body.title is not None:
        conv.title = body.title.strip() or conv.title
    if "provider" in fields and body.provider is not None:
        conv.provider = body.provider
    if "model" in fields and body.model is not None:
        conv.model = body.model
    if "system_prompt" in fields:
        conv.system_prompt = body.system_prompt
    if "params" in fields:
        conv.params = body.params.stored() if body.params else None
    if "failover" in fields:
        conv.failover = (
            {"chain": [f.model_dump() for f in body.failover]} if body.failover else None
        )
    if body.active_message_id is not None:
        stored = await store.conversation_messages(session, conv.id)
        if body.active_message_id not in {m.id for m in stored}:
            raise ApiError(404, "not_found", "message not found in this conversation")
        conv.active_leaf_id = store.newest_leaf_under(stored, body.active_message_id)
    if fields - {"pinned"}:
        conv.updated_at = utcnow()
    else:
        # Starring is not activity: a chat unstarred goes back where it was. Writing the old
        # value explicitly keeps the column's `onupdate` from bumping it.
        repo.keep_updated_at(conv)
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
    streaming_ids = await repo.streaming_ids(session, conv.id)
    await session.rollback()  # no transaction held open while answers are being stopped
    for message_id in streaming_ids:
        with contextlib.suppress(ChatError):
            await chat.stop(user_id, message_id)
    chat.hub.discard_conversation(conversation_id)
    await repo.delete_conversation(session, conversation_id)
    await session.commit()
    return Response(status_code=204)
