"""Claude, natively: the Anthropic Messages API through the official `anthropic` SDK.

What differs from the OpenAI shape and is handled here: the system prompt is a top-level
field (never a message); `max_tokens` is required, so it is filled from the model's output
limit; tool calls are `tool_use` blocks whose input streams as `partial_json` fragments and
tool results are `tool_result` blocks of a user turn; the stream is named SSE events whose
usage is a running total (overwritten, never summed); an `event: error` can arrive after the
200 (`overloaded_error` -> overloaded); HTTP 529 is overload, not a server fault. The SDK of
2026-11 no longer takes `temperature` / `top_p` as arguments, so they travel in `extra_body`.

Visible thinking: `ChatRequest.reasoning` is asked in one of two forms, per model
(`thinking_mode`). Claude 4.6 and later think *adaptively*: `thinking={"type": "adaptive",
"display": "summarized"}` with `output_config={"effort": <effort>}`; they deprecate the budget
form (Opus 4.7 and later refuse it with a 400), and from Opus 4.7 on the reasoning text is
omitted unless `display` asks for its summary, which is the whole point here. Older Claude 4
models only know `thinking={"type": "enabled", "budget_tokens": B}`, with `max_tokens` raised
to leave room for the answer after B (thinking tokens count toward it). Out, `thinking_delta`
pieces become `ThinkingDelta`; `signature_delta` and `redacted_thinking` blocks carry nothing a
person can read.

Sampling parameters, per model (`sampling_rules`, used both to drop them and to report them in
the model list): Claude 4.7 and later (Opus 4.7, 4.8, Claude 5) take none (400 "`temperature`
is deprecated for this model"), nor does an id without a version (it can only be newer); from
4.1 to 4.6 `temperature` and `top_p` are refused together, so Top P is left out when a
Temperature is set; with thinking on, `temperature` is refused (and `top_p` below 0.95), so
both are left out while the model thinks. `top_k` is never sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Iterator
from functools import cache
from importlib import resources
from typing import Any, ClassVar, Literal

import anthropic

from polychat.providers._common import (
    DEFAULT_MAX_OUTPUT,
    capabilities_from,
    check_capabilities,
    http_client,
    parse_arguments,
    safe_tool_id,
    sse_data,
    timed_key_check,
    transport_error,
)
from polychat.providers.base import (
    BaseProvider,
    Capabilities,
    ChatRequest,
    ChatResponse,
    ContentPart,
    FinishEvent,
    FinishReason,
    IgnoredParam,
    ImagePart,
    KeyValidation,
    ModelInfo,
    ProviderAuthError,
    ProviderBadRequestError,
    ProviderConfig,
    ProviderError,
    ProviderModelNotFoundError,
    ProviderOverloadedError,
    ProviderProtocolError,
    ProviderQuotaError,
    ProviderRateLimitError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    ReasoningEffort,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
    Usage,
    UsageEvent,
    drop_ignored,
)
from polychat.providers.builtin import CLAUDE
from polychat.providers.catalog import ModelCache, load_catalog
from polychat.providers.retry import error_for_status, parse_retry_after, retry_call, retry_stream
from polychat.providers.spec import ProviderSpec

NAME = "claude"

STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

# Thinking-token budget per effort. Anthropic's floor is 1024; `max_tokens` must exceed it.
THINKING_BUDGETS: dict[ReasoningEffort, int] = {"low": 2048, "medium": 8192, "high": 24576}
MIN_THINKING_BUDGET = 1024
# What separates the words of a model id (`claude-sonnet-4-6@20250929` on some clouds).
_ID_PARTS = re.compile(r"[-@._]")

# From this version on, Claude takes no sampling parameter at all.
SAMPLING_REMOVED_SINCE = (4, 7)
# From this version on (until the above), it takes Temperature or Top P, not both.
ONE_SAMPLER_SINCE = (4, 1)
_NO_SAMPLING = (
    "Claude models from Opus 4.7 on choose their own sampling; this setting is not sent to them."
)
_WHILE_THINKING = "Claude does not take this setting while it thinks; it is sent when Think is off."
_ONE_SAMPLER = "This Claude model takes Temperature or Top P, not both: Temperature is used."

ThinkingMode = Literal["adaptive", "budget"]
# The first Claude version that thinks adaptively (and deprecates the budget form).
ADAPTIVE_SINCE = (4, 6)


def claude_version(model_id: str) -> tuple[int, int] | None:
    """(major, minor) read from a Claude model id, or None when it names no version.

    Ids put the version before or after the family (`claude-sonnet-4-6`,
    `claude-3-7-sonnet-20250219`), optionally with a date; an 8-digit date is never a minor
    version (`claude-opus-4-20250514` is 4.0)."""
    parts = _ID_PARTS.split(model_id.lower())
    if parts[0] != "claude":
        return None
    numbers = [p if p.isdigit() and len(p) <= 2 else None for p in parts[1:]]
    for i, major in enumerate(numbers):
        if major is not None:
            minor = numbers[i + 1] if i + 1 < len(numbers) else None
            return int(major), int(minor or 0)
    return None


def thinks(model_id: str) -> bool:
    """Whether a Claude model id names a model that can think (Claude 4 and later)."""
    version = claude_version(model_id)
    return version is not None and version >= (4, 0)


def sampling_rules(model_id: str) -> tuple[IgnoredParam, ...]:
    """The conversation parameters a Claude model does not take (see the module docstring)."""
    version = claude_version(model_id)
    if version is None or version >= SAMPLING_REMOVED_SINCE:
        return (
            IgnoredParam("temperature", "sampling_removed", _NO_SAMPLING),
            IgnoredParam("top_p", "sampling_removed", _NO_SAMPLING),
        )
    rules: tuple[IgnoredParam, ...] = (
        IgnoredParam("temperature", "thinking", _WHILE_THINKING, when="thinking"),
        IgnoredParam("top_p", "thinking", _WHILE_THINKING, when="thinking"),
    )
    if version >= ONE_SAMPLER_SINCE:
        rules += (IgnoredParam("top_p", "one_sampler", _ONE_SAMPLER, when="temperature_set"),)
    return rules


def thinking_mode(
    model_id: str, live: ThinkingMode | None = None, catalog: ThinkingMode | None = None
) -> ThinkingMode:
    """How to ask `model_id` to think: "adaptive" (`thinking.type=adaptive` + effort) or
    "budget" (`thinking.type=enabled` + `budget_tokens`).

    The most reliable source wins: the Models API's own `capabilities.thinking.types`
    (`live`), then the shipped catalog's `"thinking"` flag, then the version in the id
    (4.6 and later are adaptive). An id without a version gets the budget form, which every
    thinking model before Opus 4.7 accepts."""
    if live is not None:
        return live
    if catalog is not None:
        return catalog
    version = claude_version(model_id)
    return "adaptive" if version is not None and version >= ADAPTIVE_SINCE else "budget"


@cache
def catalog_thinking_modes() -> dict[str, ThinkingMode]:
    """The catalog's `"thinking": "adaptive" | "budget"` flags, by model id. The shared
    catalog parser keeps only what every provider has, so Claude reads its own flag here."""
    path = resources.files("polychat.providers").joinpath("catalog", f"{NAME}.json")
    models = json.loads(path.read_text(encoding="utf-8"))["models"]
    return {
        str(m["id"]): m["thinking"] for m in models if m.get("thinking") in ("adaptive", "budget")
    }


def thinking_limits(
    effort: ReasoningEffort, requested: int | None, model_max: int | None
) -> tuple[int, int] | None:
    """(budget_tokens, max_tokens) for one request, or None when the model's output limit
    leaves no room for the smallest budget. `max_tokens` is the budget plus the answer's
    share (the request's limit, else the usual default), capped at the model's limit and
    always above the budget, as the API requires."""
    budget = THINKING_BUDGETS[effort]
    answer = requested or model_max or DEFAULT_MAX_OUTPUT
    total = budget + answer if model_max is None else min(model_max, budget + answer)
    if total <= budget:  # a small output limit: split it between thinking and answer
        budget = total // 2
    if budget < MIN_THINKING_BUDGET:
        return None
    return budget, total


ERROR_TYPES: dict[str, type[ProviderError]] = {
    "authentication_error": ProviderAuthError,
    "permission_error": ProviderAuthError,
    "billing_error": ProviderQuotaError,
    "rate_limit_error": ProviderRateLimitError,
    "overloaded_error": ProviderOverloadedError,
    "api_error": ProviderUnavailableError,
    "timeout_error": ProviderTimeoutError,
    "not_found_error": ProviderModelNotFoundError,
    "invalid_request_error": ProviderBadRequestError,
    "request_too_large": ProviderBadRequestError,
}


def from_error_body(
    body: object, status: int | None, headers: dict[str, str], fallback: str, provider: str
) -> ProviderError:
    """`{"type":"error","error":{"type","message"}}`, as an HTTP body or an `event: error`."""
    raw = body.get("error") if isinstance(body, dict) else None
    detail: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kind = str(detail.get("type") or "")
    message = str(detail.get("message") or fallback)
    status = status if status != 200 else None  # an in-stream error's 200 says nothing
    if kind == "invalid_request_error" and "credit balance" in message.lower():
        cls: type[ProviderError] | None = ProviderQuotaError
    else:
        cls = ERROR_TYPES.get(kind)
    if cls is None:
        return error_for_status(provider, status, message, headers=headers)
    return cls(message, provider=provider, status=status, retry_after=parse_retry_after(headers))


def map_error(exc: Exception, provider: str = NAME) -> ProviderError:
    """Every failure of the anthropic SDK (or its transport) as one of our errors."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, anthropic.APIStatusError):
        headers = {k.lower(): v for k, v in exc.response.headers.items()}
        return from_error_body(exc.body, exc.status_code, headers, exc.message, provider)
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderTimeoutError("Claude did not answer in time", provider=provider)
    if isinstance(exc, anthropic.APIConnectionError):
        cause = exc.__cause__
        mapped = transport_error(cause, provider) if cause is not None else None
        return mapped or ProviderUnavailableError(
            f"cannot reach Claude: {exc.message}", provider=provider
        )
    if isinstance(exc, anthropic.APIResponseValidationError):
        return ProviderProtocolError(f"Claude sent an unexpected answer: {exc}", provider=provider)
    return transport_error(exc, provider) or ProviderProtocolError(
        f"Claude failed unexpectedly: {exc!r}", provider=provider
    )


# -- neutral -> Messages API ------------------------------------------------------------------


def _block(part: ContentPart) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        # Anthropic refuses empty and whitespace-only text blocks with a 400.
        return {"type": "text", "text": part.text} if part.text.strip() else None
    if isinstance(part, ImagePart):
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": part.media_type, "data": part.data},
        }
    if isinstance(part, ToolCallPart):
        return {
            "type": "tool_use",
            "id": safe_tool_id(part.id),
            "name": part.name,
            "input": part.arguments,
        }
    return {
        "type": "tool_result",
        "tool_use_id": safe_tool_id(part.tool_call_id),
        "content": part.content,
        "is_error": part.is_error,
    }


def to_messages(request: ChatRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in request.messages:
        blocks = [b for b in map(_block, message.parts) if b is not None]
        # The API wants a user turn's tool results before anything else in it.
        blocks.sort(key=lambda b: b["type"] != "tool_result")
        if blocks:
            out.append({"role": message.role, "content": blocks})
    return out


def history_tools(request: ChatRequest) -> list[dict[str, Any]]:
    """Stand-ins for the tools the history used when the request declares none.

    Anthropic refuses any request whose messages hold `tool_use` or `tool_result` blocks
    without `tools` ("Requests which include `tool_use` or `tool_result` blocks must define
    tools."). A chat that switched from a tool-using turn declares them again by name (any
    input), with `tool_choice: none` so the model cannot call them."""
    names = {p.name for m in request.messages for p in m.parts if isinstance(p, ToolCallPart)}
    return [
        {"name": name, "description": "", "input_schema": {"type": "object"}}
        for name in sorted(names)
    ]


def _continues_tool_use(request: ChatRequest) -> bool:
    """True when this turn answers tool calls. With thinking on, Anthropic wants the assistant
    turn that made the calls to start with its signed thinking block, which history never
    keeps, so such a turn is asked without thinking rather than refused."""
    last = request.messages[-1] if request.messages else None
    return last is not None and any(isinstance(p, ToolResultPart) for p in last.parts)


# -- the provider -----------------------------------------------------------------------------


class ClaudeProvider(BaseProvider):
    spec: ClassVar[ProviderSpec] = CLAUDE

    DEFAULT_CAPS = Capabilities(vision=True, tools=True, max_context=200_000)

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._http = http_client(config)
        self._client = anthropic.AsyncAnthropic(
            api_key=config.api_key or "",
            base_url=self.base_url,
            max_retries=0,
            http_client=self._http,
            default_headers=dict(config.extra_headers),
        )
        self._models = ModelCache(
            self.instance_id, load_catalog(NAME), ttl_s=config.models_cache_ttl_s
        )
        # Thinking form per model, as the Models API's capabilities state it (live list).
        self._live_modes: dict[str, ThinkingMode] = {}

    async def aclose(self) -> None:
        await self._client.close()
        await self._http.aclose()

    def get_default_model(self) -> str:
        return self._models.catalog.default_model

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        return capabilities_from(
            self._models.info(model or self.get_default_model()), self.DEFAULT_CAPS
        )

    def ignored_params(self, model_id: str) -> tuple[IgnoredParam, ...]:
        return sampling_rules(model_id)

    def thinking_mode_for(self, model_id: str) -> ThinkingMode:
        """How this model is asked to think (see `thinking_mode`): the live list's word for
        it once read, else the catalog's, else the id's."""
        return thinking_mode(
            model_id, self._live_modes.get(model_id), catalog_thinking_modes().get(model_id)
        )

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        check_capabilities(request, self.get_capabilities(request.model), self.instance_id)
        info = self._models.info(request.model)
        model_max = info.max_output_tokens if info is not None else None
        max_tokens = request.max_tokens or model_max or DEFAULT_MAX_OUTPUT
        effort = request.reasoning if not _continues_tool_use(request) else None
        mode = self.thinking_mode_for(request.model) if effort is not None else None
        thinking: dict[str, Any] | None = None
        output_config: dict[str, Any] | None = None
        if effort is not None and mode == "adaptive":
            # No budget: the model decides how much to think, from the effort. `max_tokens`
            # stays the usual one (thinking counts toward it), within the model's limit.
            thinking = {"type": "adaptive", "display": "summarized"}
            output_config = {"effort": effort}
            if model_max is not None:
                max_tokens = min(max_tokens, model_max)
        elif effort is not None:
            limits = thinking_limits(effort, request.max_tokens, model_max)
            if limits is not None:
                thinking = {"type": "enabled", "budget_tokens": limits[0]}
                max_tokens = limits[1]
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": max_tokens,
            "messages": to_messages(request),
        }
        if thinking is not None:
            params["thinking"] = thinking
        if output_config is not None:
            params["output_config"] = output_config
        if request.system:
            params["system"] = request.system
        if request.stop:
            params["stop_sequences"] = list(request.stop)
        if request.tools:
            params["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        elif stand_ins := history_tools(request):
            params["tools"] = stand_ins
            params["tool_choice"] = {"type": "none"}
        request = drop_ignored(
            request, self.ignored_params(request.model), thinking=thinking is not None
        )
        extra: dict[str, Any] = {}
        if request.temperature is not None:  # Claude's range is 0-1, the conversation's 0-2
            extra["temperature"] = min(max(request.temperature, 0.0), 1.0)
        if request.top_p is not None:
            extra["top_p"] = request.top_p
        if extra:
            params["extra_body"] = extra
        return params

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        params = self._params(request)
        return await retry_call(self.config, lambda: self._send_once(params))

    async def _send_once(self, params: dict[str, Any]) -> ChatResponse:
        try:
            message = await self._client.messages.create(**params)
        except Exception as exc:
            raise map_error(exc, self.instance_id) from exc
        parts: list[ContentPart] = []
        for block in message.content:
            if block.type == "text":
                parts.append(TextPart(block.text))
            elif block.type == "tool_use":
                parts.append(ToolCallPart(block.id, block.name, dict(block.input)))
        u = message.usage
        cache_read = u.cache_read_input_tokens or 0
        cache_write = u.cache_creation_input_tokens or 0
        usage = Usage(
            input_tokens=u.input_tokens + cache_read + cache_write,
            output_tokens=u.output_tokens,
            cache_read_tokens=cache_read,
            cache_write_tokens=cache_write,
        )
        return ChatResponse(
            id=message.id,
            provider=self.instance_id,
            model=message.model,
            parts=tuple(parts),
            usage=usage,
            finish_reason=STOP_REASONS.get(message.stop_reason or "", "other"),
        )

    def stream_message(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        params = self._params(request)
        return retry_stream(self.config, lambda: self._stream_once(params))

    async def _stream_once(self, params: dict[str, Any]) -> AsyncGenerator[StreamEvent, None]:
        """The SDK makes the request (auth, version header, status errors); the named events
        are parsed here as plain dicts (an event's JSON `type` equals its SSE name), since
        the SDK's typed events cost more per chunk than everything else on this path."""
        create = self._client.messages.with_streaming_response.create
        state = _StreamState(self.instance_id)
        try:
            async with create(**params, stream=True) as response:
                async for data in sse_data(response.http_response.aiter_lines()):
                    for event in state.feed(json.loads(data)):
                        yield event
                    if state.finished:
                        return
        except ProviderError:
            raise
        except Exception as exc:
            raise map_error(exc, self.instance_id) from exc
        raise ProviderProtocolError(
            "Claude's stream ended before message_stop", provider=self.instance_id
        )

    async def get_models(self) -> list[ModelInfo]:
        return await self._models.get(self._live_models)

    async def _live_models(self) -> list[ModelInfo]:
        out: list[ModelInfo] = []
        async for m in self._client.models.list(limit=1000):
            if getattr(m, "lifecycle", "active") == "retired":
                continue
            mode = _live_mode(m)
            if mode is not None:
                self._live_modes[m.id] = mode
            out.append(
                ModelInfo(
                    id=m.id,
                    provider=self.instance_id,
                    display_name=m.display_name,
                    context_window=m.max_input_tokens,
                    max_output_tokens=m.max_tokens,
                    vision=True,
                    tools=True,
                    reasoning=_live_thinks(m),
                )
            )
        return out

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        client = self._client if api_key is None else self._client.with_options(api_key=api_key)

        async def check() -> None:
            try:
                await client.models.list(limit=1)
            except Exception as exc:
                raise map_error(exc, self.instance_id) from exc

        return await timed_key_check(
            self.instance_id, check, lambda e: map_error(e, self.instance_id)
        )


def _live_thinks(model: Any) -> bool:
    """The API's own `capabilities.thinking.supported` when it sends capabilities, else the
    id rule (the catalog's flag wins anyway for models it knows)."""
    caps = getattr(model, "capabilities", None)
    thinking = getattr(caps, "thinking", None)
    supported = getattr(thinking, "supported", None)
    return supported if isinstance(supported, bool) else thinks(model.id)


def _live_mode(model: Any) -> ThinkingMode | None:
    """The thinking form the API itself says a model accepts (`capabilities.thinking.types`):
    adaptive whenever it is supported (4.6 takes both, and deprecates the budget form), the
    budget form when only that is; None when the API says nothing usable."""
    caps = getattr(model, "capabilities", None)
    types = getattr(getattr(caps, "thinking", None), "types", None)
    if getattr(getattr(types, "adaptive", None), "supported", None) is True:
        return "adaptive"
    if getattr(getattr(types, "enabled", None), "supported", None) is True:
        return "budget"
    return None


class _StreamState:
    """One stream's named events -> neutral events. Usage fields are running totals: each
    one reported overwrites the previous value, none is summed."""

    __slots__ = ("counts", "finished", "message_id", "model", "provider", "reason", "tools")

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.tools: dict[int, list[Any]] = {}  # block index -> [ordinal, id, name, fragments]
        self.counts = {"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0,
                       "cache_creation_input_tokens": 0}  # fmt: skip
        self.message_id: str | None = None
        self.model: str | None = None
        self.reason: FinishReason = "other"
        self.finished = False

    def usage(self) -> Usage:
        c = self.counts
        read, write = c["cache_read_input_tokens"], c["cache_creation_input_tokens"]
        return Usage(c["input_tokens"] + read + write, c["output_tokens"], read, write)

    def _overwrite(self, usage: dict[str, Any]) -> UsageEvent:
        for key in self.counts:
            value = usage.get(key)
            if value is not None:
                self.counts[key] = value
        return UsageEvent(self.usage())

    def feed(self, event: dict[str, Any]) -> Iterator[StreamEvent]:
        kind = event.get("type")
        if kind == "content_block_delta":
            delta = event["delta"]
            what = delta.get("type")
            if what == "text_delta":
                yield TextDelta(delta["text"])
            elif what == "thinking_delta":
                if delta.get("thinking"):
                    yield ThinkingDelta(delta["thinking"])
            elif what == "input_json_delta" and delta.get("partial_json"):
                tool = self.tools.get(event["index"])
                if tool is not None:
                    tool[3].append(delta["partial_json"])
                    yield ToolCallDelta(tool[0], delta["partial_json"])
        elif kind == "content_block_start":
            block = event["content_block"]
            if block.get("type") == "tool_use":
                tool = [len(self.tools), block["id"], block["name"], []]
                self.tools[event["index"]] = tool
                yield ToolCallStart(tool[0], tool[1], tool[2])
        elif kind == "content_block_stop":
            done = self.tools.get(event["index"])
            if done is not None:
                args = parse_arguments("".join(done[3]), self.provider)
                yield ToolCallEnd(done[0], ToolCallPart(done[1], done[2], args))
        elif kind == "message_start":
            message = event["message"]
            self.message_id, self.model = message.get("id"), message.get("model")
            yield self._overwrite(message.get("usage") or {})
        elif kind == "message_delta":
            self.reason = STOP_REASONS.get(event["delta"].get("stop_reason") or "", "other")
            yield self._overwrite(event.get("usage") or {})
        elif kind == "message_stop":
            self.finished = True
            yield FinishEvent(self.reason, self.usage(), self.message_id, self.model)
        elif kind == "error":
            raise from_error_body(event, None, {}, "Claude reported an error", self.provider)
