"""Finishing a generation: what happens once per answer, around the runner.

`Finisher.run` is the coroutine the hub runs for each answer: the runner streams it
(`runner.py`), then the final write saves it (one writer batch: message, usage row,
conversation), refused keys turn their provider card red, the daily quota counts its tokens,
and a new conversation gets its title in the background (a cheap model's, or its first words).
Nothing here runs per chunk.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from polychat.chat import store
from polychat.chat.cost import compute_cost, settle_tokens
from polychat.chat.history import part_to_stored, thinking_part
from polychat.chat.hub import Generation
from polychat.chat.options import ChatOptions
from polychat.chat.parts import StoredPart, StoredText, dump_parts
from polychat.chat.planning import TurnPlan
from polychat.chat.ports import Access, Limits
from polychat.chat.runner import Candidate, Outcome, RejectedKey, run_generation
from polychat.chat.titles import first_words, generate_title
from polychat.chat.writer import ChatWriter
from polychat.providers.base import BaseProvider

log = logging.getLogger(__name__)


class Finisher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        access: Access,
        writer: ChatWriter,
        options: ChatOptions,
        limits: Limits | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.access = access
        self.writer = writer
        self.options = options
        self.limits = limits
        self._background: set[asyncio.Task[Any]] = set()

    async def close(self) -> None:
        """Give titles still being written a moment to land."""
        if self._background:
            await asyncio.wait(self._background, timeout=5)

    async def run(
        self, gen: Generation, plan: TurnPlan, t0: float, title_source: str | None
    ) -> Outcome:
        """Stream the answer, save it, count it; `title_source` set: title the conversation."""
        outcome = await run_generation(
            gen,
            plan.request,
            plan.candidates,
            self.finalize,
            prompt_chars=plan.prompt_chars,
            t0=t0,
        )
        if self.limits is not None:
            try:
                await self.limits.record(
                    gen.user_id, outcome.tokens.input_tokens + outcome.tokens.output_tokens
                )
            except Exception:
                log.warning("quota accounting failed", exc_info=True)
        if title_source is not None:
            answered = next((c for c in plan.candidates if c.provider_id == outcome.provider), None)
            self._spawn(
                self._title(gen.user_id, gen.conversation_id, title_source, outcome, answered)
            )
        return outcome

    async def finalize(self, gen: Generation, outcome: Outcome) -> None:
        """The final write, before the closing frames are sent (the runner awaits it)."""
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

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
