"""Persistence upkeep: the periodic work that keeps the saved answers true to the live ones.

Two timers, both batched so their cost does not grow with the number of streams:

- the **checkpointer** saves the text (and thinking) so far of every answer that grew, in one
  writer batch a second, so a reload or a restart shows what the user already saw;
- the **orphan sweep** marks `interrupted` the answers left `streaming` by a process that
  died: at start-up (this process's own) and every 30 s (another process's, once quiet).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from polychat.chat import store
from polychat.chat.hub import StreamHub
from polychat.chat.ports import Bridge
from polychat.chat.writer import ChatWriter
from polychat.db.repositories import conversations as conversations_repo
from polychat.db.types import utcnow

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 30.0
ORPHAN_AGE_S = 60.0  # live answers are checkpointed every second while text flows


class Upkeep:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        hub: StreamHub,
        writer: ChatWriter,
        *,
        checkpoint_interval_s: float,
        bridge: Bridge | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.hub = hub
        self.writer = writer
        self.checkpoint_interval_s = checkpoint_interval_s
        self.bridge = bridge
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, *, recover: bool = True) -> None:
        """Mark answers a dead process left `streaming` as `interrupted` (keeping their last
        checkpointed text), then start the checkpointer and the orphan sweep."""
        if recover:
            count = await self.recover_orphans()
            if count:
                log.warning("marked %d unfinished answers as interrupted", count)
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._checkpoint_loop(), name="chat-checkpointer"),
            loop.create_task(self._sweep_loop(), name="chat-sweeper"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def recover_orphans(self, min_age_s: float = 0.0) -> int:
        """Mark `interrupted` every `streaming` answer no live process is writing: not in this
        process's hub, not leased in Redis by another process, and (for the periodic sweep)
        not checkpointed for `min_age_s`. Returns how many were marked."""
        cutoff = utcnow() - timedelta(seconds=min_age_s)
        async with self.sessionmaker() as session:
            rows = await conversations_repo.streaming_since(session)
        orphans: list[int] = []
        for message_id, updated_at in rows:
            if self.hub.get(message_id) is not None:
                continue
            if min_age_s and updated_at is not None and updated_at > cutoff:
                continue
            if self.bridge is not None and await self.bridge.is_live(message_id):
                continue
            orphans.append(message_id)
        if not orphans:
            return 0
        return await self.writer.run(lambda c: store.mark_interrupted(c, only=orphans))

    async def checkpoint_now(self) -> int:
        """Save the text (and thinking) so far of every answer that grew since the last
        checkpoint: one batch, whatever the number of streams. An answer that thinks also
        gets its parts saved, so a reload mid-answer, or a restart, shows the reasoning."""
        texts: list[store.CheckpointRow] = []
        for gen in self.hub.running():
            n, k = len(gen.text), len(gen.thinking)
            if n != gen.checkpointed_chunks or k != gen.checkpointed_thinking:
                gen.checkpointed_chunks, gen.checkpointed_thinking = n, k
                parts = gen.parts_so_far() if k else None
                texts.append((gen.message_id, gen.text_so_far, parts))
        if texts:
            await self.writer.run(lambda s: store.checkpoint(s, texts))
        return len(texts)

    async def _sweep_loop(self) -> None:
        """Another process may die without restarting (several processes behind a load
        balancer): its answers are found here once they have gone quiet."""
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            try:
                count = await self.recover_orphans(min_age_s=ORPHAN_AGE_S)
                if count:
                    log.warning("marked %d orphaned answers as interrupted", count)
            except Exception:
                log.exception("orphan sweep failed")

    async def _checkpoint_loop(self) -> None:
        while True:
            await asyncio.sleep(self.checkpoint_interval_s)
            try:
                await self.checkpoint_now()
            except Exception:
                log.exception("checkpoint failed")
