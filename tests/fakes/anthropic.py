"""A fake Anthropic Messages API, byte-compatible with the transcripts in provider-protocols §2.

Serves `POST /v1/messages` (JSON or named-event SSE) and `GET /v1/models` (paginated by
`after_id`). Checks what the real API checks: a key in `x-api-key` or `Authorization: Bearer`
(401 `authentication_error` otherwise), an `anthropic-version` header (any date), the required
`max_tokens`, no unknown top-level fields, no `system` role, images as base64 sources of an
accepted media type, and every `tool_result` answering a `tool_use` of the turn before (400
`invalid_request_error` otherwise), so an adapter that sends a wrong shape fails here as it
would in production. History rules with the API's own messages (`message_problem`): no empty
or whitespace-only text block, no empty message but a final assistant one, and `tool_use` /
`tool_result` blocks only in a request that defines `tools`.

Extended thinking, as each model takes it (`ThinkingSupport`, read from the model's version
like the Models API's `capabilities.thinking.types`): Claude 4.0-4.5 know only
`thinking: {"type": "enabled", "budget_tokens": B}` (B >= 1024 and below `max_tokens`); 4.6
adds `{"type": "adaptive"}` with `output_config: {"effort": ...}` and deprecates the budget
form; Opus 4.7 and later (and Claude 5) refuse the budget form with the API's 400 and omit the
reasoning text unless `"display": "summarized"` asks for it. With thinking on: no
`temperature` other than 1, no `top_k`, `top_p` only from 0.95, and a turn answering tool
calls must replay the signed thinking block. Sampling, per model version
(`_validate_sampling`): 4.7 and later refuse `temperature` (but 1), `top_p` and `top_k`
("... is deprecated for this model"); 4.1 to 4.6 refuse `temperature` and `top_p` together.
A shown reply's `Reply.thinking` streams first as a `thinking` content block
(`thinking_delta` pieces, then one `signature_delta`), the text block after it; an omitted one
is that block with its signature only. Without the parameter the model does not think:
`Reply.thinking` is not sent, as with the real API. The model list carries each model's
`capabilities` (thinking types and effort levels included).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import string
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.script import Failure, Reply
from tests.fakes.server import CutConnection, FakeServer, FakeState, tracked

# (id, display name, lifecycle, max input tokens, max output tokens)
DEFAULT_MODELS: tuple[tuple[str, str, str, int, int], ...] = (
    ("claude-sonnet-4-6", "Claude Sonnet 4.6", "active", 1000000, 64000),
    ("claude-opus-4-8", "Claude Opus 4.8", "active", 200000, 32000),
    ("claude-haiku-4-5", "Claude Haiku 4.5", "active", 200000, 64000),
    ("claude-fable-5-2", "Claude Fable 5.2", "active", 400000, 128000),
    ("claude-3-opus-20240229", "Claude Opus 3", "retired", 200000, 4096),
)
TOP_LEVEL_FIELDS = {
    "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k",
    "stop_sequences", "stream", "metadata", "thinking", "tools", "tool_choice", "service_tier",
    "container", "output_config", "cache_control", "inference_geo", "speed", "diagnostics",
}  # fmt: skip
EFFORTS = ("low", "medium", "high", "xhigh", "max")
OUTPUT_CONFIG_FIELDS = {"effort", "format"}
DISPLAYS = ("summarized", "omitted")
ENABLED_REFUSED = (
    "thinking.type.enabled is not supported for this model. Use thinking.type.adaptive and "
    "output_config.effort"
)
ADAPTIVE_REFUSED = (
    "thinking.type.adaptive is not supported for this model. Use thinking.type.enabled and "
    "thinking.budget_tokens"
)
BOTH_SAMPLERS_REFUSED = (
    "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
)
MEDIA_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class ThinkingSupport:
    """Which `thinking.type` values a model accepts (the Models API's
    `capabilities.thinking.types`), whether it takes `output_config.effort`, and whether it
    omits its reasoning text unless `display: "summarized"` asks for it."""

    enabled: bool
    adaptive: bool
    effort: bool
    omits_by_default: bool = False

    @property
    def thinks(self) -> bool:
        return self.enabled or self.adaptive


def thinking_support(model_id: str) -> ThinkingSupport:
    """What the real API does per generation: 3.7 and 4.0-4.5 take the budget form only
    (Opus 4.5 also takes an effort); 4.6 takes both forms; Opus 4.7 and later (Claude 5 too)
    only the adaptive one, and omit the reasoning text by default."""
    version = claude_version(model_id)
    if version is None:
        return ThinkingSupport(enabled=False, adaptive=False, effort=False)
    if version >= (4, 7):
        return ThinkingSupport(enabled=False, adaptive=True, effort=True, omits_by_default=True)
    if version >= (4, 6):
        return ThinkingSupport(enabled=True, adaptive=True, effort=True)
    opus_45 = model_id.startswith("claude-opus-4-5")
    return ThinkingSupport(enabled=version >= (3, 7), adaptive=False, effort=opus_45)


def _rand(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _error_body(kind: str, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": f"req_011C{_rand(20)}",
    }


def _error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Response:
    hdrs = {"request-id": f"req_011C{_rand(20)}", "x-should-retry": "false"}
    hdrs.update(headers or {})
    return JSONResponse(_error_body(kind, message), status_code=status, headers=hdrs)


def _retry_after(reply: Reply) -> dict[str, str]:
    if reply.retry_after_s is None:
        return {}
    value = reply.retry_after_s
    return {"retry-after": str(int(value)) if float(value).is_integer() else str(value)}


def render_failure(reply: Reply, model: str) -> Response | None:
    """The status response a failure becomes before any body, or None for stream failures."""
    match reply.failure:
        case Failure.BAD_KEY:
            return _error(401, "authentication_error", "invalid x-api-key")
        case Failure.RATE_LIMIT:
            return _error(
                429,
                "rate_limit_error",
                "This request would exceed the rate limit for your organization of 50 requests"
                " per minute.",
                {**_retry_after(reply), "x-should-retry": "true"},
            )
        case Failure.QUOTA:
            return _error(
                402,
                "billing_error",
                "Your credit balance is too low to access the Anthropic API.",
            )
        case Failure.OVERLOADED:
            return _error(529, "overloaded_error", "Overloaded", {"x-should-retry": "true"})
        case Failure.SERVER_ERROR:
            return _error(500, "api_error", "Internal server error", {"x-should-retry": "true"})
        case Failure.MODEL_NOT_FOUND:
            return _error(404, "not_found_error", f"model: {model}")
    return None


def validate(body: Any, support: ThinkingSupport | None = None) -> str | None:
    """What the real API would reject, as its 400 message; None when the body is valid.
    `support` is the model's thinking support (by default: what its id says)."""
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    extra = sorted(set(body) - TOP_LEVEL_FIELDS)
    if extra:
        return f"{extra[0]}: Extra inputs are not permitted"
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return f"{name}: Field required"
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return "max_tokens: Input should be a valid integer greater than 0"
    temperature = body.get("temperature")
    if temperature is not None and not 0 <= temperature <= 1:
        return "temperature: Input should be less than or equal to 1"
    support = support or thinking_support(str(body["model"]))
    problem = (
        _validate_output_config(body, support)
        or _validate_thinking(body, support)
        or _validate_sampling(body)
    )
    if problem is not None:
        return problem
    system = body.get("system")
    if system is not None and not isinstance(system, str | list):
        return "system: Input should be a valid string or list"
    pending_tool_ids: set[str] = set()
    for i, message in enumerate(body["messages"]):
        role = message.get("role")
        if role not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list):
            return f"messages.{i}.content: Input should be a valid list"
        used_ids: set[str] = set()
        for j, block in enumerate(blocks):
            kind = block.get("type")
            where = f"messages.{i}.content.{j}"
            if kind == "text":
                if not isinstance(block.get("text"), str):
                    return f"{where}.text: Field required"
            elif kind == "image":
                source = block.get("source") or {}
                if source.get("type") == "base64":
                    if source.get("media_type") not in MEDIA_TYPES:
                        return f"{where}.source.media_type: Input should be one of {MEDIA_TYPES}"
                    if not isinstance(source.get("data"), str) or source["data"].startswith(
                        "data:"
                    ):
                        return f"{where}.source.data: invalid base64 data"
                elif source.get("type") != "url":
                    return f"{where}.source: Input tag does not match any of the expected tags"
            elif kind == "tool_use" and role == "assistant":
                if not isinstance(block.get("input"), dict) or not block.get("id"):
                    return f"{where}.input: Input should be a valid dictionary"
                used_ids.add(block["id"])
            elif kind == "tool_result" and role == "user":
                if block.get("tool_use_id") not in pending_tool_ids:
                    return (
                        f"{where}: unexpected `tool_use_id` found in `tool_result` blocks: "
                        f"{block.get('tool_use_id')}. Each `tool_result` block must have a "
                        "corresponding `tool_use` block in the previous message."
                    )
            else:
                return f"{where}.type: Input tag '{kind}' found using 'type' does not match"
        if role == "user" and pending_tool_ids:
            answered = {b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"}
            if pending_tool_ids - answered:
                return (
                    f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
                    f"immediately after: {', '.join(sorted(pending_tool_ids - answered))}. Each "
                    "`tool_use` block must have a corresponding `tool_result` block in the next "
                    "message."
                )
        pending_tool_ids = used_ids if role == "assistant" else set()
    for tool in body.get("tools", []):
        if "input_schema" not in tool or "name" not in tool:
            return "tools.0.input_schema: Field required"
    return message_problem(body)


def message_problem(body: dict[str, Any]) -> str | None:
    """The Messages API's rules on message content, as its 400 messages: no empty or
    whitespace-only text block, no empty message but a final assistant one, and tool blocks
    only in a request that defines tools."""
    messages = body["messages"]
    has_tool_blocks = False
    for i, message in enumerate(messages):
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        final_assistant = i == len(messages) - 1 and message.get("role") == "assistant"
        if not blocks and not final_assistant:
            return (
                f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message"
            )
        for block in blocks:
            kind = block.get("type")
            has_tool_blocks = has_tool_blocks or kind in ("tool_use", "tool_result")
            text = block.get("text")
            if kind != "text" or (final_assistant and isinstance(content, str)):
                continue
            if text == "":
                return "messages: text content blocks must be non-empty"
            if not text.strip():
                return "messages: text content blocks must contain non-whitespace text"
    if has_tool_blocks and not body.get("tools"):
        return "Requests which include `tool_use` or `tool_result` blocks must define tools."
    return None


def thinking_display(body: Any, support: ThinkingSupport) -> str | None:
    """How a valid request's reasoning comes back: "summarized" (shown), "omitted" (the
    block with its signature only), or None when the request did not ask to think."""
    thinking = body.get("thinking") if isinstance(body, dict) else None
    if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "adaptive"):
        return None
    display = thinking.get("display")
    if display is None:
        return "omitted" if support.omits_by_default else "summarized"
    return str(display)


def _validate_output_config(body: dict[str, Any], support: ThinkingSupport) -> str | None:
    """`output_config`: known fields only, an effort level the API knows and the model takes."""
    config = body.get("output_config")
    if config is None:
        return None
    if not isinstance(config, dict):
        return "output_config: Input should be a valid dictionary"
    extra = sorted(set(config) - OUTPUT_CONFIG_FIELDS)
    if extra:
        return f"output_config.{extra[0]}: Extra inputs are not permitted"
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'"
    if effort is not None and not support.effort:
        return "This model does not support the effort parameter."
    return None


def _validate_thinking(body: dict[str, Any], support: ThinkingSupport) -> str | None:
    """The API's rules for `thinking`, as its 400 messages."""
    thinking = body.get("thinking")
    if thinking is None:
        return None
    if not isinstance(thinking, dict) or thinking.get("type") not in (
        "enabled",
        "disabled",
        "adaptive",
    ):
        return "thinking: Input tag does not match any of the expected tags"
    kind = thinking["type"]
    if kind != "enabled" and "budget_tokens" in thinking:
        return f"thinking.{kind}.budget_tokens: Extra inputs are not permitted"
    if kind != "disabled" and thinking.get("display") not in (None, *DISPLAYS):
        return f"thinking.{kind}.display: Input should be 'summarized' or 'omitted'"
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int):
            return "thinking.enabled.budget_tokens: Field required"
        if not support.enabled:
            return ENABLED_REFUSED if support.adaptive else "thinking: not supported by this model"
        if budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if budget >= body["max_tokens"]:
            return "`max_tokens` must be greater than `thinking.budget_tokens`"
    if kind == "adaptive" and not support.adaptive:
        return ADAPTIVE_REFUSED if support.enabled else "thinking: not supported by this model"
    if kind == "disabled":
        return None
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        return "`temperature` may only be set to 1 when thinking is enabled"
    if body.get("top_k") is not None:
        return "`top_k` is not supported when thinking is enabled"
    top_p = body.get("top_p")
    if top_p is not None and not 0.95 <= top_p <= 1:
        return "`top_p` must be between 0.95 and 1 when thinking is enabled"
    messages = body["messages"]
    if len(messages) >= 2 and messages[-2].get("role") == "assistant":
        content = messages[-2].get("content")
        blocks = content if isinstance(content, list) else []
        if any(b.get("type") == "tool_use" for b in blocks) and blocks[0].get("type") not in (
            "thinking",
            "redacted_thinking",
        ):
            return (
                "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but "
                f"found `{blocks[0].get('type')}`. When `thinking` is enabled, a final "
                "`assistant` message must start with a thinking block (preceeding the "
                "lastmost set of `tool_use` and `tool_result` blocks)."
            )
    return None


def claude_version(model_id: str) -> tuple[int, int] | None:
    """(major, minor) of a `claude-<family>-<major>-<minor>` id; None when it has none."""
    match = re.match(r"^claude-(?:[a-z]+-)?(\d{1,2})(?:-(\d{1,2}))?(?:-|$)", model_id)
    return None if match is None else (int(match.group(1)), int(match.group(2) or 0))


def _validate_sampling(body: dict[str, Any]) -> str | None:
    """The API's sampling-parameter rules per model version, as its 400 messages: Claude 4.7
    and later take no `temperature` (1 is still accepted, for backward compatibility), no
    `top_p` and no `top_k`; Claude 4.1 to 4.6 take `temperature` or `top_p`, not both."""
    version = claude_version(str(body["model"]))
    if version is None:
        return None
    if version >= (4, 7):
        if body.get("temperature") not in (None, 1):
            return "`temperature` is deprecated for this model."
        for name in ("top_p", "top_k"):
            if body.get(name) is not None:
                return f"`{name}` is deprecated for this model."
    elif version >= (4, 1) and None not in (body.get("temperature"), body.get("top_p")):
        return BOTH_SAMPLERS_REFUSED
    return None


def _signature() -> str:
    """An opaque thinking signature, shaped like the real ones (base64, ~100+ chars)."""
    return "Eq" + _rand(4) + "CkYIBhgCKkB" + _rand(96) + "EgwI" + _rand(24) + "=="


def _tool_id(given: str | None) -> str:
    return given or f"toolu_01{_rand(22)}"


def message_json(reply: Reply, model: str, thinking: str | None = None) -> dict[str, Any]:
    """The JSON answer; `thinking` is the request's display (`thinking_display`)."""
    content: list[dict[str, Any]] = []
    if thinking is not None and reply.thinking:
        shown = reply.thinking if thinking == "summarized" else ""
        content.append({"type": "thinking", "thinking": shown, "signature": _signature()})
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        content.append(
            {
                "type": "tool_use",
                "id": _tool_id(call.id),
                "name": call.name,
                "input": call.arguments,
            }
        )
    return {
        "id": f"msg_01{_rand(22)}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "output_tokens": reply.output_tokens,
            "service_tier": "standard",
        },
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {_dumps(data)}\n\n".encode()


def _delta(index: int, delta: dict[str, Any]) -> bytes:
    return _event("content_block_delta", {"type": "content_block_delta", "index": index,
                                          "delta": delta})  # fmt: skip


def _thinking_block(reply: Reply, shown: bool) -> list[bytes]:
    """Content block 0 of a thinking reply: the reasoning pieces (unless omitted), then its
    signature."""
    start = {"type": "thinking", "thinking": "", "signature": ""}
    out = [_event("content_block_start",
                  {"type": "content_block_start", "index": 0, "content_block": start})]  # fmt: skip
    pieces = reply.thinking_pieces() if shown else []
    out += [_delta(0, {"type": "thinking_delta", "thinking": p}) for p in pieces]
    out.append(_delta(0, {"type": "signature_delta", "signature": _signature()}))
    out.append(_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    return out


async def stream_events(
    reply: Reply, model: str, thinking: str | None = None
) -> AsyncIterator[bytes]:
    """The named-event sequence of §2d; failures injected where the script says. With
    `thinking` (the request's display, see `thinking_display`) a reply's reasoning is
    content block 0."""
    start = {
        "type": "message_start",
        "message": {
            "id": f"msg_01{_rand(22)}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": reply.input_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": 1,
                "service_tier": "standard",
            },
        },
    }
    yield _event("message_start", start)
    index = 0
    if thinking is not None and reply.thinking:
        for n, event in enumerate(_thinking_block(reply, thinking == "summarized")):
            if reply.chunk_delay_s and n:
                await asyncio.sleep(reply.chunk_delay_s)
            yield event
        index = 1
    chunks = reply.text_chunks()
    mid_stream = reply.failure in (
        Failure.ERROR_MID_STREAM,
        Failure.CUT_MID_STREAM,
        Failure.MALFORMED_CHUNK,
    )
    if chunks:
        block = {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        }
        yield _event("content_block_start", block)
        yield b'event: ping\ndata: {"type": "ping"}\n\n'
        for n, piece in enumerate(chunks):
            if mid_stream and n == reply.chunks_before_failure:
                async for tail in _failure_tail(reply):
                    yield tail
                return
            if reply.chunk_delay_s and n:
                await asyncio.sleep(reply.chunk_delay_s)
            yield _delta(index, {"type": "text_delta", "text": piece})
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    elif mid_stream:
        async for tail in _failure_tail(reply):
            yield tail
        return
    for call in reply.tool_calls:
        block = {"type": "tool_use", "id": _tool_id(call.id), "name": call.name, "input": {}}
        yield _event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": block},
        )
        args = _dumps(call.arguments)
        third = max(1, len(args) // 3)
        for piece in ("", args[:third], args[third : 2 * third], args[2 * third :]):
            delta = {"type": "input_json_delta", "partial_json": piece}
            yield _event(
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": delta},
            )
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    stop = "tool_use" if reply.tool_calls else "end_turn"
    yield _event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": reply.output_tokens},
        },
    )
    yield _event("message_stop", {"type": "message_stop"})


async def _failure_tail(reply: Reply) -> AsyncIterator[bytes]:
    if reply.failure is Failure.ERROR_MID_STREAM:
        yield (
            b'event: error\ndata: {"type": "error", "error": '
            b'{"type": "overloaded_error", "message": "Overloaded"}}\n\n'
        )
    elif reply.failure is Failure.MALFORMED_CHUNK:
        yield b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"del\n\n'
    else:
        raise CutConnection


class FakeAnthropic(FakeServer):
    """`FakeAnthropic(page_size=2)` pages the model list two at a time (pagination tests);
    `thinking={"claude-mythos-preview": ThinkingSupport(...)}` states the thinking support of
    models whose id carries no version (the others' is read from their id)."""

    def __init__(
        self,
        state: FakeState | None = None,
        *,
        models: tuple[tuple[str, str, str, int, int], ...] = DEFAULT_MODELS,
        page_size: int = 2,
        thinking: Mapping[str, ThinkingSupport] | None = None,
    ) -> None:
        self.models = models
        self.page_size = page_size
        self.thinking = dict(thinking or {})
        state = state or FakeState()
        app = Starlette(
            routes=[
                Route("/v1/messages", self._messages, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        super().__init__(app, state)

    def _auth_error(self, request: Request) -> Response | None:
        key = request.headers.get("x-api-key")
        bearer = request.headers.get("authorization", "")
        if key is None and bearer.lower().startswith("bearer "):
            key = bearer[7:]
        if key is None:
            return _error(401, "authentication_error", "x-api-key header is required")
        if key not in self.state.valid_keys:
            return _error(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return _error(400, "invalid_request_error", "anthropic-version: header is required")
        return None

    async def _messages(self, request: Request) -> Response:
        rec = await self.state.record(request)
        denied = self._auth_error(request)
        if denied is not None:
            return denied
        model_id = rec.body.get("model") if isinstance(rec.body, dict) else None
        problem = validate(rec.body, self.support(str(model_id or "")))
        if problem is not None:
            return _error(400, "invalid_request_error", problem)
        reply = self.state.next_reply()
        model = rec.body["model"]
        display = thinking_display(rec.body, self.support(model))
        failed = render_failure(reply, model)
        if failed is not None:
            return failed
        headers = {"request-id": f"req_011C{_rand(20)}"}
        if reply.first_byte_delay_s:
            await asyncio.sleep(reply.first_byte_delay_s)
        if rec.body.get("stream"):
            return StreamingResponse(
                tracked(self.state, stream_events(reply, model, display)),
                media_type="text/event-stream; charset=utf-8",
                headers={**headers, "cache-control": "no-cache"},
            )
        if reply.failure is Failure.ERROR_MID_STREAM:
            return _error(529, "overloaded_error", "Overloaded")
        if reply.failure is Failure.MALFORMED_CHUNK:
            return Response(b'{"id":"msg_01', media_type="application/json", headers=headers)
        if reply.failure is Failure.CUT_MID_STREAM:
            return StreamingResponse(_cut_json(), media_type="application/json", headers=headers)
        return JSONResponse(message_json(reply, model, display), headers=headers)

    def support(self, model_id: str) -> ThinkingSupport:
        """The thinking support of one model: as configured, else as its id says."""
        return self.thinking.get(model_id) or thinking_support(model_id)

    async def _models(self, request: Request) -> Response:
        await self.state.record(request)
        denied = self._auth_error(request)
        if denied is not None:
            return denied
        if self.state.models_failure is not None:
            failed = render_failure(Reply(failure=self.state.models_failure), "")
            assert failed is not None
            return failed
        limit = min(int(request.query_params.get("limit", 20)), self.page_size)
        after = request.query_params.get("after_id")
        ids = [m[0] for m in self.models]
        start = ids.index(after) + 1 if after in ids else 0
        page = self.models[start : start + limit]
        data = [
            {
                "type": "model",
                "id": mid,
                "display_name": name,
                "created_at": "2025-05-22T00:00:00Z",
                "lifecycle": lifecycle,
                "max_input_tokens": max_in,
                "max_tokens": max_out,
                "capabilities": capabilities(self.support(mid)),
            }
            for mid, name, lifecycle, max_in, max_out in page
        ]
        return JSONResponse(
            {
                "data": data,
                "has_more": start + limit < len(self.models),
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
        )


def capabilities(support: ThinkingSupport) -> dict[str, Any]:
    """A model's `capabilities` object as the Models API sends it (every key present)."""

    def on(flag: bool) -> dict[str, bool]:
        return {"supported": flag}

    effort = {level: on(support.effort) for level in ("low", "medium", "high", "max")}
    return {
        "batch": on(True),
        "citations": on(True),
        "code_execution": on(True),
        "context_management": {"supported": True, "clear_tool_uses_20250919": on(True)},
        "effort": {"supported": support.effort, **effort, "xhigh": on(False)},
        "image_input": on(True),
        "pdf_input": on(True),
        "server_tools": {"supported": True, "code_execution": on(True), "web_search": on(True)},
        "structured_outputs": on(True),
        "thinking": {
            "supported": support.thinks,
            "types": {
                "adaptive": on(support.adaptive),
                "between_tools": on(False),
                "disabled": on(True),
                "enabled": on(support.enabled),
            },
        },
    }


async def _cut_json() -> AsyncIterator[bytes]:
    yield b'{"id":"msg_01'
    raise CutConnection
