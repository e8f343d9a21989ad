"""Runs one generation: upstream events in, SSE frames out, one saved outcome at the end.

The runner is the only code on the token path. Per chunk it does one mapping (a `TextDelta`
into a pre-encoded `delta` frame, a `ThinkingDelta` into a `thinking` frame) and one list
append; everything else (checkpoints, the Redis mirror, the final write) happens elsewhere or
once.

Retries of the same provider before its first event belong to the provider layer
(`providers/retry.py`). Failover to the next provider of the chain happens here, and only when
the failing provider sent nothing: once text has streamed, the answer is that provider's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from polychat.chat.cost import Tokens, compute_cost, settle_tokens
from polychat.chat.errors import ErrorRecord
from polychat.chat.events import StreamDone, StreamError, StreamFailover, StreamUsage
from polychat.chat.hub import FinalStatus, Generation
from polychat.chat.schemas import UsageOut
from polychat.chat.sse import delta_frame, encode, thinking_frame
from polychat.providers.base import (
    BaseProvider,
    ChatRequest,
    FinishEvent,
    ProviderError,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
    ToolCallPart,
    Usage,
    UsageEvent,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A provider able to answer: the chosen one first, then the failover chain."""

    provider: BaseProvider
    provider_id: str
    model: str
    # Whose key it uses: a rejected key marks that key's provider status (user or shared).
    key_source: str = "none"
    # The model is known to think when asked (`ModelInfo.reasoning`): only then does it get
    # the request's `reasoning`; any other model answers without a thinking parameter.
    reasoning: bool = False


@dataclass(frozen=True, slots=True)
class RejectedKey:
    """A provider that refused its key during this answer (also one failed over from)."""

    provider_id: str
    key_source: str
    message: str


@dataclass(slots=True)
class Outcome:
    """Everything the final write needs; also what `POST /api/chat` returns."""

    message_id: int
    status: FinalStatus
    text: str
    provider: str
    model: str
    finish_reason: str | None
    error: ErrorRecord | None
    tokens: Tokens
    cost: Decimal | None
    ttft_ms: float | None
    duration_ms: float
    tool_calls: list[ToolCallPart] = field(default_factory=list)
    rejected_keys: list[RejectedKey] = field(default_factory=list)
    thinking: str = ""  # the model's visible reasoning, kept apart from `text`
    thinking_ms: int | None = None  # first thinking piece -> first text (or the end)


Finalizer = Callable[[Generation, Outcome], Awaitable[None]]


@dataclass(slots=True)
class _Progress:
    usage: Usage | None = None
    finish: FinishEvent | None = None
    ttft: float | None = None
    tool_calls: list[ToolCallPart] = field(default_factory=list)
    answered: Candidate | None = None
    rejected_keys: list[RejectedKey] = field(default_factory=list)


async def _consume(
    gen: Generation, request: ChatRequest, candidates: list[Candidate], p: _Progress, t0: float
) -> None:
    last = len(candidates) - 1
    for i, cand in enumerate(candidates):
        if i:
            gen.provider, gen.model = cand.provider_id, cand.model
        effort = request.reasoning if cand.reasoning else None
        stream = cand.provider.stream_message(replace(request, model=cand.model, reasoning=effort))
        sent_any = False
        try:
            async for ev in stream:
                sent_any = True
                if type(ev) is TextDelta:
                    if p.ttft is None:
                        now = time.monotonic()
                        p.ttft = now - t0
                        gen.text_started = now
                    gen.push_text(ev.text, delta_frame(ev.text))
                elif type(ev) is ThinkingDelta:
                    if gen.thinking_started is None:
                        gen.thinking_started = time.monotonic()
                    gen.push_thinking(ev.text, thinking_frame(ev.text))
                elif type(ev) is UsageEvent:
                    p.usage = ev.usage
                elif type(ev) is FinishEvent:
                    p.finish = ev
                    if ev.usage is not None:
                        p.usage = ev.usage
                elif type(ev) is ToolCallEnd:
                    p.tool_calls.append(ev.call)
            p.answered = cand
            return
        except ProviderError as error:
            if error.code == "auth_failed":
                p.rejected_keys.append(
                    RejectedKey(cand.provider_id, cand.key_source, error.message)
                )
            if sent_any or i == last:
                p.answered = cand
                raise
            nxt = candidates[i + 1]
            log.warning(
                "%s failed before answering (%s); failing over to %s",
                cand.provider_id,
                error.code,
                nxt.provider_id,
            )
            gen.push(
                encode(
                    StreamFailover(
                        from_provider=cand.provider_id,
                        from_model=cand.model,
                        provider=nxt.provider_id,
                        model=nxt.model,
                        code=error.code,
                    )
                )
            )
        finally:
            await stream.aclose()  # type: ignore[attr-defined]


async def run_generation(
    gen: Generation,
    request: ChatRequest,
    candidates: list[Candidate],
    finalize: Finalizer,
    *,
    prompt_chars: int,
    t0: float,
) -> Outcome:
    """Drive the stream to its end (complete, stopped, error or interrupted), save it through
    `finalize`, then send the closing frames. Returns the saved outcome."""
    p = _Progress()
    consumer = asyncio.get_running_loop().create_task(_consume(gen, request, candidates, p, t0))
    gen.consumer = consumer
    status: FinalStatus = "complete"
    error: ErrorRecord | None = None
    try:
        await consumer
    except asyncio.CancelledError:
        if gen.stop_reason is None:  # our own task was cancelled: the process is going down
            gen.stop_reason = "shutdown"
        status = "stopped" if gen.stop_reason == "user" else "interrupted"
    except ProviderError as exc:
        status, error = "error", ErrorRecord.from_provider(exc)
    except Exception as exc:  # a bug must still leave a saved, marked message
        log.exception("generation %s failed", gen.message_id)
        status = "error"
        error = ErrorRecord(
            code="internal_error",
            message=f"the answer failed unexpectedly ({type(exc).__name__})",
            provider=gen.provider,
            retryable=True,
        )
    ended = time.monotonic()
    text = gen.text_so_far
    thinking = gen.thinking_so_far
    finish_reason = p.finish.reason if status == "complete" and p.finish is not None else status
    if status == "complete" and p.finish is None:
        finish_reason = "stop"
    # Reasoning is paid for as output: an estimate (no counts reported) must include it.
    tokens = settle_tokens(p.usage, prompt_chars, thinking + text)
    cost = await compute_cost(gen.provider, gen.model, tokens, p.usage)
    outcome = Outcome(
        message_id=gen.message_id,
        status=status,
        text=text,
        provider=gen.provider,
        model=gen.model,
        finish_reason=finish_reason,
        error=error,
        tokens=tokens,
        cost=cost,
        ttft_ms=None if p.ttft is None else round(p.ttft * 1000, 3),
        duration_ms=round((ended - t0) * 1000, 3),
        tool_calls=p.tool_calls,
        rejected_keys=p.rejected_keys,
        thinking=thinking,
        thinking_ms=gen.thinking_ms(ended),
    )
    try:
        await finalize(gen, outcome)
    except Exception:
        log.exception("saving answer %s failed", gen.message_id)
    usage = UsageOut(
        input_tokens=tokens.input_tokens,
        output_tokens=tokens.output_tokens,
        estimated=tokens.estimated,
        cost_usd=None if cost is None else float(cost),
    )
    gen.push(encode(StreamUsage(**usage.model_dump())))
    if error is not None:
        gen.push(
            encode(
                StreamError.of(
                    error, provider=gen.provider, message_id=gen.message_id, status=status
                )
            )
        )
    gen.finish(
        status,
        encode(
            StreamDone(
                finish_reason=finish_reason,
                status=status,
                usage=usage,
                provider=gen.provider,
                model=gen.model,
                message_id=gen.message_id,
                conversation_id=gen.conversation_id,
                ttft_ms=outcome.ttft_ms,
                duration_ms=outcome.duration_ms,
            )
        ),
    )
    return outcome
