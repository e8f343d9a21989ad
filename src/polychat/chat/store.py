"""The chat service's database operations.

Writes are synchronous functions of a `Connection` that the group-commit writer runs in a
batch's transaction (see `writer.py`); they use Core statements on the tables, not ORM units
of work, because they run hundreds of times a second at the streaming path's edges and the
ORM's bookkeeping is pure overhead there. Reads take a request's own `AsyncSession`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.chat.cost import Tokens
from polychat.chat.errors import ErrorRecord, not_found
from polychat.chat.parts import StoredText, dump_parts
from polychat.db.models import Conversation, Message, ProviderSetting, UsageRecord
from polychat.db.repositories import conversations as conversations_repo
from polychat.db.types import utcnow

conversations = cast(Table, Conversation.__table__)
messages_t = cast(Table, Message.__table__)
usage_t = cast(Table, UsageRecord.__table__)
provider_settings_t = cast(Table, ProviderSetting.__table__)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as the history builder and the branch view need it."""

    id: int
    parent_id: int | None
    role: str
    content: str
    parts: list[dict[str, Any]] | None
    status: str


@dataclass(slots=True)
class NewTurn:
    """What `create_turn` writes. `history` are earlier messages given in the body (a new
    conversation started from `messages`), stored before the new user turn."""

    user_id: int
    conversation_id: int | None
    parent_id: int | None
    history: list[tuple[str, str]]
    user_content: str | None  # None: regenerate (no new user message)
    user_parts: list[dict[str, Any]] | None
    regenerate_parent_id: int | None
    provider: str
    model: str
    system_prompt: str | None
    params: dict[str, Any] | None
    failover: dict[str, Any] | None
    set_system: bool
    set_params: bool
    set_failover: bool


@dataclass(frozen=True, slots=True)
class TurnIds:
    conversation_id: int
    user_message_id: int
    assistant_message_id: int
    created_conversation: bool


async def get_conversation(session: AsyncSession, user_id: int, conv_id: int) -> Conversation:
    """The user's conversation, else the 404 a missing one gets (another user's looks missing)."""
    conv = await conversations_repo.owned(session, user_id, conv_id)
    if conv is None:
        raise not_found("conversation")
    return conv


async def conversation_messages(session: AsyncSession, conv_id: int) -> list[StoredMessage]:
    rows = await session.execute(
        select(
            Message.id,
            Message.parent_id,
            Message.role,
            Message.content,
            Message.parts,
            Message.status,
        )
        .where(Message.conversation_id == conv_id)
        .order_by(Message.id)
    )
    return [StoredMessage(*row) for row in rows]


def path_to(messages: Iterable[StoredMessage], leaf_id: int | None) -> list[StoredMessage]:
    """The chain from the root down to `leaf_id` (inclusive), oldest first."""
    by_id = {m.id: m for m in messages}
    out: list[StoredMessage] = []
    node = by_id.get(leaf_id) if leaf_id is not None else None
    seen: set[int] = set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        out.append(node)
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    out.reverse()
    return out


def newest_leaf_under(messages: Sequence[StoredMessage], start_id: int) -> int:
    """Follow the newest child from `start_id` down: the leaf a branch switch lands on."""
    children: dict[int, int] = {}
    for m in messages:  # ordered by id, so the last child seen is the newest
        if m.parent_id is not None:
            children[m.parent_id] = m.id
    node = start_id
    for _ in range(len(messages) + 1):
        nxt = children.get(node)
        if nxt is None:
            break
        node = nxt
    return node


def siblings(messages: Sequence[StoredMessage]) -> dict[int | None, list[int]]:
    """Children of each parent (None = roots), oldest first."""
    out: dict[int | None, list[int]] = {}
    for m in messages:
        out.setdefault(m.parent_id, []).append(m.id)
    return out


def create_turn(conn: Connection, turn: NewTurn) -> TurnIds:
    """Commit the user's turn and an empty `streaming` assistant message, before any provider
    is called: from here on, nothing the user typed can be lost."""
    now = utcnow()
    created = turn.conversation_id is None
    if created:
        conv_id = (
            conn.execute(
                insert(conversations)
                .values(
                    user_id=turn.user_id,
                    model=turn.model,
                    provider=turn.provider,
                    system_prompt=turn.system_prompt,
                    params=turn.params,
                    failover=turn.failover,
                    created_at=now,
                    updated_at=now,
                )
                .returning(conversations.c.id)
            )
        ).scalar_one()
    else:
        assert turn.conversation_id is not None
        conv_id = turn.conversation_id
    parent = turn.parent_id
    for role, content in turn.history:
        parent = _insert_message(
            conn,
            conv_id,
            parent,
            role,
            content,
            dump_parts([StoredText(text=content)]),
            None,
            None,
            "complete",
            now,
        )
    if turn.user_content is not None:
        user_id = _insert_message(
            conn, conv_id, parent, "user", turn.user_content, turn.user_parts,
            None, None, "complete", now,
        )  # fmt: skip
    else:
        assert turn.regenerate_parent_id is not None
        user_id = turn.regenerate_parent_id
    assistant_id = _insert_message(
        conn, conv_id, user_id, "assistant", "", None, turn.provider, turn.model,
        "streaming", now,
    )  # fmt: skip
    values: dict[str, Any] = {
        "active_leaf_id": assistant_id,
        "provider": turn.provider,
        "model": turn.model,
        "updated_at": now,
    }
    if not created:
        if turn.set_system:
            values["system_prompt"] = turn.system_prompt
        if turn.set_params:
            values["params"] = turn.params
        if turn.set_failover:
            values["failover"] = turn.failover
    conn.execute(update(conversations).where(conversations.c.id == conv_id).values(values))
    return TurnIds(conv_id, user_id, assistant_id, created)


def _insert_message(
    conn: Connection,
    conv_id: int,
    parent_id: int | None,
    role: str,
    content: str,
    parts: list[dict[str, Any]] | None,
    provider: str | None,
    model: str | None,
    status: str,
    now: Any,
) -> int:
    result = conn.execute(
        insert(messages_t)
        .values(
            conversation_id=conv_id,
            parent_id=parent_id,
            role=role,
            content=content,
            parts=parts,
            provider=provider,
            model=model,
            status=status,
            created_at=now,
            updated_at=now,
        )
        .returning(messages_t.c.id)
    )
    return int(result.scalar_one())


CheckpointRow = tuple[int, str, list[dict[str, Any]] | None]
"""(message id, text so far, parts so far or None to leave the parts alone)."""


def checkpoint(conn: Connection, rows: Sequence[CheckpointRow]) -> None:
    """Save the text so far of streaming answers, and their parts when given (an answer that
    thinks: its reasoning so far survives a reload or a crash). Guarded by status, so a late
    checkpoint can never overwrite an answer that has meanwhile been finalized."""
    now = utcnow()
    for message_id, text, parts in rows:
        values: dict[str, Any] = {"content": text, "updated_at": now}
        if parts is not None:
            values["parts"] = parts
        conn.execute(
            update(messages_t)
            .where(messages_t.c.id == message_id, messages_t.c.status == "streaming")
            .values(values)
        )


@dataclass(slots=True)
class FinalWrite:
    message_id: int
    conversation_id: int
    user_id: int
    status: str
    content: str
    parts: list[dict[str, Any]]  # `dump_parts` JSON
    error: dict[str, Any] | None  # `ErrorRecord.stored()` JSON
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    tokens_estimated: bool
    cost: float | None
    ttft_ms: int | None
    duration_ms: int
    # Failover changed who answered: the conversation records the provider that did.
    conversation_changed: bool = True


def finalize(conn: Connection, w: FinalWrite) -> None:
    """The answer's last state plus its usage row, in the same transaction. An answer whose
    conversation was deleted meanwhile has nothing left to save."""
    now = utcnow()
    result = conn.execute(
        update(messages_t)
        .where(messages_t.c.id == w.message_id)
        .values(
            content=w.content,
            parts=w.parts,
            status=w.status,
            error=w.error,
            provider=w.provider,
            model=w.model,
            updated_at=now,
        )
    )
    if result.rowcount == 0:
        return
    conn.execute(
        insert(usage_t).values(
            user_id=w.user_id,
            conversation_id=w.conversation_id,
            message_id=w.message_id,
            provider=w.provider,
            model=w.model,
            input_tokens=w.input_tokens,
            output_tokens=w.output_tokens,
            tokens_estimated=w.tokens_estimated,
            cost=w.cost,
            ttft_ms=w.ttft_ms,
            duration_ms=w.duration_ms,
            status=w.status,
            created_at=now,
        )
    )
    if w.conversation_changed:
        conn.execute(
            update(conversations)
            .where(conversations.c.id == w.conversation_id)
            .values(updated_at=now, provider=w.provider, model=w.model)
        )


@dataclass(frozen=True, slots=True)
class ExtraUsage:
    """Tokens spent outside an answer (a conversation title): no message of its own."""

    user_id: int
    conversation_id: int
    provider: str
    model: str
    tokens: Tokens
    cost: float | None


def record_extra_usage(conn: Connection, u: ExtraUsage) -> None:
    conn.execute(
        insert(usage_t).values(
            user_id=u.user_id,
            conversation_id=u.conversation_id,
            message_id=None,
            provider=u.provider,
            model=u.model,
            input_tokens=u.tokens.input_tokens,
            output_tokens=u.tokens.output_tokens,
            tokens_estimated=u.tokens.estimated,
            cost=u.cost,
            status="complete",
            created_at=utcnow(),
        )
    )


def record_key_rejected(conn: Connection, owner: int | None, provider: str, message: str) -> None:
    """Save a key refused mid-chat as the provider's last (failed) check, for `owner` (a user
    id) or the instance (None): the same columns `POST /api/providers/{id}/test` writes."""
    t = provider_settings_t
    now = utcnow()
    scope = "instance" if owner is None else "user"
    owner_match = t.c.user_id.is_(None) if owner is None else t.c.user_id == owner
    values = {"last_test_ok": False, "last_test_message": message, "last_checked_at": now}
    done = conn.execute(
        update(t)
        .where(t.c.scope == scope, owner_match, t.c.provider == provider)
        .values(**values, updated_at=now)
    )
    if done.rowcount == 0:
        conn.execute(
            insert(t).values(
                scope=scope,
                user_id=owner,
                provider=provider,
                enabled=True,
                created_at=now,
                **values,
            )
        )


def mark_interrupted(conn: Connection, *, only: Sequence[int]) -> int:
    """Answers left `streaming` by a process that died become `interrupted`, keeping the text
    of their last checkpoint. Guarded by status: an answer finalized meanwhile is left alone."""
    if not only:
        return 0
    result = conn.execute(
        update(messages_t)
        .where(messages_t.c.id.in_(list(only)), messages_t.c.status == "streaming")
        .values(
            status="interrupted",
            error=ErrorRecord(
                code="interrupted",
                message="the server stopped while this answer was being written",
                retryable=True,
            ).stored(),
            updated_at=utcnow(),
        )
    )
    return int(result.rowcount)


def set_title_if_missing(conn: Connection, conv_id: int, title: str) -> None:
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conv_id, conversations.c.title.is_(None))
        .values(title=title)
    )
