"""The group-commit writer and the chat store's writes, on a real (migrated) SQLite database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from polychat.chat import store
from polychat.chat.writer import ChatWriter
from polychat.config import Settings
from polychat.db.engine import create_engine
from polychat.db.models import Message, User

pytestmark = pytest.mark.db


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(settings)
    async with eng.begin() as conn:
        await conn.execute(
            insert(User).values(username="u", email="u@example.com", password_hash="x")
        )
    yield eng
    await eng.dispose()


def _turn(content: str) -> store.NewTurn:
    return store.NewTurn(
        user_id=1,
        conversation_id=None,
        parent_id=None,
        history=[("user", "earlier"), ("assistant", "reply")],
        user_content=content,
        user_parts=[{"kind": "text", "text": content}],
        regenerate_parent_id=None,
        provider="openai",
        model="gpt-4o-mini",
        system_prompt="sys",
        params={"temperature": 0.5},
        failover=None,
        set_system=False,
        set_params=False,
        set_failover=False,
    )


async def _messages(engine: AsyncEngine) -> list[tuple[int, int | None, str, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Message.id, Message.parent_id, Message.role, Message.content, Message.status
            ).order_by(Message.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_concurrent_turns_are_grouped_and_each_gets_its_ids(engine: AsyncEngine) -> None:
    writer = ChatWriter(engine)
    writer.start()
    try:
        ids = await asyncio.gather(
            *(writer.run(lambda c, i=i: store.create_turn(c, _turn(f"q{i}"))) for i in range(20))
        )
    finally:
        await writer.close()
    assert len({i.conversation_id for i in ids}) == 20
    rows = {r[0]: r for r in await _messages(engine)}
    for t in ids:
        user, answer = rows[t.user_message_id], rows[t.assistant_message_id]
        assert answer[1] == t.user_message_id and answer[4] == "streaming"
        assert user[2] == "user" and user[3].startswith("q")
        # The history given in the body sits above the new user message.
        assert rows[user[1]][3] == "reply" and rows[rows[user[1]][1]][3] == "earlier"


async def test_a_failing_write_does_not_sink_the_batch(engine: AsyncEngine) -> None:
    writer = ChatWriter(engine)
    writer.start()

    def broken(conn: Connection) -> None:
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))

    try:
        results = await asyncio.gather(
            writer.run(lambda c: store.create_turn(c, _turn("before"))),
            writer.run(broken),
            writer.run(lambda c: store.create_turn(c, _turn("after"))),
            return_exceptions=True,
        )
    finally:
        await writer.close()
    assert isinstance(results[1], Exception)
    assert not isinstance(results[0], Exception) and not isinstance(results[2], Exception)
    contents = [r[3] for r in await _messages(engine) if r[2] == "user"]
    assert "before" in contents and "after" in contents


async def test_checkpoint_never_overwrites_a_finalized_answer(engine: AsyncEngine) -> None:
    writer = ChatWriter(engine)  # not started: each write runs alone
    ids = await writer.run(lambda c: store.create_turn(c, _turn("q")))
    await writer.run(lambda c: store.checkpoint(c, [(ids.assistant_message_id, "par", None)]))
    final = store.FinalWrite(
        message_id=ids.assistant_message_id,
        conversation_id=ids.conversation_id,
        user_id=1,
        status="complete",
        content="partial and the rest",
        parts=[{"kind": "text", "text": "partial and the rest"}],
        error=None,
        provider="openai",
        model="gpt-4o-mini",
        input_tokens=3,
        output_tokens=4,
        tokens_estimated=False,
        cost=None,
        ttft_ms=5,
        duration_ms=9,
    )
    await writer.run(lambda c: store.finalize(c, final))
    stale = [{"kind": "thinking", "text": "stale", "duration_ms": None}]
    await writer.run(lambda c: store.checkpoint(c, [(ids.assistant_message_id, "stale", stale)]))
    answer = next(r for r in await _messages(engine) if r[0] == ids.assistant_message_id)
    assert answer[3:] == ("partial and the rest", "complete")
    assert await _parts(engine, ids.assistant_message_id) == final.parts
    # Recovery leaves finished answers alone and marks only the unfinished ones.
    other = await writer.run(lambda c: store.create_turn(c, _turn("q2")))
    both = [ids.assistant_message_id, other.assistant_message_id]
    assert await writer.run(lambda c: store.mark_interrupted(c, only=both)) == 1
    rows = {r[0]: r for r in await _messages(engine)}
    assert rows[other.assistant_message_id][4] == "interrupted"
    assert rows[ids.assistant_message_id][4] == "complete"
    await writer.close()


async def test_sweep_marks_only_answers_nobody_is_writing(engine: AsyncEngine) -> None:
    from datetime import timedelta

    from sqlalchemy import update
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from polychat.chat.hub import Generation
    from polychat.chat.service import ChatService
    from polychat.db.types import utcnow

    class NoAccess:
        async def resolve(self, *args: object) -> None:
            raise AssertionError("not used")

    service = ChatService(async_sessionmaker(engine), NoAccess())
    writer = service.writer
    quiet = await writer.run(lambda c: store.create_turn(c, _turn("quiet")))
    fresh = await writer.run(lambda c: store.create_turn(c, _turn("fresh")))
    live = await writer.run(lambda c: store.create_turn(c, _turn("live")))
    long_ago = utcnow() - timedelta(minutes=5)
    for t in (quiet, live):
        await writer.run(
            lambda c, t=t: c.execute(
                update(Message)
                .where(Message.id == t.assistant_message_id)
                .values(updated_at=long_ago)
            )
        )
    # `live` is quiet too, but this process is still generating it.
    service.hub._live[live.assistant_message_id] = Generation(
        live.assistant_message_id, live.conversation_id, 1, live.user_message_id, "openai", "m"
    )
    assert await service.upkeep.recover_orphans(min_age_s=60) == 1
    rows = {r[0]: r[4] for r in await _messages(engine)}
    assert rows[quiet.assistant_message_id] == "interrupted"
    assert rows[fresh.assistant_message_id] == "streaming"
    assert rows[live.assistant_message_id] == "streaming"
    await writer.close()


async def _parts(engine: AsyncEngine, message_id: int) -> object:
    async with engine.connect() as conn:
        return (
            await conn.execute(select(Message.parts).where(Message.id == message_id))
        ).scalar_one()


async def test_checkpoint_keeps_thinking_and_recovery_leaves_it(engine: AsyncEngine) -> None:
    """A thinking answer's checkpoint saves its parts; one without parts leaves them alone;
    an answer a dead process left behind keeps the reasoning it had when marked."""
    writer = ChatWriter(engine)
    ids = await writer.run(lambda c: store.create_turn(c, _turn("q")))
    mid = ids.assistant_message_id
    parts = [
        {"kind": "thinking", "text": "Let me see.", "duration_ms": 1200},
        {"kind": "text", "text": "It is"},
    ]
    await writer.run(lambda c: store.checkpoint(c, [(mid, "It is", parts)]))
    await writer.run(lambda c: store.checkpoint(c, [(mid, "It is 4", None)]))
    assert await _parts(engine, mid) == parts
    assert await writer.run(lambda c: store.mark_interrupted(c, only=[mid])) == 1
    row = next(r for r in await _messages(engine) if r[0] == mid)
    assert row[3:] == ("It is 4", "interrupted")
    assert await _parts(engine, mid) == parts
    await writer.close()
