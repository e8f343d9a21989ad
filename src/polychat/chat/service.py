"""The chat service: the one object the routes call, a thin facade over the chat's jobs.

`begin` plans a turn (`planning.py`: what the turn is, who may answer, the history sent),
commits the user's turn and an empty `streaming` answer through the group-commit writer
(`writer.py`), and hands the generation to the hub (`hub.py`), which runs it to the end in
its own task (`finish.py` around `runner.py`), so no client can stop it by leaving. `stop` and
`follow` reach an existing answer wherever it runs (`replay.py`); checkpoints and the orphan
sweep keep the saved answers true (`upkeep.py`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from polychat.chat import store
from polychat.chat.events import StreamStart
from polychat.chat.finish import Finisher
from polychat.chat.hub import Generation, StreamHub
from polychat.chat.options import ChatOptions
from polychat.chat.planning import TurnPlanner
from polychat.chat.ports import Access, Bridge, Limits
from polychat.chat.replay import Replay
from polychat.chat.schemas import ChatBody
from polychat.chat.sse import encode
from polychat.chat.upkeep import Upkeep
from polychat.chat.writer import ChatWriter


class ChatService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        access: Access,
        options: ChatOptions | None = None,
        *,
        limits: Limits | None = None,
        bridge: Bridge | None = None,
        hub: StreamHub | None = None,
    ) -> None:
        self.options = options or ChatOptions()
        self.hub = hub if hub is not None else StreamHub(linger_s=self.options.linger_s)
        engine = sessionmaker.kw.get("bind")
        assert isinstance(engine, AsyncEngine), "the sessionmaker must be bound to an engine"
        self.writer = ChatWriter(engine)
        self.limits = limits
        self.planner = TurnPlanner(sessionmaker, access, self.hub, self.options)
        self.finisher = Finisher(sessionmaker, access, self.writer, self.options, limits)
        self.replay = Replay(sessionmaker, self.hub, self.options, bridge)
        self.upkeep = Upkeep(
            sessionmaker,
            self.hub,
            self.writer,
            checkpoint_interval_s=self.options.checkpoint_interval_s,
            bridge=bridge,
        )

    async def start(self, *, recover: bool = True) -> None:
        """Start the writer, then the upkeep (which first recovers a dead process's answers)."""
        self.writer.start()
        await self.upkeep.start(recover=recover)

    async def close(self) -> None:
        """Running answers are saved as `interrupted`, then queued writes are flushed."""
        await self.hub.shutdown()
        await self.upkeep.close()
        await self.finisher.close()
        await self.writer.close()

    async def begin(
        self,
        user_id: int,
        body: ChatBody,
        t0: float | None = None,
        *,
        default_system: str | None = None,
    ) -> Generation:
        """Validate, commit the user's turn, start generating; returns the live generation.

        `default_system` (the user's custom instructions) becomes the system prompt of a NEW
        conversation whose body has no `system`. It is stored with the conversation, so later
        turns keep it and a later change of the preference leaves older chats unchanged.
        """
        t0 = time.monotonic() if t0 is None else t0
        if self.limits is not None:
            await self.limits.check(user_id)
        plan = await self.planner.plan(user_id, body, default_system=default_system)
        ids = await self.writer.run(lambda s: store.create_turn(s, plan.turn))
        first = plan.candidates[0]
        gen = Generation(
            message_id=ids.assistant_message_id,
            conversation_id=ids.conversation_id,
            user_id=user_id,
            user_message_id=ids.user_message_id,
            provider=first.provider_id,
            model=first.model,
            started_with=(first.provider_id, first.model),
        )
        gen.push(
            encode(
                StreamStart(
                    conversation_id=ids.conversation_id,
                    user_message_id=ids.user_message_id,
                    assistant_message_id=ids.assistant_message_id,
                    provider=first.provider_id,
                    model=first.model,
                )
            )
        )
        needs_title = ids.created_conversation or plan.untitled
        title_source = plan.user_text if needs_title else None
        self.hub.start(gen, self.finisher.run(gen, plan, t0, title_source))
        return gen

    async def stop(self, user_id: int, message_id: int) -> tuple[bool, str]:
        """Stop an answer wherever it runs. Returns (stopped by this call, status now)."""
        return await self.replay.stop(user_id, message_id)

    async def follow(self, user_id: int, message_id: int) -> AsyncIterator[bytes]:
        """Frames for a re-attaching client (live, relayed from another process, or replayed)."""
        return await self.replay.follow(user_id, message_id)
