"""A wire-faithful fake of the Gemini API (v1beta generateContent / streamGenerateContent).

Byte layout follows the protocol reference §5: SSE `data:` events separated by CRLF CRLF with
no terminator (the connection just closes), the whole `GenerateContentResponse` in each event,
`usageMetadata` on every chunk (partial until the last), function calls whole with argument
objects and no id, finishing with `STOP`. Errors use Google's `{"error": {code, message,
status, details}}` body: an invalid key is 400 `API_KEY_INVALID`, a missing one 403, a rate
limit 429 `RESOURCE_EXHAUSTED` with `RetryInfo.retryDelay`. Requests are validated like the
real API: the key (`x-goog-api-key` or `?key=`), and only `user` / `model` roles; and the
history rules (`message_problem`): no empty content or part, a function call turn only after
a user turn, answered by as many function responses in the very next turn.

Thinking: with `generationConfig.thinkingConfig.includeThoughts` (2.5 and 3 models only; a
budget and a level together, or a level on 2.5, are refused as the API does) a reply's
`Reply.thinking` streams first as parts `{"text": …, "thought": true}`, and the usage gets a
`thoughtsTokenCount`. Without it the model's thoughts stay hidden, as they do for real.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.script import Failure, Reply
from tests.fakes.server import CutConnection, FakeServer, FakeState, tracked

MID_STREAM = (Failure.ERROR_MID_STREAM, Failure.CUT_MID_STREAM, Failure.MALFORMED_CHUNK)
SEP = b"\r\n\r\n"
MODELS: list[dict[str, Any]] = [
    {
        "id": "gemini-2.5-flash",
        "display": "Gemini 2.5 Flash",
        "methods": ["generateContent", "countTokens"],
        "thinking": True,
    },
    {
        "id": "gemini-2.5-pro",
        "display": "Gemini 2.5 Pro",
        "methods": ["generateContent", "countTokens"],
        "thinking": True,
    },
    {
        "id": "gemini-3-flash-preview",
        "display": "Gemini 3 Flash Preview",
        "methods": ["generateContent", "countTokens"],
        "thinking": True,
    },
    {"id": "text-embedding-004", "display": "Text Embedding 004", "methods": ["embedContent"]},
    {
        "id": "gemini-2.0-flash",
        "display": "Gemini 2.0 Flash",
        "methods": ["generateContent", "countTokens"],
    },
    {
        "id": "gemini-2.5-flash-preview-tts",
        "display": "Gemini 2.5 Flash Preview TTS",
        "methods": ["generateContent", "countTokens"],
    },
    {
        "id": "gemma-3-27b-it",
        "display": "Gemma 3 27B",
        "methods": ["generateContent", "countTokens"],
    },
    {
        "id": "gemini-embedding-001",
        "display": "Gemini Embedding 001",
        "methods": ["embedContent"],
    },
]
PAGE_CAP = 2  # the fake serves at most this many models per page, so clients must paginate


def error_body(code: int, status: str, message: str, details: list[Any] | None = None) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    return json.dumps({"error": error}, indent=2).encode()


def error_response(
    code: int, status: str, message: str, details: list[Any] | None = None
) -> Response:
    return Response(error_body(code, status, message, details), code, media_type="application/json")


def bad_key() -> Response:
    message = "API key not valid. Please pass a valid API key."
    return error_response(
        400,
        "INVALID_ARGUMENT",
        message,
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
        ],
    )


def missing_key() -> Response:
    return error_response(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


def _quota(quota_id: str, model: str, retry_s: float | None) -> list[Any]:
    details: list[Any] = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",  # noqa: E501
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": "10",
                }
            ],
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                }
            ],
        },
    ]
    if retry_s is not None:
        details.append(
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_s:g}s"}
        )
    return details


QUOTA_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
)


def failure_response(reply: Reply, model: str) -> Response | None:
    f = reply.failure
    if f is Failure.BAD_KEY:
        return bad_key()
    if f is Failure.RATE_LIMIT:
        details = _quota(
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", model, reply.retry_after_s
        )
        return error_response(429, "RESOURCE_EXHAUSTED", QUOTA_MESSAGE, details)
    if f is Failure.QUOTA:
        details = _quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier", model, None)
        return error_response(429, "RESOURCE_EXHAUSTED", QUOTA_MESSAGE, details)
    if f is Failure.OVERLOADED:
        return error_response(
            503, "UNAVAILABLE", "The model is overloaded. Please try again later."
        )
    if f is Failure.SERVER_ERROR:
        return error_response(
            500,
            "INTERNAL",
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
        )
    if f is Failure.MODEL_NOT_FOUND:
        return error_response(
            404,
            "NOT_FOUND",
            f"models/{model} is not found for API version v1beta, or is not supported for "
            "generateContent. Call ModelService.ListModels to see the list of available models "
            "and their supported methods.",
        )
    return None


def _get(obj: Any, camel: str, snake: str) -> Any:
    """A field the JSON API accepts in either spelling."""
    if not isinstance(obj, dict):
        return None
    return obj.get(camel, obj.get(snake))


def thinking_config(body: Any) -> dict[str, Any] | None:
    config = _get(_get(body, "generationConfig", "generation_config"), "thinkingConfig",
                  "thinking_config")  # fmt: skip
    return config if isinstance(config, dict) else None


def shows_thoughts(body: Any) -> bool:
    return bool(_get(thinking_config(body), "includeThoughts", "include_thoughts"))


def validate_thinking(body: Any, model: str) -> Response | None:
    config = thinking_config(body)
    if config is None:
        return None
    if not model.startswith(("gemini-2.5", "gemini-3")):
        return error_response(400, "INVALID_ARGUMENT", "Thinking is not supported for this model.")
    budget = _get(config, "thinkingBudget", "thinking_budget")
    level = _get(config, "thinkingLevel", "thinking_level")
    if budget is not None and level is not None:
        return error_response(
            400,
            "INVALID_ARGUMENT",
            "You can only set only one of thinking budget and thinking level.",
        )
    if level is not None and not model.startswith("gemini-3"):
        return error_response(
            400, "INVALID_ARGUMENT", "Thinking level is not supported for this model."
        )
    if level is not None and str(level).upper() not in ("MINIMAL", "LOW", "MEDIUM", "HIGH"):
        return error_response(
            400, "INVALID_ARGUMENT", f"Invalid value at 'thinking_level' ({level})"
        )
    if budget is not None and not (-1 <= int(budget) <= 32768):
        return error_response(
            400, "INVALID_ARGUMENT", "The thinking budget is out of range for this model."
        )
    return None


def validate(body: Any) -> Response | None:
    if not isinstance(body, dict) or not body.get("contents"):
        return error_response(
            400,
            "INVALID_ARGUMENT",
            "* GenerateContentRequest.contents: contents is not specified\n",
        )
    for i, content in enumerate(body["contents"]):
        role = content.get("role", "user")
        if role not in ("user", "model"):
            return error_response(400, "INVALID_ARGUMENT", "Please use a valid role: user, model.")
        if not content.get("parts"):
            return error_response(
                400,
                "INVALID_ARGUMENT",
                f"* GenerateContentRequest.contents[{i}].parts: "
                "contents.parts must not be empty.\n",
            )
        for part in content["parts"]:
            response = part.get("functionResponse") or part.get("function_response")
            if response is not None and not response.get("name"):
                return error_response(
                    400,
                    "INVALID_ARGUMENT",
                    f"* GenerateContentRequest.contents[{i}].parts[0].function_response.name: "
                    "Name cannot be empty.\n",
                )
    return message_problem(body["contents"])


_NOT_DATA = ("thought", "thoughtSignature", "thought_signature")


def message_problem(contents: list[dict[str, Any]]) -> Response | None:
    """Gemini's history rules, as its 400s: every part holds data, a function call turn
    follows a user turn or a function response turn, and the turn after it answers each call
    with a function response (and only such a turn holds responses)."""

    def bad(message: str) -> Response:
        return error_response(400, "INVALID_ARGUMENT", message)

    calls_before = 0  # function calls of the previous turn
    for i, content in enumerate(contents):
        parts = content["parts"]
        for j, part in enumerate(parts):
            if not any(v not in (None, "", {}) for k, v in part.items() if k not in _NOT_DATA):
                return bad(
                    f"* GenerateContentRequest.contents[{i}].parts[{j}].data: required oneof "
                    "field 'data' must have one initialized field\n"
                )
        calls = sum(1 for p in parts if _get(p, "functionCall", "function_call") is not None)
        responses = sum(
            1 for p in parts if _get(p, "functionResponse", "function_response") is not None
        )
        if responses and not calls_before:
            return bad("Please ensure that function response turn comes immediately after a "
                       "function call turn.")  # fmt: skip
        if calls_before and responses != calls_before:
            return bad("Please ensure that the number of function response parts is equal to "
                       "the number of function call parts of the function call turn.")  # fmt: skip
        previous = contents[i - 1] if i else None
        if calls and (previous is None or previous.get("role", "user") != "user"):
            return bad("Please ensure that function call turn comes immediately after a user "
                       "turn or after a function response turn.")  # fmt: skip
        calls_before = calls
    return None


def thought_tokens(reply: Reply, thoughts: bool) -> int:
    return max(1, len(reply.thinking) // 4) if thoughts and reply.thinking else 0


def _usage(reply: Reply, final: bool, thoughts: bool = False) -> dict[str, Any]:
    usage: dict[str, Any] = {"promptTokenCount": reply.input_tokens}
    thought = thought_tokens(reply, thoughts)
    if final:
        usage["candidatesTokenCount"] = reply.output_tokens
        usage["totalTokenCount"] = reply.input_tokens + reply.output_tokens + thought
    else:
        usage["totalTokenCount"] = reply.input_tokens + thought
    usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": reply.input_tokens}]
    if thought:
        usage["thoughtsTokenCount"] = thought
    if final:
        usage["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": reply.output_tokens}]
    return usage


def _response(
    parts: list[dict[str, Any]],
    reply: Reply,
    model: str,
    rid: str,
    final: bool,
    thoughts: bool = False,
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
    if final:
        candidate["finishReason"] = "STOP"
    if not parts:
        candidate["content"] = {"parts": [{"text": ""}], "role": "model"}
    return {
        "candidates": [candidate],
        "usageMetadata": _usage(reply, final, thoughts),
        "modelVersion": model,
        "responseId": rid,
    }


def _call_parts(reply: Reply) -> list[dict[str, Any]]:
    out = []
    for t in reply.tool_calls:
        call: dict[str, Any] = {"name": t.name, "args": t.arguments}
        if t.id is not None:
            call["id"] = t.id
        out.append({"functionCall": call})
    return out


def complete(reply: Reply, model: str, thoughts: bool = False) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if thoughts and reply.thinking:
        parts.append({"text": reply.thinking, "thought": True})
    if reply.text:
        parts.append({"text": reply.text})
    rid = secrets.token_urlsafe(16)
    return _response(parts + _call_parts(reply), reply, model, rid, True, thoughts)


def _event(payload: dict[str, Any]) -> bytes:
    # Google's SSE spacing: ", " and ": " separators, events split by CRLF CRLF.
    return b"data: " + json.dumps(payload).encode() + SEP


async def sse_body(reply: Reply, model: str, thoughts: bool = False) -> AsyncIterator[bytes]:
    rid = secrets.token_urlsafe(16)
    chunks = reply.text_chunks()
    calls = _call_parts(reply)
    if thoughts:
        for n, piece in enumerate(reply.thinking_pieces()):
            if reply.chunk_delay_s and n:
                await asyncio.sleep(reply.chunk_delay_s)
            part = {"text": piece, "thought": True}
            yield _event(_response([part], reply, model, rid, False, thoughts))
    if not chunks and not calls:
        yield _event(_response([], reply, model, rid, True))
        return
    for n, piece in enumerate(chunks):
        if reply.failure in MID_STREAM and n == reply.chunks_before_failure:
            if reply.failure is Failure.ERROR_MID_STREAM:
                yield (
                    b"data: "
                    + json.dumps(
                        {
                            "error": {
                                "code": 503,
                                "message": "The model is overloaded. Please try again later.",
                                "status": "UNAVAILABLE",
                            }
                        }
                    ).encode()
                    + SEP
                )
                return
            if reply.failure is Failure.MALFORMED_CHUNK:
                yield b'data: {"candidates": [{"content": {"parts": [{"text": ' + SEP
                return
            raise CutConnection
        if reply.chunk_delay_s:
            await asyncio.sleep(reply.chunk_delay_s)
        last = n == len(chunks) - 1 and not calls
        yield _event(_response([{"text": piece}], reply, model, rid, last, thoughts))
    if calls:
        yield _event(_response(calls, reply, model, rid, True, thoughts))


def make_app(state: FakeState) -> Starlette:
    def auth_failure(request: Request) -> Response | None:
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        if not key:
            return missing_key()
        if key not in state.valid_keys:
            return bad_key()
        return None

    async def generate(request: Request) -> Response:
        rec = await state.record(request)
        target = request.path_params["target"]
        model, _, method = target.partition(":")
        if method not in ("generateContent", "streamGenerateContent"):
            return error_response(404, "NOT_FOUND", f"Method not found: {method}")
        denied = auth_failure(request)
        if denied is not None:
            return denied
        invalid = validate(rec.body) or validate_thinking(rec.body, model)
        if invalid is not None:
            return invalid
        thoughts = shows_thoughts(rec.body)
        reply = state.next_reply()
        if reply.failure is Failure.SLOW_FIRST_BYTE or reply.first_byte_delay_s:
            await asyncio.sleep(reply.first_byte_delay_s)
            if await request.is_disconnected():  # the client gave up: nothing to stream
                return Response(status_code=499)
        failed = failure_response(reply, model)
        if failed is not None:
            return failed
        if method == "streamGenerateContent":
            if request.query_params.get("alt") != "sse":
                return error_response(400, "INVALID_ARGUMENT", "this fake only streams alt=sse")
            return StreamingResponse(
                tracked(state, sse_body(reply, model, thoughts)),
                media_type="text/event-stream",
                headers={"content-disposition": "attachment"},
            )
        if reply.failure is Failure.ERROR_MID_STREAM:
            return error_response(
                503, "UNAVAILABLE", "The model is overloaded. Please try again later."
            )
        if reply.failure is Failure.MALFORMED_CHUNK:
            return Response(b'{"candidates": [', media_type="application/json")
        if reply.failure is Failure.CUT_MID_STREAM:

            async def cut() -> AsyncIterator[bytes]:
                yield b'{"candidates": '
                raise CutConnection

            return StreamingResponse(cut(), media_type="application/json")
        return JSONResponse(complete(reply, model, thoughts))

    async def list_models(request: Request) -> Response:
        await state.record(request)
        denied = auth_failure(request)
        if denied is not None:
            return denied
        if state.models_failure is not None:
            failed = failure_response(Reply(failure=state.models_failure), "")
            assert failed is not None
            return failed
        size = min(int(request.query_params.get("pageSize", "50")), PAGE_CAP)
        start = int(request.query_params.get("pageToken") or 0)
        page = MODELS[start : start + size]
        body: dict[str, Any] = {
            "models": [
                {
                    "name": f"models/{m['id']}",
                    "version": "001",
                    "displayName": m["display"],
                    "description": f"Fake {m['display']}",
                    "inputTokenLimit": 1048576,
                    "outputTokenLimit": 65536,
                    "supportedGenerationMethods": m["methods"],
                    "temperature": 1,
                    "topP": 0.95,
                    "topK": 64,
                    **({"thinking": True} if m.get("thinking") else {}),
                }
                for m in page
            ]
        }
        if start + size < len(MODELS):
            body["nextPageToken"] = str(start + size)
        return JSONResponse(body)

    return Starlette(
        routes=[
            Route("/v1beta/models", list_models, methods=["GET"]),
            Route("/v1beta/models/{target:path}", generate, methods=["POST"]),
        ]
    )


class FakeGemini(FakeServer):
    def __init__(self, state: FakeState | None = None) -> None:
        state = state or FakeState()
        super().__init__(make_app(state), state)
