"""The Chat Completions wire format, shared by OpenAI, OpenRouter and OpenAI-compatible servers.

Pure mapping, no client: neutral messages -> `messages[]` (system as the first message, tool
results as `tool` messages placed right after the assistant turn that asked for them, images
as `image_url` data URLs, tool arguments as JSON strings); streamed chunks -> neutral events
(tool-call fragments keyed by `index`, a `choices: []` usage chunk tolerated, usage anywhere);
and the SDK's exceptions -> our errors, in one function. The dialect differences (which max
tokens field, whether to ask for usage, OpenRouter's 402 and cost) are parameters or hooks of
the providers in openai.py / openrouter.py / openai_compatible.py.

Reasoning text, where a server streams it, arrives beside `content` in the delta: OpenRouter
and Ollama's /v1 say `reasoning`, vLLM, DeepSeek, llama.cpp and LM Studio `reasoning_content`;
either becomes a `ThinkingDelta` (one of them only, as some servers send both with the same
text). OpenRouter's `reasoning_details` repeat the same text in structured form (or carry
encrypted blocks) and are ignored. OpenAI's own Chat Completions never return reasoning text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import openai

from polychat.providers._common import parse_arguments, transport_error
from polychat.providers.base import (
    ChatRequest,
    ContentPart,
    FinishEvent,
    FinishReason,
    ImagePart,
    ProviderAuthError,
    ProviderError,
    ProviderModelNotFoundError,
    ProviderOverloadedError,
    ProviderProtocolError,
    ProviderQuotaError,
    ProviderRateLimitError,
    ProviderTimeoutError,
    ProviderUnavailableError,
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
)
from polychat.providers.retry import error_for_status, parse_retry_after

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
    "error": "error",
}
_OVERLOAD_WORDS = ("overload", "busy", "capacity")
# OpenAI's reasoning models (they take `reasoning_effort`): o1, o3, o4-mini, gpt-5 and their
# dated snapshots; gpt-5-chat-latest is the non-reasoning chat variant.
_REASONING_MODEL = re.compile(r"^(?:o[134](?:-|$)|gpt-5(?!-chat))")


def is_reasoning_model(model_id: str) -> bool:
    """Whether an OpenAI model id names a reasoning model (`reasoning_effort` applies)."""
    return _REASONING_MODEL.match(model_id) is not None


# -- errors -----------------------------------------------------------------------------------


def _classify(
    provider: str, status: int | None, detail: dict[str, Any], message: str, headers: Any
) -> ProviderError:
    code = str(detail.get("code") or "")
    kind = str(detail.get("type") or "")
    lowered = message.lower()
    retry_after = parse_retry_after(headers)
    if status is None and code.isdigit():  # OpenRouter puts the status in `error.code`
        status = int(code)
    if "insufficient_quota" in (code, kind) or status == 402:
        return ProviderQuotaError(message, provider=provider, status=status)
    if status == 429 or "rate_limit" in code:
        return ProviderRateLimitError(
            message, provider=provider, status=status, retry_after=retry_after
        )
    if status in (401, 403) or code == "invalid_api_key":
        return ProviderAuthError(message, provider=provider, status=status)
    if (
        code == "model_not_found"
        or "not a valid model" in lowered
        or (status == 404 and "model" in lowered)
    ):
        return ProviderModelNotFoundError(message, provider=provider, status=status)
    if any(word in lowered for word in _OVERLOAD_WORDS) and (status or 503) >= 500:
        return ProviderOverloadedError(
            message, provider=provider, status=status, retry_after=retry_after
        )
    if (status is None and kind in ("server_error", "api_error")) or code == "server_error":
        return ProviderUnavailableError(message, provider=provider, status=status)
    return error_for_status(provider, status, message, headers=headers)


def map_error(exc: Exception, provider: str) -> ProviderError:
    """Every failure of the openai SDK (or its transport) as one of our errors."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        detail = exc.body if isinstance(exc.body, dict) else {}
        message = str(detail.get("message") or exc.message)
        headers = {k.lower(): v for k, v in exc.response.headers.items()}
        return _classify(provider, exc.status_code, detail, message, headers)
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeoutError(f"{provider} did not answer in time", provider=provider)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        mapped = transport_error(cause, provider) if cause is not None else None
        return mapped or ProviderUnavailableError(
            f"cannot reach {provider}: {exc.message}", provider=provider
        )
    if isinstance(exc, openai.APIResponseValidationError):
        return ProviderProtocolError(f"{provider} sent an unexpected answer", provider=provider)
    if isinstance(exc, openai.APIError):  # an error inside a 200 stream
        detail = exc.body if isinstance(exc.body, dict) else {}
        message = str(detail.get("message") or exc.message)
        return _classify(provider, None, detail, message, None)
    return transport_error(exc, provider) or ProviderProtocolError(
        f"{provider} failed unexpectedly: {exc!r}", provider=provider
    )


# -- neutral -> wire --------------------------------------------------------------------------


def _content(parts: Sequence[ContentPart]) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart) for p in parts):
        return "".join(p.text for p in parts if isinstance(p, TextPart))
    out: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, TextPart) and p.text:
            out.append({"type": "text", "text": p.text})
        elif isinstance(p, ImagePart):
            url = f"data:{p.media_type};base64,{p.data}"
            out.append({"type": "image_url", "image_url": {"url": url}})
    return out


def to_messages(request: ChatRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    for message in request.messages:
        calls = [p for p in message.parts if isinstance(p, ToolCallPart)]
        results = [p for p in message.parts if isinstance(p, ToolResultPart)]
        rest = [p for p in message.parts if isinstance(p, TextPart | ImagePart)]
        if message.role == "assistant":
            entry: dict[str, Any] = {
                "role": "assistant",
                "content": "".join(p.text for p in rest if isinstance(p, TextPart)) or None,
            }
            if calls:
                entry["tool_calls"] = [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                    }
                    for c in calls
                ]
            if entry["content"] is not None or calls:
                out.append(entry)
            continue
        for r in results:  # must directly follow the assistant turn with the calls
            out.append({"role": "tool", "tool_call_id": r.tool_call_id, "content": r.content})
        if rest and any(not isinstance(p, TextPart) or p.text for p in rest):
            out.append({"role": "user", "content": _content(rest)})
    return out


def to_params(request: ChatRequest, *, max_tokens_field: str) -> dict[str, Any]:
    params: dict[str, Any] = {"model": request.model, "messages": to_messages(request)}
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.top_p is not None:
        params["top_p"] = request.top_p
    if request.max_tokens is not None:
        params[max_tokens_field] = request.max_tokens
    if request.stop:
        params["stop"] = list(request.stop)
    if request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
    return params


# -- wire -> neutral --------------------------------------------------------------------------


def to_usage(raw: dict[str, Any]) -> Usage:
    """From the wire's `usage` object (a dict: the stream is parsed without the SDK)."""
    details = raw.get("prompt_tokens_details") or {}
    cost = raw.get("cost")  # OpenRouter's extra field
    return Usage(
        input_tokens=raw.get("prompt_tokens") or 0,
        output_tokens=raw.get("completion_tokens") or 0,
        cache_read_tokens=details.get("cached_tokens") or 0,
        cost_usd=float(cost) if isinstance(cost, int | float) else None,
    )


def finish_reason(raw: str | None, has_tool_calls: bool) -> FinishReason:
    if has_tool_calls and raw in ("stop", "tool_calls", None):
        return "tool_calls"  # some servers say "stop" even for tool calls
    return FINISH_REASONS.get(raw or "", "other")


def message_parts(message: Any, provider: str) -> tuple[ContentPart, ...]:
    parts: list[ContentPart] = []
    if message.content:
        parts.append(TextPart(message.content))
    for call in message.tool_calls or ():
        fn = call.function
        parts.append(ToolCallPart(call.id, fn.name, parse_arguments(fn.arguments, provider)))
    return tuple(parts)


class ChunkMapper:
    """Turns the chunks of one stream into neutral events; one `feed` per parsed chunk.

    Chunks are plain dicts from `json.loads`: building the SDK's typed chunk objects costs
    ~0.5 ms per chunk, which alone would cap a core at ~2000 chunks/s (DESIGN.md's
    performance bar). An in-stream `{"error": ...}` is raised exactly as the SDK would.
    """

    __slots__ = ("calls", "model", "provider", "reason", "response_id", "usage")

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.calls: dict[int, list[Any]] = {}  # wire index -> [ordinal, id, name, fragments]
        self.usage: Usage | None = None
        self.reason: str | None = None
        self.response_id: str | None = None
        self.model: str | None = None

    def feed(self, chunk: dict[str, Any]) -> Iterator[StreamEvent]:
        error = chunk.get("error")
        if error:
            detail = error if isinstance(error, dict) else {"message": str(error)}
            message = str(detail.get("message") or "error in the stream")
            raise _classify(self.provider, None, detail, message, None)
        usage = chunk.get("usage")
        if usage:
            self.usage = to_usage(usage)
            yield UsageEvent(self.usage)
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta")
            if delta:
                thought = delta.get("reasoning_content") or delta.get("reasoning")
                if thought and isinstance(thought, str):
                    yield ThinkingDelta(thought)
                content = delta.get("content")
                if content:
                    yield TextDelta(content)
                calls = delta.get("tool_calls")
                if calls:
                    yield from self._tool_fragments(calls)
            reason = choice.get("finish_reason")
            if reason is not None:
                self.reason = reason
                self.response_id, self.model = chunk.get("id"), chunk.get("model")

    def _tool_fragments(self, fragments: list[dict[str, Any]]) -> Iterator[StreamEvent]:
        for frag in fragments:
            index = frag.get("index", 0)
            fn = frag.get("function") or {}
            call = self.calls.get(index)
            if call is None:
                call = [
                    len(self.calls),
                    frag.get("id") or f"call_{index}",
                    fn.get("name") or "",
                    [],
                ]
                self.calls[index] = call
                yield ToolCallStart(call[0], call[1], call[2])
            arguments = fn.get("arguments")
            if arguments:
                if isinstance(arguments, dict):  # a few servers send an object, whole
                    arguments = json.dumps(arguments)
                call[3].append(arguments)
                yield ToolCallDelta(call[0], arguments)

    def finish(self) -> Iterator[StreamEvent]:
        """Close tool calls and emit the FinishEvent once the stream has ended."""
        if self.reason is None:
            raise ProviderProtocolError(
                f"{self.provider}'s stream ended before a finish reason", provider=self.provider
            )
        for ordinal, call_id, name, fragments in self.calls.values():
            args = parse_arguments("".join(fragments), self.provider)
            yield ToolCallEnd(ordinal, ToolCallPart(call_id, name, args))
        reason = finish_reason(self.reason, bool(self.calls))
        yield FinishEvent(reason, self.usage, self.response_id, self.model)
