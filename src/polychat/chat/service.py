"""The chat service: from a request body to a running, persisted, subscribable generation.

`ChatService.begin` validates the request, resolves the provider (in-memory cached key
configuration, no per-request configuration reads), commits the user's turn and an empty
`streaming` answer through the group-commit writer, and hands the generation to the hub.
Everything after that (streaming, checkpoints, the final write, the title) happens in
hub-owned tasks, so no client can stop it by leaving.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from polychat.chat import store
from polychat.chat.cost import compute_cost, settle_tokens
from polychat.chat.errors import ChatError, ErrorRecord, from_provider, not_found
from polychat.chat.events import StreamDone, StreamError, StreamStart
from polychat.chat.history import (
    has_images,
    part_to_stored,
    prompt_chars,
    thinking_part,
    to_provider_messages,
)
from polychat.chat.hub import Generation, StreamHub
from polychat.chat.options import ChatOptions
from polychat.chat.parts import (
    StoredFile,
    StoredPart,
    StoredText,
    dump_parts,
    read_parts,
    thinking_of,
)
from polychat.chat.reasoning import model_reasons, wanted_effort
from polychat.chat.runner import Candidate, Outcome, RejectedKey, run_generation
from polychat.chat.schemas import Attachment, ChatBody, FileAttachment, MessageStatus
from polychat.chat.sse import delta_frame, encode, thinking_frame
from polychat.chat.titles import first_words, generate_title
from polychat.chat.writer import ChatWriter
from polychat.db.models import Conversation, Message
from polychat.db.types import utcnow
from polychat.errors import AppError
from polychat.providers.base import (
    BaseProvider,
    ChatRequest,
    ImagePart,
    ProviderError,
    TextPart,
)

log = logging.getLogger(__name__)

# Body fields saved on the conversation and reused by later turns that do not send them.
_SAVED_PARAMS = ("temperature", "top_p", "max_tokens", "stop", "reasoning")

SWEEP_INTERVAL_S = 30.0
ORPHAN_AGE_S = 60.0  # live answers are checkpointed every second while text flows


class Resolved(Protocol):
    provider: BaseProvider
    provider_id: str
    model: str
    key_source: str


class Access(Protocol):
    async def resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None = None
    ) -> Any: ...


class Limits(Protocol):
    async def check(self, user_id: int) -> None: ...

    async def record(self, user_id: int, tokens: int) -> None: ...


class Bridge(Protocol):
    """Cross-process pieces (Redis): stop signals and replayable frames of remote streams."""

    async def publish_stop(self, message_id: int) -> None: ...

    async def remote_frames(self, message_id: int) -> AsyncIterator[bytes] | None: ...

    async def is_live(self, message_id: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Target:
    conv: Conversation | None
    path: list[store.StoredMessage]
    parent_id: int | None
    regenerate_parent_id: int | None


class ChatService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        access: Access,
        options: ChatOptions | None = None,
        *,
        limits: Limits | None = None,
        bridge: Bridge | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.access = access
        self.options = options or ChatOptions()
        self.hub = StreamHub(linger_s=self.options.linger_s)
        engine = sessionmaker.kw.get("bind")
        assert isinstance(engine, AsyncEngine), "the sessionmaker must be bound to an engine"
        self.writer = ChatWriter(engine)
        self.limits = limits
        self.bridge = bridge
        self._background: set[asyncio.Task[Any]] = set()
        self._checkpointer: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self, *, recover: bool = True) -> None:
        """Start the writer, the checkpointer and the orphan sweeper; mark answers a dead
        process left `streaming` as `interrupted` (keeping their last checkpointed text)."""
        self.writer.start()
        if recover:
            count = await self.recover_orphans()
            if count:
                log.warning("marked %d unfinished answers as interrupted", count)
        loop = asyncio.get_running_loop()
        self._checkpointer = loop.create_task(self._checkpoint_loop(), name="chat-checkpointer")
        self._sweeper = loop.create_task(self._sweep_loop(), name="chat-sweeper")

    async def recover_orphans(self, min_age_s: float = 0.0) -> int:
        """Mark `interrupted` every `streaming` answer no live process is writing: not in this
        process's hub, not leased in Redis by another process, and (for the periodic sweep)
        not checkpointed for `min_age_s`. Returns how many were marked."""
        cutoff = utcnow() - timedelta(seconds=min_age_s)
        async with self.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(Message.id, Message.updated_at).where(Message.status == "streaming")
                )
            ).all()
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

    async def close(self) -> None:
        await self.hub.shutdown()
        for task in (self._checkpointer, self._sweeper):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self._background:
            await asyncio.wait(self._background, timeout=5)
        await self.writer.close()

    async def _checkpoint_loop(self) -> None:
        interval = self.options.checkpoint_interval_s
        while True:
            await asyncio.sleep(interval)
            try:
                await self.checkpoint_now()
            except Exception:
                log.exception("checkpoint failed")

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

    # -- starting an answer -----------------------------------------------------------------------

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
        async with self.sessionmaker() as session:
            resolved = await self._resolve(session, user_id, body.model, body.provider)
            target = await self._target(session, user_id, body)
            conv = target.conv
            chain = await self._failover(session, user_id, body, conv, resolved)

        new_parts: list[dict[str, Any]] = []  # the stored JSON of the new user turn
        history_items: list[tuple[str, str]] = []
        if conv is None:
            history_items = [(m.role, m.content) for m in body.messages or []]
            content = body.content
            if content is None and history_items and history_items[-1][0] == "user":
                content = history_items.pop()[1]
        else:
            content = body.content
        if target.regenerate_parent_id is None:
            new_parts = dump_parts(_user_parts(content, body))
        stored = list(target.path)
        if conv is None:
            stored = [
                store.StoredMessage(0, None, role, text, None, "complete")
                for role, text in history_items
            ]
        if new_parts:
            stored.append(store.StoredMessage(0, None, "user", "", new_parts, "complete"))
        messages = to_provider_messages(stored)
        if not messages or messages[-1].role != "user":
            raise ChatError(400, "empty_message", "there is no user message to answer")

        caps = resolved.provider.get_capabilities(resolved.model)
        if has_images(messages) and not caps.vision:
            raise ChatError(
                400,
                "capability_unsupported",
                f"{resolved.model} cannot read images: pick a model with vision",
            )

        params: dict[str, Any] = dict(conv.params or {}) if conv is not None else {}
        for name in _SAVED_PARAMS:
            value = getattr(body, name)
            if value is not None:
                params[name] = value
        # Thinking is asked for whenever the conversation wants it; each candidate (the chosen
        # model, then the failover chain) gets it only if its model can think (runner.py).
        effort = wanted_effort(params.get("reasoning"))
        system: str | None
        if body.system is not None:
            system = body.system
        elif conv is not None:
            system = conv.system_prompt
        else:
            system = default_system
        request = ChatRequest(
            model=resolved.model,
            messages=tuple(messages),
            system=system or None,
            temperature=params.get("temperature"),
            top_p=params.get("top_p"),
            max_tokens=params.get("max_tokens"),
            stop=tuple(params.get("stop") or ()),
            reasoning=effort,
        )
        failover_json = (
            {"chain": [f.model_dump() for f in body.failover]}
            if body.failover is not None
            else None
        )
        turn = store.NewTurn(
            user_id=user_id,
            conversation_id=conv.id if conv is not None else None,
            parent_id=target.parent_id,
            history=history_items,
            user_content=None if target.regenerate_parent_id is not None else (content or ""),
            user_parts=new_parts or None,
            regenerate_parent_id=target.regenerate_parent_id,
            provider=resolved.provider_id,
            model=resolved.model,
            system_prompt=system,
            params=params or None,
            failover=failover_json,
            set_system=body.system is not None,
            set_params=any(getattr(body, n) is not None for n in _SAVED_PARAMS),
            set_failover=body.failover is not None,
        )  # fmt: skip
        ids = await self.writer.run(lambda s: store.create_turn(s, turn))
        gen = Generation(
            message_id=ids.assistant_message_id,
            conversation_id=ids.conversation_id,
            user_id=user_id,
            user_message_id=ids.user_message_id,
            provider=resolved.provider_id,
            model=resolved.model,
            started_with=(resolved.provider_id, resolved.model),
        )
        gen.push(
            encode(
                StreamStart(
                    conversation_id=ids.conversation_id,
                    user_message_id=ids.user_message_id,
                    assistant_message_id=ids.assistant_message_id,
                    provider=resolved.provider_id,
                    model=resolved.model,
                )
            )
        )
        candidates = [
            Candidate(resolved.provider, resolved.provider_id, resolved.model, resolved.key_source),
            *chain,
        ]
        if effort is not None:
            candidates = [
                replace(c, reasoning=model_reasons(c.provider, c.model)) for c in candidates
            ]
        needs_title = ids.created_conversation or (conv is not None and not conv.title)
        title_source = (content or "") if needs_title else None
        self.hub.start(
            gen,
            self._run(gen, request, candidates, prompt_chars(messages, system), t0, title_source),
        )
        return gen

    async def _run(
        self,
        gen: Generation,
        request: ChatRequest,
        candidates: list[Candidate],
        chars: int,
        t0: float,
        title_source: str | None,
    ) -> Outcome:
        outcome = await run_generation(
            gen, request, candidates, self._finalize, prompt_chars=chars, t0=t0
        )
        if self.limits is not None:
            try:
                await self.limits.record(
                    gen.user_id, outcome.tokens.input_tokens + outcome.tokens.output_tokens
                )
            except Exception:
                log.warning("quota accounting failed", exc_info=True)
        if title_source is not None:
            answered = next((c for c in candidates if c.provider_id == outcome.provider), None)
            self._spawn(
                self._title(gen.user_id, gen.conversation_id, title_source, outcome, answered)
            )
        return outcome

    async def _record_rejected_key(self, user_id: int, rejected: RejectedKey) -> None:
        """A key refused while chatting turns its provider card red, as a failed test would:
        the user's own key for them, a shared key for everyone."""
        owner = user_id if rejected.key_source == "user" else None
        try:
            await self.writer.run(
                lambda c: store.record_key_rejected(
                    c, owner, rejected.provider_id, rejected.message
                )
            )
        except Exception:
            log.warning("recording the rejected %s key failed", rejected.provider_id, exc_info=True)

    async def _finalize(self, gen: Generation, outcome: Outcome) -> None:
        parts: list[StoredPart] = []
        if outcome.thinking:
            parts.append(thinking_part(outcome.thinking, outcome.thinking_ms))
        if outcome.text:
            parts.append(StoredText(text=outcome.text))
        parts.extend(part_to_stored(c) for c in outcome.tool_calls)
        write = store.FinalWrite(
            message_id=gen.message_id,
            conversation_id=gen.conversation_id,
            user_id=gen.user_id,
            status=outcome.status,
            content=outcome.text,
            parts=dump_parts(parts),
            error=None if outcome.error is None else outcome.error.stored(),
            provider=outcome.provider,
            model=outcome.model,
            input_tokens=outcome.tokens.input_tokens,
            output_tokens=outcome.tokens.output_tokens,
            tokens_estimated=outcome.tokens.estimated,
            cost=None if outcome.cost is None else float(outcome.cost),
            ttft_ms=None if outcome.ttft_ms is None else round(outcome.ttft_ms),
            duration_ms=round(outcome.duration_ms),
            conversation_changed=(outcome.provider, outcome.model) != gen.started_with,
        )
        await self.writer.run(lambda s: store.finalize(s, write))
        # Before the closing frames: a client that reads the end of the answer and then opens
        # Settings must already see the refused key's card red.
        for rejected in outcome.rejected_keys:
            await self._record_rejected_key(gen.user_id, rejected)

    async def _title(
        self,
        user_id: int,
        conv_id: int,
        user_text: str,
        outcome: Outcome,
        cand: Candidate | None,
    ) -> None:
        title = first_words(user_text)
        if self.options.titles == "generate" and cand is not None and outcome.status == "complete":
            provider, model = await self._title_model(user_id, cand)
            title, usage = await generate_title(provider, model, user_text, outcome.text)
            if usage is not None:
                # Titles are paid for too: the month's usage must include them.
                tokens = settle_tokens(usage, 0, "")
                cost = await compute_cost(cand.provider_id, model, tokens, usage)
                extra = store.ExtraUsage(
                    user_id,
                    conv_id,
                    cand.provider_id,
                    model,
                    tokens,
                    None if cost is None else float(cost),
                )
                await self.writer.run(lambda c: store.record_extra_usage(c, extra))

        await self.writer.run(lambda c: store.set_title_if_missing(c, conv_id, title))

    async def _title_model(self, user_id: int, cand: Candidate) -> tuple[BaseProvider, str]:
        """A cheap, fast model of the provider that answered (e.g. Haiku for Claude) when key
        management offers one; else the model that answered."""
        pick = getattr(self.access, "resolve_title_provider", None)
        if pick is None:
            return cand.provider, cand.model
        try:
            async with self.sessionmaker() as session:
                found = await pick(session, user_id, prefer=cand.provider_id)
        except Exception:
            log.info("no title model; using the answering one", exc_info=True)
            return cand.provider, cand.model
        if found is None or found.provider_id != cand.provider_id:
            return cand.provider, cand.model
        return found.provider, str(found.model)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None
    ) -> Resolved:
        try:
            resolved: Resolved = await self.access.resolve(session, user_id, model, provider)
        except ProviderError as error:
            raise from_provider(error) from None
        return resolved

    async def _target(self, session: AsyncSession, user_id: int, body: ChatBody) -> _Target:
        """Where the new turn goes: a new conversation, the active branch, beside an edited
        user message, or beside a regenerated answer."""
        if body.edit_message_id is not None and body.regenerate_message_id is not None:
            raise ChatError(
                400,
                "invalid_request",
                "edit_message_id and regenerate_message_id exclude each other",
            )
        anchor_id = body.edit_message_id or body.regenerate_message_id
        if anchor_id is None and body.conversation_id is None:
            if body.content is None and not body.messages and not body.attachments:
                raise ChatError(400, "empty_message", "send `content`, `messages` or `attachments`")
            return _Target(None, [], None, None)
        if body.messages:
            raise ChatError(
                400,
                "invalid_request",
                "`messages` starts a new conversation; with an existing one send `content`",
            )
        anchor: Message | None = None
        if anchor_id is not None:
            anchor = await session.get(Message, anchor_id)
            if anchor is None:
                raise not_found("message")
            conv_id = anchor.conversation_id
            if body.conversation_id is not None and body.conversation_id != conv_id:
                raise not_found("message")
        else:
            assert body.conversation_id is not None
            conv_id = body.conversation_id
        conv = await store.get_conversation(session, user_id, conv_id)
        messages = await store.conversation_messages(session, conv.id)
        if body.regenerate_message_id is not None:
            assert anchor is not None
            if anchor.role != "assistant" or anchor.parent_id is None:
                raise ChatError(400, "invalid_request", "only an answer can be regenerated")
            live = self.hub.get(anchor.id)
            if live is not None and not live.finished:
                raise ChatError(409, "still_streaming", "stop this answer before regenerating it")
            return _Target(conv, store.path_to(messages, anchor.parent_id), None, anchor.parent_id)
        if body.edit_message_id is not None:
            assert anchor is not None
            if anchor.role != "user":
                raise ChatError(400, "invalid_request", "only a user message can be edited")
            return _Target(conv, store.path_to(messages, anchor.parent_id), anchor.parent_id, None)
        return _Target(
            conv, store.path_to(messages, conv.active_leaf_id), conv.active_leaf_id, None
        )

    async def _failover(
        self,
        session: AsyncSession,
        user_id: int,
        body: ChatBody,
        conv: Conversation | None,
        primary: Resolved,
    ) -> list[Candidate]:
        """The failover chain as candidates; targets not usable by this user are skipped."""
        if body.failover is not None:
            pairs = [(f.provider, f.model) for f in body.failover]
        elif conv is not None and conv.failover and isinstance(conv.failover.get("chain"), list):
            pairs = [
                (str(f.get("provider")), str(f.get("model")))
                for f in conv.failover["chain"]
                if isinstance(f, dict)
            ]
        else:
            pairs = list(self.options.failover)
        out: list[Candidate] = []
        for provider, model in pairs:
            if provider == primary.provider_id:
                continue
            try:
                r = await self._resolve(session, user_id, model, provider)
            except AppError as error:
                log.info("failover target %s/%s unusable: %s", provider, model, error.code)
                continue
            out.append(Candidate(r.provider, r.provider_id, r.model, r.key_source))
        return out

    # -- following, stopping ----------------------------------------------------------------------

    async def owned_message(self, session: AsyncSession, user_id: int, message_id: int) -> Message:
        msg = await session.get(Message, message_id)
        if msg is None:
            raise not_found("message")
        await store.get_conversation(session, user_id, msg.conversation_id)
        return msg

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
            msg = await self.owned_message(session, user_id, message_id)
            status = msg.status
        if status != "streaming" or self.bridge is None:
            return False, status
        await self.bridge.publish_stop(message_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.stop_wait_s
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            async with self.sessionmaker() as session:
                status = (
                    await session.execute(select(Message.status).where(Message.id == message_id))
                ).scalar_one()
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
            msg = await self.owned_message(session, user_id, message_id)
        if msg.role != "assistant":
            raise ChatError(400, "invalid_request", "only an answer can be followed")
        if msg.status == "streaming" and self.bridge is not None:
            remote = await self.bridge.remote_frames(message_id)
            if remote is not None:
                return remote
        return _single(saved_frames(msg))


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
            encode(
                StreamError(
                    **error.model_dump(exclude={"provider"}),
                    provider=error.provider or msg.provider,
                    message_id=msg.id,
                    status=status,
                )
            )
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


def _user_parts(content: str | None, body: ChatBody) -> list[StoredPart]:
    """The new user turn's stored parts: its text, then images, then files (the history
    puts files before the text when it sends them, see `chat/history.py`)."""
    parts: list[StoredPart] = []
    if content is not None and content.strip():
        parts.append(part_to_stored(TextPart(content)))
    attachments = body.attachments or []
    for a in attachments:
        if isinstance(a, Attachment):
            parts.append(part_to_stored(ImagePart(a.media_type, a.data)))
    for a in attachments:
        if isinstance(a, FileAttachment):
            parts.append(StoredFile(name=a.name, media_type=a.media_type, text=a.text))
    if not parts:
        raise ChatError(400, "empty_message", "the message is empty")
    return parts
