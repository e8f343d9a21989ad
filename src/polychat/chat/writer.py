"""Group commit: every chat write goes through one writer task, many operations per transaction.

Why: at hundreds of answers per second, one transaction per write would make the database
(SQLite above all, which has one writer) the bottleneck and turn concurrent writers into lock
waits. Callers `await writer.run(op)`; the writer takes everything queued, runs it in one
transaction, commits once and resolves each caller. If the batch fails, each operation is
retried alone so one bad write cannot sink the others.

Operations are plain synchronous functions of a SQLAlchemy `Connection`, so a whole batch
costs one hop off the event loop: on SQLite, one call into a dedicated writer thread with its
own connection (instead of a thread round trip per statement through aiosqlite); on other
databases, one `run_sync` on the async engine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

T = TypeVar("T")
Op = Callable[[Connection], Any]

_MAX_BATCH = 512


def _sqlite_sync_engine(engine: AsyncEngine) -> Engine | None:
    url = engine.url
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    sync = create_engine(url.set(drivername="sqlite"), pool_size=1, max_overflow=0)

    @event.listens_for(sync, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return sync


class ChatWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sync = _sqlite_sync_engine(engine)
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")
            if self._sync is not None
            else None
        )
        self._queue: asyncio.Queue[tuple[Op, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="chat-writer")

    async def run(self, op: Callable[[Connection], T]) -> T:
        """Run `op` inside a shared transaction and return its result once committed. The
        operation is queued before this returns its awaitable's first suspension, so writes
        submitted in order are applied in order."""
        if self._task is None or self._task.done():
            # No writer loop (before start, after close): run alone.
            result: T = (await self._execute([op]))[0]
            return result
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, fut))
        return await fut

    async def _execute(self, ops: list[Op]) -> list[Any]:
        """All `ops` in one transaction; raises if any fails (nothing is committed then)."""
        if self._sync is not None and self._thread is not None:
            sync = self._sync

            def batch() -> list[Any]:
                with sync.begin() as conn:
                    return [op(conn) for op in ops]

            return await asyncio.get_running_loop().run_in_executor(self._thread, batch)
        async with self._engine.begin() as conn:
            return await conn.run_sync(lambda c: [op(c) for op in ops])

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
        try:
            results = await self._execute([op for op, _ in batch])
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
        if task is not None and not task.done():
            self._queue.put_nowait(None)
            try:
                await asyncio.wait_for(task, 10)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
        if self._sync is not None:
            self._sync.dispose()
