"""Revision 0004 on a real database: the single-provider app's rows become threads.

SQL here only builds the starting databases and reads the result; what a user sees of an
upgraded conversation is tested through the API in `test_legacy_upgrade.py`.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from polychat.chat import store
from polychat.config import Settings
from polychat.db.migrate import migrate
from polychat.db.models import LegacySystemMessage
from tests.integration.legacy_db import T0, LegacyRows, legacy_database, read_legacy

pytestmark = pytest.mark.db

m0004: Any = importlib.import_module("polychat.db.migrations.versions.0004_link_legacy_messages")


def at(minutes: int) -> Any:
    return T0 + timedelta(minutes=minutes)


def rows() -> LegacyRows:
    """Five conversations of two users; ids out of time order, equal times, system rows at the
    start and in the middle, a blank one, a role the new app does not know, a lone message and
    a conversation with none."""

    def msg(mid: int, conv: int, role: str, minute: int, content: str | None = None) -> Any:
        return {"id": mid, "conversation_id": conv, "role": role,
                "content": f"{role} {mid}" if content is None else content,
                "created_at": at(minute)}  # fmt: skip

    return {
        "users": [
            {"id": u, "username": f"u{u}", "email": f"u{u}@example.com",
             "password_hash": "$2b$04$legacy", "created_at": T0}
            for u in (1, 2)
        ],
        "conversations": [
            {"id": c, "user_id": 1 + c % 2, "title": f"Chat {c}", "model": "claude-2.1",
             "created_at": T0, "updated_at": T0}
            for c in (1, 2, 3, 5, 8)
        ],
        "messages": [
            msg(10, 1, "system", 0, "You are terse."),
            msg(12, 1, "user", 1),
            msg(11, 1, "assistant", 2),
            msg(13, 1, "user", 2),  # same time as 11: the id decides
            msg(14, 1, "assistant", 3),
            msg(20, 2, "user", 0),
            msg(21, 2, "assistant", 1),
            msg(22, 2, "error", 2),
            msg(24, 2, "system", 3, "Answer in French."),
            msg(25, 2, "system", 4, "  "),
            msg(23, 2, "user", 5),
            msg(30, 3, "user", 0),
            msg(80, 8, "user", 0),
            msg(81, 8, "assistant", 1),
            msg(82, 8, "system", 2, "Second system row."),
            msg(83, 8, "system", 2, "Third, same time."),
        ],
    }  # fmt: skip


# What every path to head must give: each message's parent, each conversation's active leaf
# and system prompt, and the system rows kept aside.
PARENTS = {12: None, 11: 12, 13: 11, 14: 13, 20: None, 21: 20, 22: 21, 23: 22, 30: None,
           80: None, 81: 80}  # fmt: skip
LEAVES = {1: 14, 2: 23, 3: 30, 5: None, 8: 81}
PROMPTS = {1: "You are terse.", 2: "Answer in French.", 3: None, 5: None,
           8: "Second system row.\n\nThird, same time."}  # fmt: skip
KEPT = [10, 24, 25, 82, 83]


async def state(engine: AsyncEngine) -> dict[str, Any]:
    """Parents, leaves, prompts and kept system rows (None before 0004) as they are now."""
    async with engine.connect() as conn:

        def read(sql: str) -> Any:
            return conn.execute(sa.text(sql))

        parents = dict((await read("SELECT id, parent_id FROM messages")).all())
        convs = (await read("SELECT id, active_leaf_id, system_prompt FROM conversations")).all()
        has_kept = await conn.run_sync(lambda c: sa.inspect(c).has_table("legacy_system_messages"))
        kept = await read("SELECT id FROM legacy_system_messages ORDER BY id") if has_kept else None
    return {
        "parents": parents,
        "leaves": {c.id: c.active_leaf_id for c in convs},
        "prompts": {c.id: c.system_prompt for c in convs},
        "kept": None if kept is None else list(kept.scalars()),
    }


REPAIRED = {"parents": PARENTS, "leaves": LEAVES, "prompts": PROMPTS, "kept": KEPT}


@pytest.mark.parametrize("start", ["0001", "0002", "0003"])
async def test_every_upgrade_path_links_the_legacy_rows(
    empty_database_settings: Settings, start: str
) -> None:
    engine = await legacy_database(empty_database_settings, rows(), start)
    try:
        await migrate(empty_database_settings)
        assert await state(engine) == REPAIRED
    finally:
        await engine.dispose()


async def test_repair_in_small_batches_is_the_same_and_idempotent(
    empty_database_settings: Settings,
) -> None:
    engine = await legacy_database(empty_database_settings, rows(), "0003")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(LegacySystemMessage.__table__.create)
            await conn.run_sync(m0004.repair, 2)  # batches of 2 conversations: 3 batches
        first = await state(engine)
        async with engine.begin() as conn:
            await conn.run_sync(m0004.repair, 2)
            await conn.run_sync(m0004.repair)
        assert first == REPAIRED
        assert await state(engine) == REPAIRED
    finally:
        await engine.dispose()


def _turn(
    user_id: int, conv_id: int | None, parent_id: int | None, text: str, system: str | None = None
) -> store.NewTurn:
    """A turn as the chat service hands it to the writer (`system`: a prompt set with it)."""
    return store.NewTurn(
        user_id=user_id, conversation_id=conv_id, parent_id=parent_id, history=[],
        user_content=text, user_parts=[{"kind": "text", "text": text}],
        regenerate_parent_id=None, provider="openai", model="gpt-4o-mini",
        system_prompt=system, params=None, failover=None,
        set_system=system is not None, set_params=False, set_failover=False,
    )  # fmt: skip


async def test_rows_the_new_app_wrote_are_left_alone(empty_database_settings: Settings) -> None:
    """At 0003, before the fix: a conversation written by the new app (an edited first message
    gives two roots) and legacy ones continued blind (the new turn is a root of its own), one
    of them with a system prompt set in the new app."""
    engine = await legacy_database(empty_database_settings, rows(), "0003")
    try:
        async with engine.begin() as conn:
            first = await conn.run_sync(store.create_turn, _turn(1, None, None, "hello"))
            new_conv = first.conversation_id
            edit = await conn.run_sync(store.create_turn, _turn(1, new_conv, None, "hello again"))
            more = await conn.run_sync(
                store.create_turn, _turn(1, new_conv, edit.assistant_message_id, "and then?")
            )
            blind = await conn.run_sync(store.create_turn, _turn(2, 1, None, "where were we?"))
            prompted = await conn.run_sync(
                store.create_turn, _turn(1, 2, None, "en français ?", system="Set in Polychat")
            )
        before = await state(engine)
        new_ids = {
            first.user_message_id, first.assistant_message_id, edit.user_message_id,
            edit.assistant_message_id, more.user_message_id, more.assistant_message_id,
            blind.user_message_id, blind.assistant_message_id,
            prompted.user_message_id, prompted.assistant_message_id,
        }  # fmt: skip

        await migrate(empty_database_settings)

        after = await state(engine)
        assert {i: after["parents"][i] for i in new_ids} == {
            i: before["parents"][i] for i in new_ids
        }
        assert before["parents"][edit.user_message_id] is None  # really a second root
        assert after["leaves"][new_conv] == more.assistant_message_id
        # The blind turn keeps the screen; the old history is the other root beside it.
        assert after["leaves"][1] == blind.assistant_message_id
        assert after["parents"][blind.user_message_id] is None
        assert after["leaves"][2] == prompted.assistant_message_id
        assert after["prompts"][2] == "Set in Polychat"  # the newer prompt wins
        assert {i: after["parents"][i] for i in PARENTS} == PARENTS
        assert {c: after["leaves"][c] for c in (3, 5, 8)} == {c: LEAVES[c] for c in (3, 5, 8)}
        assert after["kept"] == KEPT
    finally:
        await engine.dispose()


async def test_downgrade_gives_back_the_legacy_rows_and_upgrade_repeats(
    empty_database_settings: Settings,
) -> None:
    engine = await legacy_database(empty_database_settings, rows(), "0001")
    try:
        legacy = await read_legacy(engine)
        await migrate(empty_database_settings, "0003")
        at_0003 = await state(engine)
        await migrate(empty_database_settings)

        await migrate(empty_database_settings, "0003", direction="downgrade")
        back = await state(engine)
        await migrate(empty_database_settings, "0001", direction="downgrade")
        assert await read_legacy(engine) == legacy
        await migrate(empty_database_settings)

        assert {**back, "prompts": None} == {**at_0003, "prompts": None}  # prompts stay set
        assert await state(engine) == REPAIRED
    finally:
        await engine.dispose()
