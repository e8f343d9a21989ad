"""Reaching an answer that already exists: re-attaching to it, replaying it, stopping it.

An answer may be running in this process (the hub has it), in another process (Redis knows
it: the bridge relays its frames and stop signals), or be finished (the saved message is
replayed as the frames a live client would have seen). Callers get the same bytes either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from polychat.chat import store
from polychat.chat.errors import ChatError, ErrorRecord, not_found
from polychat.chat.events import StreamDone, StreamError, StreamStart
from polychat.chat.hub import StreamHub
from polychat.chat.options import ChatOptions
from polychat.chat.parts import read_parts, thinking_of
from polychat.chat.ports import Bridge
from polychat.chat.schemas import MessageStatus
from polychat.chat.sse import delta_frame, encode, thinking_frame
from polychat.db.models import Message
from polychat.db.repositories import conversations as conversations_repo


class Replay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        hub: StreamHub,
        options: ChatOptions,
        bridge: Bridge | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.hub = hub
        self.options = options
        self.bridge = bridge

    async def stop(self, user_id: int, message_id: int) -> tuple[bool, str]:
        """Stop an answer wherever it runs. Returns (stopped by this call, status now)."""
        gen = self.hub.get(message_id)
        if gen is not None:
            if gen.user_id != user_id:
                raise not_found("message")
            stopped = gen.request_stop("user")
            await gen.wait_finished(self.options.stop_wait_s)
            return stopped, gen.status or "streaming"
        async with self.sessionmaker() as session:
            msg = await owned_message(session, user_id, message_id)
            status = msg.status
        if status != "streaming" or self.bridge is None:
            return False, status
        await self.bridge.publish_stop(message_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.stop_wait_s
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            async with self.sessionmaker() as session:
                status = await conversations_repo.message_status(session, message_id)
            if status != "streaming":
                return status == "stopped", status
        return True, status

    async def follow(self, user_id: int, message_id: int) -> AsyncIterator[bytes]:
        """Frames for a re-attaching client: everything so far, then live, from this process,
        from the process that runs it (Redis), or rebuilt from the saved message."""
        gen = self.hub.get(message_id)
        if gen is not None:
            if gen.user_id != user_id:
                raise not_found("message")
            return gen.subscribe()
        async with self.sessionmaker() as session:
            msg = await owned_message(session, user_id, message_id)
        if msg.role != "assistant":
            raise ChatError(400, "invalid_request", "only an answer can be followed")
        if msg.status == "streaming" and self.bridge is not None:
            remote = await self.bridge.remote_frames(message_id)
            if remote is not None:
                return remote
        return _single(saved_frames(msg))


async def owned_message(session: AsyncSession, user_id: int, message_id: int) -> Message:
    """The message if it is in one of the user's conversations, else the 404 of a missing one."""
    msg = await conversations_repo.message(session, message_id)
    if msg is None:
        raise not_found("message")
    await store.get_conversation(session, user_id, msg.conversation_id)
    return msg


def saved_frames(msg: Message) -> bytes:
    """A finished answer replayed as the frames a live client would have seen."""
    status = cast(MessageStatus, msg.status)
    out = [
        encode(
            StreamStart(
                conversation_id=msg.conversation_id,
                user_message_id=msg.parent_id,
                assistant_message_id=msg.id,
                provider=msg.provider,
                model=msg.model,
            )
        )
    ]
    thinking = thinking_of(read_parts(msg.parts))
    if thinking:
        out.append(thinking_frame(thinking))
    if msg.content:
        out.append(delta_frame(msg.content))
    error = ErrorRecord.read(msg.error)
    if error is not None:
        out.append(
            encode(StreamError.of(error, provider=msg.provider, message_id=msg.id, status=status))
        )
    out.append(
        encode(
            StreamDone(
                finish_reason="stop" if status == "complete" else status,
                status=status,
                usage=None,
                provider=msg.provider,
                model=msg.model,
                message_id=msg.id,
                conversation_id=msg.conversation_id,
            )
        )
    )
    return b"".join(out)


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data
