"""The stream hub: owns every running generation, independently of any HTTP response.

A generation runs in a task the hub keeps, so a client that goes away never stops it; HTTP
responses only *subscribe*. Each generation keeps the frames it has sent so far, which is what
makes a re-attach (`GET /api/chat/{id}/stream`) replay everything and then continue live.

The token path is: append one pre-encoded frame to a list and wake the subscribers waiting on
one shared future. Checkpointing and the Redis mirror read the lists on their own timers, so
nothing on the token path touches a database or the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from polychat.chat.history import thinking_part
from polychat.chat.parts import StoredPart, StoredText, dump_parts

log = logging.getLogger(__name__)

T = TypeVar("T")

FinalStatus = Literal["complete", "stopped", "error", "interrupted"]
StopReason = Literal["user", "shutdown"]


@dataclass(eq=False)
class Generation:
    """One assistant answer being produced. Mutated only from the event loop that owns it."""

    message_id: int
    conversation_id: int
    user_id: int
    user_message_id: int
    provider: str
    model: str
    frames: list[bytes] = field(default_factory=list)
    started_with: tuple[str, str] = ("", "")  # (provider, model) saved when the turn began
    text: list[str] = field(default_factory=list)
    finished: bool = False
    status: FinalStatus | None = None
    stop_reason: StopReason | None = None
    consumer: asyncio.Task[Any] | None = None  # reads upstream; cancelled by a stop
    runner: asyncio.Task[Any] | None = None  # the whole generation, final write included
    checkpointed_chunks: int = 0  # len(text) at the last checkpoint
    # Visible reasoning ("extended thinking"), kept apart from the answer text. The two times
    # are `time.monotonic()` values set once each by the runner, never per piece of text: the
    # first thinking piece and the first answer text, which bound the "Thought for 12 s".
    thinking: list[str] = field(default_factory=list)
    thinking_started: float | None = None
    text_started: float | None = None
    checkpointed_thinking: int = 0  # len(thinking) at the last checkpoint
    _waiters: list[asyncio.Future[None]] = field(default_factory=list)

    def push(self, data: bytes) -> None:
        self.frames.append(data)
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def push_text(self, text: str, data: bytes) -> None:
        self.text.append(text)
        self.push(data)

    def push_thinking(self, text: str, data: bytes) -> None:
        self.thinking.append(text)
        self.push(data)

    def finish(self, status: FinalStatus, data: bytes) -> None:
        self.status = status
        self.finished = True
        self.push(data)

    @property
    def text_so_far(self) -> str:
        return "".join(self.text)

    @property
    def thinking_so_far(self) -> str:
        return "".join(self.thinking)

    def thinking_ms(self, ended: float | None = None) -> int | None:
        """How long the model thought: first thinking piece to first answer text, or to
        `ended` when no text came (a stop mid-thought, an answer of reasoning only). None
        while it is still thinking (no end known yet) or when it did not think."""
        began = self.thinking_started
        if began is None:
            return None
        end = self.text_started
        if end is None or end < began:  # no text yet, or text came before any thinking
            end = ended
        return None if end is None else max(0, round((end - began) * 1000))

    def stored_parts(self, ended: float | None = None) -> list[StoredPart]:
        """The answer's parts as they would be saved now: the thinking part first (when the
        model thought), then the text. What a reader of a still-streaming answer sees."""
        parts: list[StoredPart] = []
        if self.thinking:
            parts.append(thinking_part(self.thinking_so_far, self.thinking_ms(ended)))
        if self.text:
            parts.append(StoredText(text=self.text_so_far))
        return parts

    def parts_so_far(self, ended: float | None = None) -> list[dict[str, Any]]:
        """`stored_parts` as the JSON a checkpoint saves."""
        return dump_parts(self.stored_parts(ended))

    def request_stop(self, reason: StopReason = "user") -> bool:
        """Close the upstream request now: cancels the task reading it. False if already over."""
        if self.finished or self.stop_reason is not None:
            return False
        self.stop_reason = reason
        if self.consumer is not None and not self.consumer.done():
            self.consumer.cancel()
        return True

    async def _wait(self) -> None:
        """Each waiter has its own future, so a subscriber cancelled while waiting (client
        gone) cannot cancel anybody else's wake-up."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if not waiter.done() and waiter in self._waiters:
                self._waiters.remove(waiter)

    async def wait_finished(self, timeout_s: float) -> bool:
        """Wait (bounded) until the final frame is out; True if it is."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not self.finished:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait(), remaining)
        return True

    async def subscribe(self, start: int = 0) -> AsyncIterator[bytes]:
        """Every frame from `start` on, then live ones until the final frame. A subscriber that
        fell behind gets the backlog joined into one write."""
        i = start
        while True:
            frames = self.frames
            n = len(frames)
            if i < n:
                chunk = frames[i] if n - i == 1 else b"".join(frames[i:n])
                i = n
                yield chunk
                continue
            if self.finished:
                return
            await self._wait()


class StreamHub:
    """Registry of live generations in this process; a lifespan singleton on app.state."""

    def __init__(self, *, linger_s: float = 30.0) -> None:
        self._live: dict[int, Generation] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._linger_s = linger_s

    def get(self, message_id: int) -> Generation | None:
        return self._live.get(message_id)

    def running(self) -> list[Generation]:
        return [g for g in self._live.values() if not g.finished]

    def __len__(self) -> int:
        return len(self._live)

    def start(self, gen: Generation, runner: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `runner` for `gen` in a hub-owned task. Finished generations linger a while so a
        client reconnecting right after the end still gets an exact replay from memory."""
        self._live[gen.message_id] = gen
        task = asyncio.get_running_loop().create_task(runner, name=f"gen-{gen.message_id}")
        gen.runner = task
        self._tasks.add(task)

        def done(t: asyncio.Task[T]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("generation %s crashed", gen.message_id, exc_info=t.exception())
            loop = asyncio.get_running_loop()
            loop.call_later(self._linger_s, self._forget, gen)

        task.add_done_callback(done)
        return task

    def _forget(self, gen: Generation) -> None:
        if self._live.get(gen.message_id) is gen:
            del self._live[gen.message_id]

    def discard_conversation(self, conversation_id: int) -> None:
        """Forget a deleted conversation's finished generations now: no replay of them."""
        for gen in list(self._live.values()):
            if gen.conversation_id == conversation_id and gen.finished:
                del self._live[gen.message_id]

    def stop(self, message_id: int, reason: StopReason = "user") -> bool:
        gen = self._live.get(message_id)
        return gen.request_stop(reason) if gen is not None else False

    async def shutdown(self, timeout_s: float = 5.0) -> None:
        """Stop every generation as `interrupted` and wait (bounded) for them to be saved."""
        for gen in list(self._live.values()):
            gen.request_stop("shutdown")
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*self._tasks, return_exceptions=True), timeout_s
                )
        self._live.clear()
