"""A fake Chat Completions server in three dialects (provider-protocols §3, §6g, §7).

- `dialect="openai"`: `/v1/chat/completions`, `/v1/models`; Bearer auth (401
  `invalid_api_key`); `data:`-only SSE ending in `[DONE]`; usage only with
  `stream_options.include_usage`, in a `choices: []` chunk; tool-call arguments fragmented by
  `index`; 429 `rate_limit_exceeded` vs `insufficient_quota`; rejects unknown fields, `tool`
  messages that answer no tool call, what reasoning models refuse (`refused_parameter`:
  `max_tokens`, a `temperature` other than 1, `top_p`, the penalties and `logprobs`, each with
  the real 400 body, its `param` and `code`), and (with OpenAI's status, message and `param`)
  tool calls no `tool` message answers and assistant messages with neither content nor calls
  (`message_problem`).
- `dialect="openrouter"`: the same under `/api/v1`, plus `: OPENROUTER PROCESSING` comment
  lines before and between events, `gen-` ids and a `provider` field, usage (with `cost`)
  always in the last chunk with non-empty `choices`, a public model list, `GET /api/v1/key`,
  402 for no credits, numeric `error.code`, a top-level `error` chunk mid-stream.
- `dialect="ollama"`: Ollama's `/v1`: any key accepted, `chatcmpl-<n>` ids,
  `fp_ollama`, tool calls whole in one chunk with `call_xxxxxxxx` ids, data-URL images only.

Reasoning: `Reply.thinking` streams before the text in the delta field `reasoning_field`
names: `reasoning` for OpenRouter (with its `reasoning_details` copy, unless the request says
`reasoning.exclude`) and Ollama, `reasoning_content` for a vLLM / DeepSeek style server
(`FakeOpenAIChat("openai", reasoning_field="reasoning_content")`), and never for OpenAI, whose
Chat Completions keep the reasoning hidden (only `reasoning_tokens` in the usage shows it).
OpenAI refuses `reasoning_effort` for a model that does not reason; OpenRouter checks its
`reasoning` object.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import string
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.script import Failure, Reply
from tests.fakes.server import CutConnection, FakeServer, FakeState, tracked

Dialect = Literal["openai", "openrouter", "ollama"]
_ALNUM = string.ascii_letters + string.digits
_counter = itertools.count(1)
REASONING = re.compile(r"^(o1|o3|o4|gpt-5)")
KNOWN_FIELDS = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n",
    "stop", "stream", "stream_options", "tools", "tool_choice", "parallel_tool_calls", "seed",
    "response_format", "user", "frequency_penalty", "presence_penalty", "logprobs",
    "top_logprobs", "logit_bias", "reasoning_effort", "metadata", "store", "service_tier",
    "safety_identifier", "prompt_cache_key", "modalities", "prediction", "audio", "verbosity",
    "web_search_options",
}  # fmt: skip
OPENROUTER_EXTRA = {"top_k", "repetition_penalty", "min_p", "top_a", "models", "route",
                    "provider", "plugins", "transforms", "reasoning", "usage"}  # fmt: skip
OPENAI_MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-5", "o3-mini", "gpt-4.1", "text-embedding-3-small",
                 "tts-1", "whisper-1", "dall-e-3", "omni-moderation-latest")  # fmt: skip
EFFORTS = ("minimal", "low", "medium", "high")
# OpenRouter models whose supported_parameters list "reasoning".
OPENROUTER_REASONING = frozenset({"anthropic/claude-sonnet-4.6", "openai/o4-mini"})
# The sampling parameters a model's `supported_parameters` list (o4-mini, like OpenAI's other
# reasoning models, takes no temperature, top_p or stop: OpenRouter drops them).
OPENROUTER_SAMPLING = ["max_tokens", "temperature", "top_p", "stop"]
OPENROUTER_SAMPLING_OF = {"openai/o4-mini": ["max_tokens"]}
OPENROUTER_MODELS = (
    ("anthropic/claude-sonnet-4.6", "Anthropic: Claude Sonnet 4.6", ["text", "image"], True),
    ("openai/gpt-4o", "OpenAI: GPT-4o", ["text", "image"], True),
    ("openai/o4-mini", "OpenAI: o4 Mini", ["text", "image"], True),
    ("meta-llama/llama-3.1-8b-instruct", "Meta: Llama 3.1 8B Instruct", ["text"], True),
    ("openai/text-embedding-3-small", "OpenAI: Text Embedding 3 Small", ["text"], False),
)
OLLAMA_MODELS = ("llama3.2:latest", "llava:latest", "qwen2.5:7b")


def _rand(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


# Fields OpenAI's reasoning models refuse whatever their value (`unsupported_parameter`).
REASONING_REFUSED = ("top_p", "presence_penalty", "frequency_penalty", "logprobs")


def refused_parameter(body: Any) -> tuple[str, str, str] | None:
    """What OpenAI answers a reasoning model's request carrying a parameter it does not take,
    as (message, param, code) of its 400 body; None when there is none. The texts are the
    API's own: a `temperature` other than the default 1 is an `unsupported_value`, the
    others are `unsupported_parameter` at any value, `max_tokens` with a pointer to
    `max_completion_tokens`."""
    if not isinstance(body, dict) or not REASONING.match(str(body.get("model", ""))):
        return None
    if "max_tokens" in body:
        return (
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "max_tokens",
            "unsupported_parameter",
        )
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        return (
            f"Unsupported value: 'temperature' does not support {temperature} with this model. "
            "Only the default (1) value is supported.",
            "temperature",
            "unsupported_value",
        )
    for name in REASONING_REFUSED:
        if body.get(name) is not None:
            return (
                f"Unsupported parameter: '{name}' is not supported with this model.",
                name,
                "unsupported_parameter",
            )
    return None


class FakeOpenAIChat(FakeServer):
    def __init__(
        self,
        dialect: Dialect = "openai",
        state: FakeState | None = None,
        *,
        models: tuple[str, ...] | None = None,
        reasoning_field: str | None = "",
    ) -> None:
        self.dialect = dialect
        # "" means the dialect's own: OpenRouter and Ollama `reasoning`, OpenAI none.
        self.reasoning_field = (
            ("reasoning" if dialect != "openai" else None)
            if reasoning_field == ""
            else reasoning_field
        )
        self.prefix = "/api/v1" if dialect == "openrouter" else "/v1"
        self.model_ids = models
        routes = [
            Route(f"{self.prefix}/chat/completions", self._chat, methods=["POST"]),
            Route(f"{self.prefix}/models", self._models, methods=["GET"]),
        ]
        if dialect == "openrouter":
            routes.append(Route("/api/v1/key", self._key, methods=["GET"]))
        super().__init__(Starlette(routes=routes), state or FakeState())

    # -- errors, in each dialect's own shape ------------------------------------------------

    def _error(
        self,
        status: int,
        message: str,
        kind: str,
        code: str | None,
        headers: dict[str, str],
        param: str | None = None,
    ) -> Response:
        if self.dialect == "openrouter":
            body: dict[str, Any] = {"error": {"code": status, "message": message}}
        else:
            body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
        hdrs = {"x-request-id": f"req_{_rand(24)}", **headers}
        return JSONResponse(body, status_code=status, headers=hdrs)

    def _failure(self, reply: Reply, model: str) -> Response | None:
        retry = {} if reply.retry_after_s is None else {"retry-after": _num(reply.retry_after_s)}
        ollama, router = self.dialect == "ollama", self.dialect == "openrouter"
        match reply.failure:
            case Failure.BAD_KEY:
                msg = "User not found." if router else "Incorrect API key provided: wr***ey."
                return self._error(401, msg, "invalid_request_error", "invalid_api_key", {})
            case Failure.RATE_LIMIT:
                msg = (
                    f"Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3,"
                    f" Requested 1. Please try again in {reply.retry_after_s}s."
                )
                hdrs = {**retry, "x-ratelimit-remaining-requests": "0",
                        "x-ratelimit-reset-requests": "1s"}  # fmt: skip
                return self._error(429, msg, "requests", "rate_limit_exceeded", hdrs)
            case Failure.QUOTA if router:
                msg = "Insufficient credits. Add more using https://openrouter.ai/credits"
                return self._error(402, msg, "", None, {})
            case Failure.QUOTA:
                msg = "You exceeded your current quota, please check your plan and billing details."
                return self._error(429, msg, "insufficient_quota", "insufficient_quota", {})
            case Failure.OVERLOADED:
                msg = (
                    "server busy, please try again.  maximum pending requests exceeded"
                    if ollama
                    else "The engine is currently overloaded, please try again later."
                )
                return self._error(503, msg, "api_error" if ollama else "server_error", None, retry)
            case Failure.SERVER_ERROR:
                msg = "The server had an error while processing your request. Sorry about that!"
                return self._error(500, msg, "api_error" if ollama else "server_error", None, {})
            case Failure.MODEL_NOT_FOUND if router:
                return self._error(400, f"{model} is not a valid model ID", "", None, {})
            case Failure.MODEL_NOT_FOUND:
                msg = (
                    f'model "{model}" not found, try pulling it first'
                    if ollama
                    else f"The model `{model}` does not exist or you do not have access to it."
                )
                kind = "not_found_error" if ollama else "invalid_request_error"
                return self._error(404, msg, kind, None if ollama else "model_not_found", {})
        return None

    def _authorized(self, request: Request) -> bool:
        if self.dialect == "ollama":
            return True
        auth = request.headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.state.valid_keys

    def _unauthorized(self) -> Response:
        return self._failure(Reply(failure=Failure.BAD_KEY), "") or Response(status_code=401)

    # -- request validation, as strict as the real service ---------------------------------

    def validate(self, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "We could not parse the JSON body of your request."
        if self.dialect == "openai":
            extra = sorted(set(body) - KNOWN_FIELDS)
            if extra:
                return f"Unrecognized request argument supplied: {extra[0]}"
            effort = body.get("reasoning_effort")
            if effort is not None and not REASONING.match(str(body.get("model", ""))):
                return "Unsupported parameter: 'reasoning_effort' is not supported with this model."
            if effort is not None and effort not in EFFORTS:
                return (
                    f"Invalid value: '{effort}'. Supported values are: 'minimal', 'low', "
                    "'medium', and 'high'."
                )
        elif self.dialect == "openrouter":
            extra = sorted(set(body) - KNOWN_FIELDS - OPENROUTER_EXTRA)
            if extra:
                return f"Unrecognized request argument supplied: {extra[0]}"
            reasoning = body.get("reasoning")
            if reasoning is not None:
                if not isinstance(reasoning, dict):
                    return "reasoning: Expected object, received " + type(reasoning).__name__
                if "effort" in reasoning and "max_tokens" in reasoning:
                    return "reasoning: only one of effort and max_tokens may be given"
                if "effort" in reasoning and reasoning["effort"] not in EFFORTS:
                    return f"reasoning.effort: Invalid enum value '{reasoning['effort']}'"
        if "stream_options" in body and not body.get("stream"):
            return "The 'stream_options' parameter is only allowed when 'stream' is enabled."
        if not body.get("model") or not isinstance(body.get("messages"), list):
            return "you must provide a model parameter and a messages array"
        temperature = body.get("temperature")
        if temperature is not None and not 0 <= temperature <= 2:
            return f"Invalid 'temperature': decimal above maximum value. Got {temperature}."
        open_calls: set[str] = set()
        for i, message in enumerate(body["messages"]):
            role = message.get("role")
            if role not in ("system", "developer", "user", "assistant", "tool"):
                return f"Invalid value: '{role}'. Supported values are: 'system', 'assistant'..."
            if role == "assistant":
                open_calls = set()
                for call in message.get("tool_calls") or []:
                    args = call.get("function", {}).get("arguments")
                    if not isinstance(args, str) or not call.get("id"):
                        return f"Invalid type for 'messages[{i}].tool_calls[0].function.arguments'"
                    open_calls.add(call["id"])
            elif role == "tool":
                if message.get("tool_call_id") not in open_calls:
                    return (
                        "Invalid parameter: messages with role 'tool' must be a response to a "
                        "preceeding message with 'tool_calls'."
                    )
            else:
                open_calls = set()
            content = message.get("content")
            if isinstance(content, list):
                for part in content:
                    if part.get("type") == "image_url":
                        url = (part.get("image_url") or {}).get("url", "")
                        if self.dialect == "ollama" and not url.startswith("data:"):
                            return "invalid image input"
                        if not url:
                            return f"Missing required parameter: 'messages[{i}].content.image_url'"
                    elif part.get("type") != "text":
                        return f"Invalid value: '{part.get('type')}' in messages[{i}].content"
        return None

    # -- chat ---------------------------------------------------------------------------------

    async def _chat(self, request: Request) -> Response:
        rec = await self.state.record(request)
        if not self._authorized(request):
            return self._unauthorized()
        refused = refused_parameter(rec.body) if self.dialect == "openai" else None
        if refused is not None:
            message, param, code = refused
            return self._error(400, message, "invalid_request_error", code, {}, param)
        problem = self.validate(rec.body)
        if problem is not None:
            return self._error(400, problem, "invalid_request_error", None, {})
        found = message_problem(rec.body["messages"]) if self.dialect == "openai" else None
        if found is not None:
            return self._error(400, found[0], "invalid_request_error", None, {}, param=found[1])
        reply = self.state.next_reply()
        model = rec.body["model"]
        failed = self._failure(reply, model)
        if failed is not None:
            return failed
        if reply.first_byte_delay_s:
            await asyncio.sleep(reply.first_byte_delay_s)
        headers = {"x-request-id": f"req_{_rand(24)}"}
        if self.dialect == "openrouter":
            headers["x-generation-id"] = self._new_id()
        thinking = self._thinking_shown(rec.body, reply)
        if rec.body.get("stream"):
            include_usage = bool((rec.body.get("stream_options") or {}).get("include_usage"))
            body = self._stream(reply, model, include_usage, thinking)
            return StreamingResponse(
                tracked(self.state, body), media_type="text/event-stream", headers=headers
            )
        if reply.failure is Failure.MALFORMED_CHUNK:
            return Response(b'{"id":"chatcmpl-', media_type="application/json", headers=headers)
        if reply.failure in (Failure.ERROR_MID_STREAM, Failure.CUT_MID_STREAM):
            return self._failure(Reply(failure=Failure.SERVER_ERROR), model) or Response()
        return JSONResponse(self._completion(reply, model, thinking), headers=headers)

    def _thinking_shown(self, body: dict[str, Any], reply: Reply) -> bool:
        """Whether this reply's reasoning goes on the wire (see the module docstring)."""
        if not reply.thinking or self.reasoning_field is None:
            return False
        reasoning = body.get("reasoning")
        return not (isinstance(reasoning, dict) and reasoning.get("exclude"))

    def _thinking_delta(self, piece: str) -> dict[str, Any]:
        assert self.reasoning_field is not None
        delta: dict[str, Any] = {"content": "", self.reasoning_field: piece}
        if self.dialect == "openrouter":
            detail = {"type": "reasoning.text", "text": piece, "index": 0, "format": None}
            delta["reasoning_details"] = [detail]
        return delta

    def _new_id(self) -> str:
        if self.dialect == "openrouter":
            return f"gen-{int(time.time())}-{_rand(20)}"
        if self.dialect == "ollama":
            return f"chatcmpl-{next(_counter) % 999}"
        return f"chatcmpl-{_rand(29)}"

    def _call_id(self, given: str | None) -> str:
        if given:
            return given
        return f"call_{_rand(8).lower()}" if self.dialect == "ollama" else f"call_{_rand(24)}"

    def _envelope(self, cid: str, model: str, obj: str) -> dict[str, Any]:
        if self.dialect == "openrouter":
            return {"id": cid, "provider": "OpenAI", "model": model, "object": obj,
                    "created": int(time.time())}  # fmt: skip
        env = {"id": cid, "object": obj, "created": int(time.time()), "model": model}
        env["system_fingerprint"] = "fp_ollama" if self.dialect == "ollama" else "fp_5050236cbd"
        return env

    def _usage(self, reply: Reply) -> dict[str, Any]:
        usage: dict[str, Any] = {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.output_tokens,
            "total_tokens": reply.input_tokens + reply.output_tokens,
        }
        if self.dialect == "openrouter":
            usage.update(cost=reply.cost_usd or 0, is_byok=False)
        elif self.dialect == "openai":
            hidden = len(reply.thinking) // 4  # OpenAI reasons unseen: only the count shows
            usage["completion_tokens_details"] = {"reasoning_tokens": hidden}
        return usage

    def _completion(self, reply: Reply, model: str, thinking: bool = False) -> dict[str, Any]:
        calls = [
            {"id": self._call_id(c.id), "type": "function",
             "function": {"name": c.name, "arguments": _dumps(c.arguments)}}
            for c in reply.tool_calls
        ]  # fmt: skip
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if self.dialect == "openai":
            message.update(refusal=None, annotations=[])
        if thinking and self.reasoning_field is not None:
            message[self.reasoning_field] = reply.thinking
            if self.dialect == "openrouter":
                message["reasoning_details"] = [
                    {"type": "reasoning.text", "text": reply.thinking, "index": 0, "format": None}
                ]
        if calls:
            message["tool_calls"] = calls
        finish = "tool_calls" if calls else "stop"
        choice: dict[str, Any] = {"index": 0, "message": message, "logprobs": None,
                                  "finish_reason": finish}  # fmt: skip
        if self.dialect == "openrouter":
            choice["native_finish_reason"] = finish
        return {
            **self._envelope(self._new_id(), model, "chat.completion"),
            "choices": [choice],
            "usage": self._usage(reply),
        }

    async def _stream(
        self, reply: Reply, model: str, include_usage: bool, thinking: bool = False
    ) -> AsyncIterator[bytes]:
        env = self._envelope(self._new_id(), model, "chat.completion.chunk")
        router = self.dialect == "openrouter"
        keepalive = b": OPENROUTER PROCESSING\n\n"

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
            if router:
                delta = {"role": "assistant", **delta}
            choice: dict[str, Any] = {"index": 0, "delta": delta}
            if self.dialect != "ollama":
                choice["logprobs"] = None
            choice["finish_reason"] = finish
            if router:
                choice["native_finish_reason"] = finish
            return f"data: {_dumps({**env, 'choices': [choice], **extra})}\n\n".encode()

        if router:
            yield keepalive
            yield keepalive
        first: dict[str, Any] = {"role": "assistant", "content": None if reply.tool_calls else ""}
        if self.dialect == "openai":
            first["refusal"] = None
        yield chunk(first)
        for n, thought in enumerate(reply.thinking_pieces() if thinking else []):
            if reply.chunk_delay_s and n:
                await asyncio.sleep(reply.chunk_delay_s)
            yield chunk(self._thinking_delta(thought))
        mid = reply.failure in (Failure.ERROR_MID_STREAM, Failure.CUT_MID_STREAM,
                                Failure.MALFORMED_CHUNK)  # fmt: skip
        for n, piece in enumerate(reply.text_chunks()):
            if mid and n == reply.chunks_before_failure:
                break
            if reply.chunk_delay_s and n:
                await asyncio.sleep(reply.chunk_delay_s)
            yield chunk({"content": piece})
            if router and n == 0:
                yield keepalive
        if mid:
            if reply.failure is Failure.CUT_MID_STREAM:
                raise CutConnection
            if reply.failure is Failure.MALFORMED_CHUNK:
                yield b'data: {"id":"chatcmpl-x","object":"chat.completion.chunk","choi\n\n'
                return
            if router:
                err = {"code": "server_error", "message": "Provider disconnected unexpectedly"}
                yield chunk({"content": ""}, "error", error=err)
                yield b"data: [DONE]\n\n"
                return
            err = {"message": "The server had an error while processing your request. Sorry "
                   "about that!", "type": "server_error", "param": None, "code": None}  # fmt: skip
            yield f"data: {_dumps({'error': err})}\n\n".encode()
            return
        for i, call in enumerate(reply.tool_calls):
            cid, args = self._call_id(call.id), _dumps(call.arguments)
            head = {"index": i, "id": cid, "type": "function",
                    "function": {"name": call.name, "arguments": ""}}  # fmt: skip
            if self.dialect == "ollama":
                head["function"]["arguments"] = args
                yield chunk({"content": "", "tool_calls": [head]})
                continue
            yield chunk({"tool_calls": [head]})
            half = max(1, len(args) // 2)
            for piece in (args[:half], args[half:]):
                yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
        finish = "tool_calls" if reply.tool_calls else "stop"
        yield chunk({} if not router else {"content": ""}, finish)
        if router:
            yield chunk({"content": ""}, None, usage=self._usage(reply))
        elif include_usage:
            body = {**env, "choices": [], "usage": self._usage(reply)}
            yield f"data: {_dumps(body)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    # -- models and key --------------------------------------------------------------------

    async def _models(self, request: Request) -> Response:
        await self.state.record(request)
        if self.dialect != "openrouter" and not self._authorized(request):
            return self._unauthorized()
        if self.state.models_failure is not None:
            failed = self._failure(Reply(failure=self.state.models_failure), "")
            return failed or Response(status_code=500)
        created = 1715367049
        if self.dialect == "openrouter":
            data = [
                {"id": mid, "canonical_slug": mid, "name": name, "created": created,
                 "context_length": 128000,
                 "architecture": {"input_modalities": modalities, "output_modalities":
                                  ["embeddings"] if "embedding" in mid else ["text"]},
                 "pricing": {"prompt": "0.000003", "completion": "0.000015"},
                 "top_provider": {"context_length": 128000, "max_completion_tokens": 16384},
                 "supported_parameters": (["tools"] if tools else [])
                 + OPENROUTER_SAMPLING_OF.get(mid, OPENROUTER_SAMPLING)
                 + (["reasoning", "include_reasoning"] if mid in OPENROUTER_REASONING else [])}
                for mid, name, modalities, tools in OPENROUTER_MODELS
            ]  # fmt: skip
            return JSONResponse({"data": data})
        ids = self.model_ids or (OLLAMA_MODELS if self.dialect == "ollama" else OPENAI_MODELS)
        owner = "library" if self.dialect == "ollama" else "system"
        data = [{"id": i, "object": "model", "created": created, "owned_by": owner} for i in ids]
        return JSONResponse({"object": "list", "data": data})

    async def _key(self, request: Request) -> Response:
        await self.state.record(request)
        if not self._authorized(request):
            return self._unauthorized()
        return JSONResponse(
            {"data": {"label": "sk-or-v1-abc...xyz", "limit": None, "limit_reset": None,
                      "limit_remaining": None, "include_byok_in_limit": False, "usage": 0.25,
                      "usage_daily": 0.0, "usage_weekly": 0.0, "usage_monthly": 0.25,
                      "byok_usage": 0, "is_free_tier": False}}
        )  # fmt: skip


def message_problem(messages: list[dict[str, Any]]) -> tuple[str, str] | None:
    """OpenAI's history rules, as (message, param) of its 400: every `tool_calls` id answered
    by the `tool` messages right after, and an assistant message with content or tool calls."""
    pending: dict[str, int] = {}  # unanswered call id -> index of its assistant message
    for i, message in enumerate([*messages, {"role": "end"}]):
        role = message.get("role")
        if pending and role != "tool":
            return (
                "An assistant message with 'tool_calls' must be followed by tool messages"
                " responding to each 'tool_call_id'. The following tool_call_ids did not have"
                f" response messages: {', '.join(pending)}",
                f"messages.[{next(iter(pending.values()))}].role",
            )
        if role == "tool":
            pending.pop(str(message.get("tool_call_id")), None)
        elif role == "assistant":
            calls = message.get("tool_calls") or []
            if message.get("content") is None and not calls:
                return (
                    "Invalid value for 'content': expected a string, got null.",
                    f"messages.[{i}].content",
                )
            pending = {str(c.get("id")): i for c in calls}
    return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
