"""link_legacy_messages: the single-provider app's messages become a thread the new app shows.

The single-provider app stored a conversation as plain rows ordered by time. Revision 0003 added
`messages.parent_id` and `conversations.active_leaf_id` but filled neither, so an upgraded
conversation opened empty, exported as "0 messages" and reached the model without its history.
This revision repairs every database below it: one coming from 0001/0002, and one already at
0003 (upgraded before this fix, possibly used since).

Which rows: a *legacy row* is a message whose `updated_at` is NULL. The column came with 0003
without a default, and the new app sets it on every message it writes (`store.create_turn`
and the ORM default), so NULL means "written by the single-provider app" and nothing else. The
rule is per row, not per conversation, so it never touches a row the new app wrote, even in a
conversation that was continued at 0003 before this fix.

What it does, a batch of conversations at a time (bounded memory at any size):

1. `system` rows become the conversation's `system_prompt` (joined by a blank line, oldest
   first) when it has none yet; when the conversation already has one (set in the new app at
   0003) that newer prompt wins. Either way the rows leave the message list, kept verbatim in
   `legacy_system_messages` so the downgrade can put them back. A system row some new message
   already answers (only possible through a hand-made API call at 0003) stays where it is.
2. The other legacy rows are linked into one chain per conversation, ordered by `created_at`,
   then `id` (`LAG()` over the conversation): each row's parent is the one before it.
   Roles other than user/assistant/system (the old app never sent them to the model) stay in
   the chain, so they remain visible as they were; the history sent to a provider leaves out
   every role but user and assistant, as it always has.
3. A conversation with no active leaf gets the last row of that chain. A conversation that was
   continued at 0003 (its new turn was written as a separate first message, answered without
   the old history) keeps the leaf the user is on: the old history becomes the sibling branch
   of that first message, one click away, and what the model was actually sent stays true.

Idempotent: running it again computes the same parents and changes nothing; rows already moved
are no longer system rows in `messages`; a conversation with a leaf keeps it.

Downgrade: the kept system rows go back into `messages` with their ids, texts and times, legacy
rows lose their parent links, conversations whose active leaf is a legacy row lose it, and the
`legacy_system_messages` table is dropped: exactly the 0003 state before this revision, which
the 0003/0002/0001 downgrades take back to the original legacy rows. `system_prompt` is left as
it is (the 0003 downgrade drops the column).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

# Conversations per batch: 500 x ~20 messages keeps each statement's working set a few MB.
BATCH = 500

# The rows of one batch (`:lo`..`:hi` are its first and last conversation ids).
_IN_BATCH = "conversation_id BETWEEN :lo AND :hi AND updated_at IS NULL"

_MOVABLE_SYSTEM = f"""
    messages.role = 'system' AND {_IN_BATCH}
    AND NOT EXISTS (SELECT 1 FROM messages AS child WHERE child.parent_id = messages.id)
"""

_KEEP_SYSTEM = f"""
    INSERT INTO legacy_system_messages (id, conversation_id, content, created_at, provider)
    SELECT id, conversation_id, content, created_at, provider FROM messages
    WHERE {_MOVABLE_SYSTEM}
"""

_KEPT_IN_BATCH = """
    SELECT conversation_id, content FROM legacy_system_messages
    WHERE conversation_id BETWEEN :lo AND :hi
    ORDER BY conversation_id, created_at, id
"""

_SET_PROMPT = """
    UPDATE conversations SET system_prompt = :prompt
    WHERE id = :conversation_id AND system_prompt IS NULL
"""

_DROP_SYSTEM = f"DELETE FROM messages WHERE {_MOVABLE_SYSTEM}"

_LINK = f"""
    UPDATE messages SET parent_id = chain.prev
    FROM (
        SELECT id, LAG(id) OVER (
            PARTITION BY conversation_id ORDER BY created_at, id
        ) AS prev
        FROM messages WHERE role <> 'system' AND {_IN_BATCH}
    ) AS chain
    WHERE messages.id = chain.id AND chain.prev IS NOT NULL
    AND (messages.parent_id IS NULL OR messages.parent_id <> chain.prev)
"""

_SET_LEAF = f"""
    UPDATE conversations SET active_leaf_id = leaf.id
    FROM (
        SELECT id, conversation_id, ROW_NUMBER() OVER (
            PARTITION BY conversation_id ORDER BY created_at DESC, id DESC
        ) AS n
        FROM messages WHERE role <> 'system' AND {_IN_BATCH}
    ) AS leaf
    WHERE leaf.n = 1 AND conversations.id = leaf.conversation_id
    AND conversations.active_leaf_id IS NULL
"""


def _batches(conn: sa.Connection, size: int) -> Iterator[tuple[int, int]]:
    """(first, last) conversation id of each batch of `size` conversations, read one batch
    at a time, so even a huge database is walked without holding its ids."""
    after = 0
    while ids := list(
        conn.execute(
            sa.text("SELECT id FROM conversations WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": size},
        ).scalars()
    ):
        yield ids[0], ids[-1]
        after = ids[-1]


def _repair(conn: sa.Connection, lo: int, hi: int) -> None:
    bounds = {"lo": lo, "hi": hi}
    moved = conn.execute(sa.text(_KEEP_SYSTEM), bounds).rowcount
    if moved:
        rows = conn.execute(sa.text(_KEPT_IN_BATCH), bounds).all()
        prompts = [
            {"conversation_id": conv_id, "prompt": "\n\n".join(texts)}
            for conv_id, group in groupby(rows, key=lambda r: r.conversation_id)
            if (texts := [r.content for r in group if r.content.strip()])
        ]
        if prompts:
            conn.execute(sa.text(_SET_PROMPT), prompts)
        conn.execute(sa.text(_DROP_SYSTEM), bounds)
    conn.execute(sa.text(_LINK), bounds)
    conn.execute(sa.text(_SET_LEAF), bounds)


def repair(conn: sa.Connection, batch: int = BATCH) -> None:
    """Steps 1-3 above for every conversation, `batch` conversations at a time. Running it
    again changes nothing."""
    for lo, hi in _batches(conn, batch):
        _repair(conn, lo, hi)


def upgrade() -> None:
    op.create_table(
        "legacy_system_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey(
                "conversations.id",
                ondelete="CASCADE",
                name="fk_legacy_system_messages_conversation_id_conversations",
            ),
            nullable=False,
        ),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_legacy_system_messages_conversation_id",
        "legacy_system_messages",
        ["conversation_id"],
    )
    repair(op.get_bind())


def downgrade() -> None:
    op.execute(
        """
        INSERT INTO messages (id, conversation_id, role, content, created_at, provider)
        SELECT id, conversation_id, 'system', content, created_at, provider
        FROM legacy_system_messages
        """
    )
    op.execute(
        """
        UPDATE conversations SET active_leaf_id = NULL
        WHERE active_leaf_id IN (SELECT id FROM messages WHERE updated_at IS NULL)
        """
    )
    op.execute("UPDATE messages SET parent_id = NULL WHERE updated_at IS NULL")
    op.drop_index("ix_legacy_system_messages_conversation_id", table_name="legacy_system_messages")
    op.drop_table("legacy_system_messages")
