"""A wire-faithful fake of Ollama's native API (`/api/chat`, `/api/tags`, `/api/version`).

Byte layout follows the protocol reference §6: NDJSON (`application/x-ndjson`), one object
per line, streaming unless the request says `"stream": false`, a final `done: true` line with
`done_reason` and `prompt_eval_count` / `eval_count`, tool calls whole with argument objects
and `done_reason: "stop"`, errors as `{"error": "..."}` (also as a line inside a 200 stream).
Requests are checked for Ollama's shape: a model, known roles, string content, images as raw
base64 strings without a `data:` prefix, tool-call arguments as objects, options as an object.

Thinking: with `think` (true, or an effort string) a thinking model (`THINKING_MODELS`)
streams `Reply.thinking` first as `message.thinking` pieces with empty content; any other model
answers 400 `"<model>" does not support thinking`, as Ollama's chat handler does. Without
`think` no thinking is sent.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
import string
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.script import Failure, Reply
from tests.fakes.server import CutConnection, FakeServer, FakeState, tracked

NDJSON = "application/x-ndjson"
MID_STREAM = (Failure.ERROR_MID_STREAM, Failure.CUT_MID_STREAM, Failure.MALFORMED_CHUNK)
ROLES = frozenset({"system", "user", "assistant", "tool"})
TAGS: list[dict[str, Any]] = [
    {"model": "llama3.2:latest", "family": "llama", "families": ["llama"], "size": "3.2B"},
    {"model": "llava:latest", "family": "llama", "families": ["llama", "clip"], "size": "7B"},
    {
        "model": "mistral-small3.2:latest",
        "family": "mistral3",
        "families": ["mistral3"],
        "size": "24B",
    },
    {"model": "qwen3:8b", "family": "qwen3", "families": ["qwen3"], "size": "8.2B"},
    {"model": "deepseek-r1:8b", "family": "qwen3", "families": ["qwen3"], "size": "8.2B"},
    {
        "model": "nomic-embed-text:latest",
        "family": "nomic-bert",
        "families": ["nomic-bert"],
        "size": "137M",
    },
]


# Models whose template has a thinking section (`ollama show` lists the "thinking" capability).
THINKING_MODELS = frozenset({"qwen3", "deepseek-r1", "gpt-oss", "magistral", "qwq"})


def can_think(model: str) -> bool:
    return model.split(":", 1)[0] in THINKING_MODELS


def wants_thinking(body: Any) -> bool:
    think = body.get("think") if isinstance(body, dict) else None
    return think is True or think in ("low", "medium", "high")


def error(status: int, message: str, **headers: str) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def failure_response(reply: Reply, model: str) -> Response | None:
    f = reply.failure
    if f is Failure.BAD_KEY:  # only ollama.com has keys; a local server never answers this
        return JSONResponse(
            {"error": "unauthorized", "signin_url": "https://ollama.com/connect?name=fake"},
            status_code=401,
        )
    if f is Failure.RATE_LIMIT:
        headers = {"retry-after": f"{reply.retry_after_s:g}"} if reply.retry_after_s else {}
        return error(429, "too many requests", **headers)
    if f is Failure.QUOTA:
        return error(429, "you have reached your weekly usage limit, upgrade for higher limits")
    if f is Failure.OVERLOADED:
        return error(503, "server busy, please try again.  maximum pending requests exceeded")
    if f is Failure.SERVER_ERROR:
        return error(500, "llama runner process has terminated: exit status 2")
    if f is Failure.MODEL_NOT_FOUND:
        return error(404, f"model '{model}' not found")
    return None


def validate(body: Any) -> Response | None:
    """The checks Ollama's Go handler makes (it ignores unknown fields, but not bad types)."""
    if not isinstance(body, dict):
        return error(400, "invalid character in request body")
    if not body.get("model"):
        return error(400, "model is required")
    if "stream" in body and not isinstance(body["stream"], bool):
        return error(400, "json: cannot unmarshal into Go struct field ChatRequest.stream")
    if "options" in body and not isinstance(body["options"], dict):
        return error(400, "json: cannot unmarshal into Go struct field ChatRequest.options")
    think = body.get("think")
    if think is not None and not (isinstance(think, bool) or think in ("low", "medium", "high")):
        return error(400, f"invalid think value: {json.dumps(think)}")
    if wants_thinking(body) and not can_think(str(body["model"])):
        return error(400, f"{json.dumps(str(body['model']))} does not support thinking")
    for message in body.get("messages") or []:
        if message.get("role") not in ROLES:
            return error(400, f"invalid role: {message.get('role')}")
        if not isinstance(message.get("content", ""), str):
            return error(400, "json: cannot unmarshal array into Go struct field Message.content")
        for image in message.get("images") or []:
            try:
                base64.b64decode(image, validate=True)
            except (binascii.Error, ValueError, TypeError):
                return error(400, "illegal base64 data in images (send raw base64, no data: URL)")
        for call in message.get("tool_calls") or []:
            if not isinstance(call.get("function", {}).get("arguments"), dict):
                return error(
                    400, "json: cannot unmarshal string into Go struct field .arguments of type map"
                )
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _line(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def _calls(reply: Reply) -> list[dict[str, Any]]:
    alphabet = string.ascii_lowercase + string.digits
    return [
        {
            "id": t.id or "call_" + "".join(secrets.choice(alphabet) for _ in range(8)),
            "function": {"index": i, "name": t.name, "arguments": t.arguments},
        }
        for i, t in enumerate(reply.tool_calls)
    ]


def _done(reply: Reply, model: str, content: str = "") -> dict[str, Any]:
    return {
        "model": model,
        "created_at": _now(),
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
        "total_duration": 4883583458,
        "load_duration": 1334875,
        "prompt_eval_count": reply.input_tokens,
        "prompt_eval_duration": 342546000,
        "eval_count": reply.output_tokens,
        "eval_duration": 4535599000,
    }


async def ndjson_body(reply: Reply, model: str, thinking: bool = False) -> AsyncIterator[bytes]:
    for n, thought in enumerate(reply.thinking_pieces() if thinking else []):
        if reply.chunk_delay_s and n:
            await asyncio.sleep(reply.chunk_delay_s)
        message = {"role": "assistant", "content": "", "thinking": thought}
        yield _line({"model": model, "created_at": _now(), "message": message, "done": False})
    for n, piece in enumerate(reply.text_chunks()):
        if reply.failure in MID_STREAM and n == reply.chunks_before_failure:
            if reply.failure is Failure.ERROR_MID_STREAM:
                yield _line({"error": "an error was encountered while running the model"})
                return
            if reply.failure is Failure.MALFORMED_CHUNK:
                yield b'{"model":"' + model.encode() + b'","message":{"content":\n'
                return
            raise CutConnection
        if reply.chunk_delay_s:
            await asyncio.sleep(reply.chunk_delay_s)
        message = {"role": "assistant", "content": piece}
        yield _line({"model": model, "created_at": _now(), "message": message, "done": False})
    calls = _calls(reply)
    if calls:
        message = {"role": "assistant", "content": "", "tool_calls": calls}
        yield _line({"model": model, "created_at": _now(), "message": message, "done": False})
    yield _line(_done(reply, model))


def make_app(state: FakeState) -> Starlette:
    async def chat(request: Request) -> Response:
        rec = await state.record(request)
        invalid = validate(rec.body)
        if invalid is not None:
            return invalid
        model = str(rec.body["model"])
        reply = state.next_reply()
        if reply.failure is Failure.SLOW_FIRST_BYTE or reply.first_byte_delay_s:
            await asyncio.sleep(reply.first_byte_delay_s)
            if await request.is_disconnected():  # the client gave up: nothing to stream
                return Response(status_code=499)
        failed = failure_response(reply, model)
        if failed is not None:
            return failed
        if rec.body.get("stream", True):
            body = ndjson_body(reply, model, wants_thinking(rec.body))
            return StreamingResponse(tracked(state, body), media_type=NDJSON)
        if reply.failure is Failure.ERROR_MID_STREAM:
            return error(500, "an error was encountered while running the model")
        if reply.failure is Failure.MALFORMED_CHUNK:
            return Response(b'{"model":"x","message":', media_type="application/json")
        if reply.failure is Failure.CUT_MID_STREAM:

            async def cut() -> AsyncIterator[bytes]:
                yield b'{"model":'
                raise CutConnection

            return StreamingResponse(cut(), media_type="application/json")
        done = _done(reply, model, reply.text)
        if wants_thinking(rec.body) and reply.thinking:
            done["message"]["thinking"] = reply.thinking
        calls = _calls(reply)
        if calls:
            done["message"]["tool_calls"] = calls
        return JSONResponse(done)

    async def tags(request: Request) -> Response:
        await state.record(request)
        if state.models_failure is not None:
            return error(500, "failed to read the model directory")
        models = [
            {
                "name": t["model"],
                "model": t["model"],
                "modified_at": "2025-05-04T17:37:44.706015396-07:00",
                "size": 2019393189,
                "digest": secrets.token_hex(32),
                "details": {
                    "parent_model": "",
                    "format": "gguf",
                    "family": t["family"],
                    "families": t["families"],
                    "parameter_size": t["size"],
                    "quantization_level": "Q4_K_M",
                },
            }
            for t in TAGS
        ]
        return JSONResponse({"models": models})

    async def version(request: Request) -> Response:
        await state.record(request)
        return JSONResponse({"version": "0.12.6"})

    return Starlette(
        routes=[
            Route("/api/chat", chat, methods=["POST"]),
            Route("/api/tags", tags, methods=["GET"]),
            Route("/api/version", version, methods=["GET"]),
        ]
    )


class FakeOllama(FakeServer):
    def __init__(self, state: FakeState | None = None) -> None:
        state = state or FakeState()
        super().__init__(make_app(state), state)
