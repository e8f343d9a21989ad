"""Cross-process chat over Redis: stop signals, replayable frames, liveness.

Used only when `REDIS_URL` is set (several server processes behind a load balancer):

- **Stop**: `POST /api/chat/{id}/stop` may land on a process that is not running that answer.
  It publishes the id on `<prefix>chat:stop`; every process listens and the owner stops it.
- **Re-attach**: the owner mirrors each generation's frames into a Redis Stream
  (`<prefix>chat:frames:{id}`), batched every ~50 ms in one pipeline for all streams (never
  per token). Another process replays that stream from the start and then follows it live.
- **Liveness**: the owner refreshes `<prefix>chat:live:{id}` (short TTL) while it generates,
  so a starting process marks as `interrupted` only answers no live process owns.

`<prefix>` is `Settings.redis_prefix` (default `polychat:`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from polychat.chat.hub import Generation, StreamHub

log = logging.getLogger(__name__)

STOP_CHANNEL = "chat:stop"
FRAMES_KEY = "chat:frames:{}"
LIVE_KEY = "chat:live:{}"
LIVE_TTL_S = 15
KEEP_FINISHED_S = 300
FOLLOW_LIMIT_S = 3600.0


class RedisBridge:
    def __init__(
        self,
        redis: Any,
        hub: StreamHub,
        *,
        prefix: str = "polychat:",
        flush_interval_s: float = 0.05,
    ) -> None:
        """`redis` is the app's `redis.asyncio.Redis` client (the app closes it)."""
        self._redis = redis
        self._stop_channel = prefix + STOP_CHANNEL
        self._frames_key = prefix + FRAMES_KEY
        self._live_key = prefix + LIVE_KEY
        self._hub = hub
        self._flush_interval_s = flush_interval_s
        self._mirrored: dict[int, int] = {}  # message id -> frames already mirrored
        self._last_live: dict[int, float] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self._redis.ping()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._listen_stop(), name="chat-redis-stop"),
            loop.create_task(self._mirror_loop(), name="chat-redis-mirror"),
        ]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.flush()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- stop ------------------------------------------------------------------------------------

    async def publish_stop(self, message_id: int) -> None:
        await self._redis.publish(self._stop_channel, str(message_id))

    async def _listen_stop(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self._stop_channel)
                async for msg in pubsub.listen():
                    if msg.get("type") != "message":
                        continue
                    with contextlib.suppress(ValueError):
                        self._hub.stop(int(msg["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("redis stop listener failed; reconnecting", exc_info=True)
                await asyncio.sleep(1)

    # -- mirror ----------------------------------------------------------------------------------

    async def _mirror_loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval_s)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("redis mirror failed", exc_info=True)

    async def flush(self) -> None:
        """Push every generation's new frames (one stream entry per generation per flush) and
        refresh liveness, all in one pipeline round trip."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        pipe = self._redis.pipeline(transaction=False)
        pending = 0
        for gen in list(self._hub_generations()):
            sent = self._mirrored.get(gen.message_id, 0)
            frames = gen.frames
            n = len(frames)
            key = self._frames_key.format(gen.message_id)
            if n > sent:
                fields: dict[str, bytes] = {"d": b"".join(frames[sent:n])}
                if gen.finished:
                    fields["end"] = b"1"
                pipe.xadd(key, fields)
                self._mirrored[gen.message_id] = n
                pending += 1
            if gen.finished:  # its final frame went out just above, with the end marker
                pipe.expire(key, KEEP_FINISHED_S)
                pipe.delete(self._live_key.format(gen.message_id))
                self._last_live.pop(gen.message_id, None)
                pending += 2
            elif now - self._last_live.get(gen.message_id, 0.0) >= 1.0:
                pipe.set(self._live_key.format(gen.message_id), b"1", ex=LIVE_TTL_S)
                pipe.expire(key, KEEP_FINISHED_S + LIVE_TTL_S)
                self._last_live[gen.message_id] = now
                pending += 2
        if pending:
            await pipe.execute()

    def _hub_generations(self) -> list[Generation]:
        gens = [g for g in self._all() if not g.finished or self._unmirrored(g)]
        live_ids = {g.message_id for g in self._all()}
        for mid in [m for m in self._mirrored if m not in live_ids]:
            del self._mirrored[mid]  # forgotten by the hub: nothing more to mirror
        return gens

    def _all(self) -> list[Generation]:
        return list(self._hub._live.values())

    def _unmirrored(self, gen: Generation) -> bool:
        return self._mirrored.get(gen.message_id, 0) < len(gen.frames)

    # -- follow ----------------------------------------------------------------------------------

    async def is_live(self, message_id: int) -> bool:
        return bool(await self._redis.exists(self._live_key.format(message_id)))

    async def remote_frames(self, message_id: int) -> AsyncIterator[bytes] | None:
        """Replay and follow a generation another process runs; None if Redis knows nothing
        of it (then the saved message is all there is)."""
        key = self._frames_key.format(message_id)
        if not await self._redis.exists(key) and not await self.is_live(message_id):
            return None
        return self._follow(key, message_id)

    async def _follow(self, key: str, message_id: int) -> AsyncIterator[bytes]:
        last = "0"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FOLLOW_LIMIT_S
        idle_since = loop.time()
        while loop.time() < deadline:
            reply = await self._redis.xread({key: last}, block=1000, count=100)
            if not reply:
                # Owner died without an end marker: stop following once its lease is gone.
                if loop.time() - idle_since > 2 and not await self.is_live(message_id):
                    return
                continue
            idle_since = loop.time()
            for _stream, entries in reply:
                for entry_id, fields in entries:
                    last = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                    data = fields.get(b"d") or fields.get("d")
                    if data:
                        yield data
                    if fields.get(b"end") or fields.get("end"):
                        return
