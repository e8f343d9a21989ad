"""A wire-faithful fake of Mistral's chat API (`/v1/chat/completions`, `/v1/models`).

Byte layout follows the protocol reference §4: data-only SSE ending in `data: [DONE]`, 32-hex
ids, tool calls whole in one delta with nine-character ids, usage on the finish chunk. It
validates requests the way Mistral does: any unknown field is a 422 `extra_forbidden`, and a
tool-call id that is not exactly nine `[A-Za-z0-9]` characters is a 400, and so is a history
Mistral will not serve (`message_problem`: unanswered calls, `user` right after `tool`, an
empty assistant message, an assistant message last).

Reasoning: Magistral models (`magistral-*`) always think; a reply's `Reply.thinking` streams
first as content arrays `[{"type": "thinking", "thinking": [{"type": "text", "text": …}]}]`
(the captured magistral transcript), the answer after it as plain string content. Other models
never think, whatever the reply says, as on the real API.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import string
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.script import Failure, Reply, ToolCallScript
from tests.fakes.server import CutConnection, FakeServer, FakeState, tracked

# Top-level request fields of Mistral's chat schema; anything else is 422 extra_forbidden.
REQUEST_FIELDS = frozenset(
    {
        "model", "messages", "temperature", "top_p", "max_tokens", "stream", "stop",
        "random_seed", "metadata", "response_format", "tools", "tool_choice",
        "presence_penalty", "frequency_penalty", "n", "prediction", "parallel_tool_calls",
        "reasoning_effort", "prompt_mode", "guardrails", "prompt_cache_key", "safe_prompt",
        "service_tier", "min_tokens", "repetition_penalty", "top_k", "logprobs",
        "top_logprobs", "prompt_logprobs", "top_prompt_logprobs",
    }
)  # fmt: skip
MESSAGE_FIELDS = {
    "system": frozenset({"role", "content"}),
    "user": frozenset({"role", "content"}),
    "assistant": frozenset({"role", "content", "tool_calls", "prefix"}),
    "tool": frozenset({"role", "content", "tool_call_id", "name"}),
}
MID_STREAM = (Failure.ERROR_MID_STREAM, Failure.CUT_MID_STREAM, Failure.MALFORMED_CHUNK)
TOOL_ID = re.compile(r"[A-Za-z0-9]{9}")
MODELS: list[dict[str, Any]] = [
    {"id": "mistral-large-latest", "name": "mistral-large-2512", "vision": True, "chat": True},
    {"id": "mistral-medium-latest", "name": "mistral-medium-2508", "vision": True, "chat": True},
    {"id": "mistral-small-latest", "name": "mistral-small-2506", "vision": True, "chat": True},
    {"id": "open-mistral-7b", "name": "open-mistral-7b", "vision": False, "chat": True},
    {
        "id": "magistral-medium-latest",
        "name": "magistral-medium-2509",
        "vision": True,
        "chat": True,
        "reasoning": True,
    },
    {
        "id": "magistral-small-2509",
        "name": "magistral-small-2509",
        "vision": True,
        "chat": True,
        "reasoning": True,
    },
    {"id": "mistral-embed", "name": "mistral-embed", "vision": False, "chat": False},
]


def _error(status: int, message: Any, kind: str, code: Any = None, **headers: str) -> Response:
    body = {"object": "error", "message": message, "type": kind, "param": None, "code": code}
    return JSONResponse(body, status_code=status, headers=headers)


def failure_response(reply: Reply, model: str) -> Response | None:
    """The status-code failures, each in the shape Mistral really sends (§4e)."""
    f = reply.failure
    if f is Failure.BAD_KEY:
        return JSONResponse(
            {"message": "Unauthorized", "request_id": uuid.uuid4().hex}, status_code=401
        )
    if f is Failure.RATE_LIMIT:
        body = {
            "object": "error",
            "message": "Rate limit exceeded",
            "type": "rate_limited",
            "param": None,
            "code": "1300",
            "raw_status_code": 429,
        }
        headers = {}
        if reply.retry_after_s is not None:
            headers["retry-after"] = f"{reply.retry_after_s:g}"
        return JSONResponse(body, status_code=429, headers=headers)
    if f is Failure.QUOTA:
        # Not captured in the reference; Mistral's billing block reads like this (402).
        return _error(
            402,
            "You have exceeded your monthly quota; check your plan and billing details.",
            "invalid_request_error",
            "3505",
        )
    if f is Failure.OVERLOADED:
        return _error(503, "Service unavailable: the model is overloaded.", "service_unavailable")
    if f is Failure.SERVER_ERROR:
        return _error(500, "Internal server error", "internal_server_error")
    if f is Failure.MODEL_NOT_FOUND:
        return _error(400, f"Invalid model: {model}", "invalid_model", "1500")
    return None


def validate(body: Any) -> Response | None:
    """Mistral's own request validation: 422 for unknown fields, 400 for bad tool ids."""
    if not isinstance(body, dict):
        return _error(400, "Invalid JSON body", "invalid_request_error")
    detail: list[dict[str, Any]] = []
    for key in body:
        if key not in REQUEST_FIELDS:
            detail.append(_extra(["body", key], body[key]))
    for name in ("model", "messages"):
        if name not in body:
            detail.append(
                {"type": "missing", "loc": ["body", name], "msg": "Field required", "input": None}
            )
    for i, message in enumerate(body.get("messages") or []):
        role = message.get("role")
        allowed = MESSAGE_FIELDS.get(role)
        if allowed is None:
            detail.append(
                {"type": "union_tag_invalid", "loc": ["body", "messages", i], "msg": "bad role"}
            )
            continue
        for key in message:
            if key not in allowed:
                detail.append(_extra(["body", "messages", i, role, key], message[key]))
    if detail:
        return _error(422, {"detail": detail}, "invalid_request_error")
    for message in body["messages"]:
        ids = [c.get("id", "") for c in message.get("tool_calls") or []]
        if message.get("role") == "tool":
            ids.append(message.get("tool_call_id", ""))
        for tool_id in ids:
            if not TOOL_ID.fullmatch(str(tool_id)):
                return _error(
                    400,
                    f"Tool call id was {tool_id} but must be a-z, A-Z, 0-9, with a length of 9.",
                    "invalid_request_error",
                )
    return message_problem(body["messages"])


def message_problem(messages: list[dict[str, Any]]) -> Response | None:
    """Mistral's history rules, as its 400s: tool calls answered one for one by the `tool`
    messages right after them, roles in an order it serves (no `user` right after `tool`, no
    `tool` but after a call or another result, a user or tool turn last), and an assistant
    message with content or tool calls."""
    calls, answered, previous = 0, 0, "system"
    for message in messages:
        role = str(message.get("role"))
        if role == "tool" and previous not in ("assistant", "tool"):
            return _order_error(role, previous)
        if (role != "tool" and calls != answered) or (role == "tool" and answered == calls):
            return _error(400, "Not the same number of function calls and responses",
                          "invalid_request_error")  # fmt: skip
        if role == "assistant":
            if message.get("content") is None and not message.get("tool_calls"):
                return _error(
                    400,
                    "Assistant message must have either content or tool_calls, but not none.",
                    "invalid_request_error",
                )
            calls, answered = len(message.get("tool_calls") or []), 0
        elif role == "tool":
            answered += 1
        elif role == "user" and previous == "tool":
            return _order_error(role, previous)
        previous = role
    last = messages[-1] if messages else {}
    if last.get("role") == "assistant" and not last.get("prefix"):
        return _error(
            400,
            "Expected last role User or Tool (or Assistant with prefix True) for serving but got"
            " assistant",
            "invalid_request_error",
        )
    return None


def _order_error(role: str, previous: str) -> Response:
    message = f"Unexpected role '{role}' after role '{previous}'"
    return _error(400, message, "invalid_request_message_order", "3230")


def _extra(loc: list[Any], value: Any) -> dict[str, Any]:
    msg = "Extra inputs are not permitted"
    return {"type": "extra_forbidden", "loc": loc, "msg": msg, "input": value}


def _tool_id(script: ToolCallScript) -> str:
    if script.id is not None:
        return script.id
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(9))


def _tool_calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": _tool_id(t),
            "function": {"name": t.name, "arguments": json.dumps(t.arguments)},
            "index": i,
        }
        for i, t in enumerate(reply.tool_calls)
    ]


def _usage(reply: Reply) -> dict[str, int]:
    total = reply.input_tokens + reply.output_tokens
    return {
        "prompt_tokens": reply.input_tokens,
        "total_tokens": total,
        "completion_tokens": reply.output_tokens,
    }


def thinks(model: str) -> bool:
    return model.startswith("magistral")


def _thinking_chunk(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


def completion(reply: Reply, model: str) -> dict[str, Any]:
    calls = _tool_calls(reply)
    content: str | list[dict[str, Any]] = reply.text
    if thinks(model) and reply.thinking:
        content = [_thinking_chunk(reply.thinking), {"type": "text", "text": reply.text}]
    finish = "tool_calls" if calls else "stop"
    if reply.failure is Failure.ERROR_MID_STREAM:
        finish = "error"
    return {
        "id": uuid.uuid4().hex,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "tool_calls": calls or None,
                },
            }
        ],
        "usage": {**_usage(reply), "prompt_tokens_details": {"cached_tokens": 0}},
    }


async def sse_body(reply: Reply, model: str) -> AsyncIterator[bytes]:
    head = {
        "id": uuid.uuid4().hex,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def event(delta: dict[str, Any], finish: str | None = None, usage: bool = False) -> bytes:
        chunk = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if usage:
            chunk["usage"] = _usage(reply)
        return f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n".encode()

    yield event({"role": "assistant", "content": ""})
    for n, thought in enumerate(reply.thinking_pieces() if thinks(model) else []):
        if reply.chunk_delay_s and n:
            await asyncio.sleep(reply.chunk_delay_s)
        yield event({"content": [_thinking_chunk(thought)]})
    for n, piece in enumerate(reply.text_chunks()):
        if reply.failure in MID_STREAM and n == reply.chunks_before_failure:
            if reply.failure is Failure.ERROR_MID_STREAM:
                yield event({"content": ""}, "error", usage=True)
                yield b"data: [DONE]\n\n"
                return
            if reply.failure is Failure.MALFORMED_CHUNK:
                yield b'data: {"id":"' + head["id"].encode() + b'","choices":[{"delta":\n\n'
                return
            raise CutConnection
        if reply.chunk_delay_s:
            await asyncio.sleep(reply.chunk_delay_s)
        yield event({"content": piece})
    calls = _tool_calls(reply)
    if calls:
        yield event({"tool_calls": calls}, "tool_calls", usage=True)
    else:
        yield event({"content": ""}, "stop", usage=True)
    yield b"data: [DONE]\n\n"


def make_app(state: FakeState) -> Starlette:
    def authorized(request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[len("Bearer ") :] in state.valid_keys

    def unauthorized() -> Response:
        return JSONResponse({"message": "Unauthorized", "request_id": uuid.uuid4().hex}, 401)

    async def chat(request: Request) -> Response:
        rec = await state.record(request)
        if not authorized(request):
            return unauthorized()
        invalid = validate(rec.body)
        if invalid is not None:
            return invalid
        body = rec.body
        reply = state.next_reply()
        model = str(body["model"])
        if reply.failure is Failure.SLOW_FIRST_BYTE or reply.first_byte_delay_s:
            await asyncio.sleep(reply.first_byte_delay_s)
            if await request.is_disconnected():  # the client gave up: nothing to stream
                return Response(status_code=499)
        failed = failure_response(reply, model)
        if failed is not None:
            return failed
        if body.get("stream"):
            return StreamingResponse(
                tracked(state, sse_body(reply, model)), media_type="text/event-stream"
            )
        if reply.failure is Failure.MALFORMED_CHUNK:
            return Response(b'{"id": "oops", "choices": [', media_type="application/json")
        if reply.failure is Failure.CUT_MID_STREAM:

            async def cut() -> AsyncIterator[bytes]:
                yield b'{"id": "'
                raise CutConnection

            return StreamingResponse(cut(), media_type="application/json")
        return JSONResponse(completion(reply, model))

    async def models(request: Request) -> Response:
        await state.record(request)
        if not authorized(request):
            return unauthorized()
        if state.models_failure is not None:
            failed = failure_response(Reply(failure=state.models_failure), "")
            assert failed is not None
            return failed
        data = [
            {
                "id": m["id"],
                "object": "model",
                "created": 1764296393,
                "owned_by": "mistralai",
                "capabilities": {
                    "completion_chat": m["chat"],
                    "completion_fim": False,
                    "function_calling": m["chat"],
                    "fine_tuning": False,
                    "vision": m["vision"],
                    "classification": False,
                    "reasoning": m.get("reasoning", False),
                },
                "name": m["name"],
                "description": f"Fake {m['id']}",
                "max_context_length": 131072,
                "aliases": [],
                "deprecation": None,
                "default_model_temperature": 0.3,
                "type": "base",
            }
            for m in MODELS
        ]
        return JSONResponse({"object": "list", "data": data})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


class FakeMistral(FakeServer):
    def __init__(self, state: FakeState | None = None) -> None:
        state = state or FakeState()
        super().__init__(make_app(state), state)
