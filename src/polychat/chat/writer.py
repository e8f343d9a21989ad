"""Group commit: every chat write goes through one writer task, many operations per transaction.

Why: at hundreds of answers per second, one transaction per write would make the database
(SQLite above all, which has one writer) the bottleneck and turn concurrent writers into lock
waits. Callers `await writer.run(op)`; the writer takes everything queued, runs it in one
transaction, commits once and resolves each caller. If the batch fails, each operation is
retried alone so one bad write cannot sink the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
Op = Callable[[AsyncSession], Awaitable[Any]]

_MAX_BATCH = 256


class ChatWriter:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._queue: asyncio.Queue[tuple[Op, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="chat-writer")

    async def run(self, op: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `op` inside a shared transaction and return its result once committed."""
        if self._task is None or self._task.done():
            # No writer loop (tests building the service alone, or after close): run inline.
            async with self._sessionmaker() as session, session.begin():
                return await op(session)
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, fut))
        return await fut

    async def _loop(self) -> None:
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < _MAX_BATCH and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stop = True
                    break
                batch.append(item)
            await self._run_batch(batch)
            if stop:
                return

    async def _run_batch(self, batch: list[tuple[Op, asyncio.Future[Any]]]) -> None:
        results: list[Any] = []
        try:
            async with self._sessionmaker() as session, session.begin():
                for op, _ in batch:
                    results.append(await op(session))
        except Exception as exc:
            if len(batch) == 1:
                log.warning("chat write failed: %r", exc)
                if not batch[0][1].done():
                    batch[0][1].set_exception(exc)
                return
            for item in batch:  # isolate the failing operation
                await self._run_batch([item])
            return
        for (_, fut), result in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(result)

    async def close(self) -> None:
        """Finish everything already queued, then stop (bounded)."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(task, 10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
