"""`/api/chat`: send a turn (streamed or not), stop an answer, re-attach to one.

The streaming response only *subscribes* to a generation the chat service runs in its own
task: a client that disconnects stops reading, never the generation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from polychat.api.deps import CurrentUser, SessionDep
from polychat.api.errors import ApiError, error_responses
from polychat.chat.events import ChatEvent
from polychat.chat.hub import Generation
from polychat.chat.runner import Outcome
from polychat.chat.schemas import ChatBody, ChatResult, StopResult, UsageOut
from polychat.chat.service import ChatService
from polychat.chat.sse_response import SSEResponse
from polychat.db.models import User

router = APIRouter(prefix="/api/chat", tags=["chat"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

SSE_DOC = """Server-Sent Events, each `event: <name>` + one `data: <json>` line. Typed by the
`ChatEvent` schema (one model per event, told apart by `event`: the `event:` line; the other
fields are the `data:` JSON):

- `start` `{conversation_id, user_message_id, assistant_message_id, provider, model}`
- `thinking` `{text}` — pieces of the model's visible reasoning (when asked for and the model
  can think), usually all before the first `delta`
- `delta` `{text}` — many
- `failover` `{from_provider, from_model, provider, model, code}` — the chosen provider failed
  before answering and the next of the failover chain took over
- `usage` `{input_tokens, output_tokens, estimated, cost_usd}` — once, before the end
- `error` `{code, message, provider, retryable, retry_after, message_id, status}` — the
  answer ended badly (partial text is kept: `status` is `error`, `stopped` or `interrupted`)
- `done` `{finish_reason, status, usage, provider, model, message_id, conversation_id,
  ttft_ms, duration_ms}` — always last; `provider`/`model` say who actually answered
"""

_SSE_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"description": SSE_DOC}}


class _EventStreamSchema(JSONResponse):
    """Documentation only (the routes return an `SSEResponse`): with it as `response_class`,
    FastAPI writes the `response_model` (`ChatEvent`) as the `text/event-stream` schema."""

    media_type = "text/event-stream"


def get_chat(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat
    return service


def _custom_instructions(user: User) -> str | None:
    """The user's custom instructions (read from the row auth already loaded), or None."""
    value = (user.preferences or {}).get("custom_instructions")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


async def _begin(
    request: Request, user_id: int, body: ChatBody, t0: float, default_system: str | None
) -> Generation:
    """Shielded: once the request is accepted, a client vanishing mid-way cannot leave a
    half-created turn behind; the turn is committed and the answer generated regardless."""
    service = get_chat(request)
    task = asyncio.ensure_future(service.begin(user_id, body, t0, default_system=default_system))
    return await asyncio.shield(task)


def _stream(frames: AsyncIterator[bytes]) -> SSEResponse:
    return SSEResponse(frames, headers=SSE_HEADERS)


@router.post(
    "/stream",
    response_class=_EventStreamSchema,
    response_model=ChatEvent,
    status_code=200,
    responses={**_SSE_RESPONSE, **error_responses(400, 401, 403, 404, 409, 422, 429, 503)},
    summary="Send a message and stream the answer (SSE)",
)
async def chat_stream(
    body: ChatBody, request: Request, user: CurrentUser, session: SessionDep
) -> SSEResponse:
    t0 = time.monotonic()
    user_id = user.id
    instructions = _custom_instructions(user)
    await session.close()  # hand the connection back now, not after the whole stream
    gen = await _begin(request, user_id, body, t0, instructions)
    return _stream(gen.subscribe())


def _result(gen: Generation, outcome: Outcome) -> ChatResult:
    return ChatResult(
        conversation_id=gen.conversation_id,
        user_message_id=gen.user_message_id,
        assistant_message_id=gen.message_id,
        provider=outcome.provider,
        model=outcome.model,
        status=outcome.status,
        finish_reason=outcome.finish_reason,
        content=outcome.text,
        thinking=outcome.thinking or None,
        usage=UsageOut(
            input_tokens=outcome.tokens.input_tokens,
            output_tokens=outcome.tokens.output_tokens,
            estimated=outcome.tokens.estimated,
            cost_usd=None if outcome.cost is None else float(outcome.cost),
        ),
        error=outcome.error,
    )


_ERROR_STATUS = {"rate_limited": 429, "timeout": 504, "overloaded": 503, "unavailable": 503}


@router.post(
    "",
    response_model=ChatResult,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 502, 503),
    summary="Send a message and wait for the whole answer",
)
async def chat(
    body: ChatBody, request: Request, user: CurrentUser, session: SessionDep
) -> ChatResult:
    """The same as the stream, answered in one JSON body. A provider failure is a 502 (429 /
    503 / 504 when the provider said so) whose `details` name the saved messages."""
    t0 = time.monotonic()
    user_id = user.id
    instructions = _custom_instructions(user)
    await session.close()
    gen = await _begin(request, user_id, body, t0, instructions)
    runner = gen.runner
    assert runner is not None
    outcome: Outcome = await asyncio.shield(runner)
    if outcome.status == "error" and outcome.error is not None:
        err = outcome.error
        headers = None
        if err.retry_after:
            headers = {"Retry-After": str(max(1, round(err.retry_after)))}
        raise ApiError(
            _ERROR_STATUS.get(err.code, 502),
            err.code,
            err.message,
            details={
                "provider": err.provider,
                "retryable": err.retryable,
                "conversation_id": gen.conversation_id,
                "user_message_id": gen.user_message_id,
                "assistant_message_id": gen.message_id,
                "partial_content": outcome.text,
            },
            headers=headers,
        )
    return _result(gen, outcome)


@router.post(
    "/{message_id}/stop",
    response_model=StopResult,
    responses=error_responses(401, 404),
    summary="Stop an answer being generated (in this process or, with Redis, any other)",
)
async def stop(
    message_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> StopResult:
    user_id = user.id
    await session.close()
    stopped, status = await get_chat(request).stop(user_id, message_id)
    return StopResult(message_id=message_id, stopped=stopped, status=status)


@router.get(
    "/{message_id}/stream",
    response_class=_EventStreamSchema,
    response_model=ChatEvent,
    status_code=200,
    responses={**_SSE_RESPONSE, **error_responses(400, 401, 404)},
    summary="Re-attach to an answer: replay the text so far, then follow it live",
)
async def follow(
    message_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> SSEResponse:
    user_id = user.id
    await session.close()
    frames = await get_chat(request).follow(user_id, message_id)
    return _stream(frames)
