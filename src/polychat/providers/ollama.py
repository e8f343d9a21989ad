"""Ollama, natively, through the official `ollama` SDK (`/api/chat` NDJSON, `/api/tags`).

What makes Ollama different: it runs locally with no key (an optional Bearer key serves
ollama.com); streaming is on by default, so we always say which we want; images are raw
base64 strings on the message; tool arguments are objects and calls carry no usable id (we
synthesize one); `done_reason` stays `stop` even after tool calls; usage arrives only on the
`done` line as `prompt_eval_count` / `eval_count`; errors are a bare `{"error": "..."}`, also
as an NDJSON line in the middle of a stream. The list of models is whatever has been pulled,
and a server that is not running is the most common failure, so it gets a message saying
what to do.

Thinking: `ChatRequest.reasoning` becomes `think: true` (gpt-oss takes the effort itself,
"low" / "medium" / "high", and ignores a boolean); None sends no `think`. A model that cannot
think answers 400 "... does not support thinking": the request is then sent once more without
`think`, before any output, and the model is remembered, so a toggle left on never breaks a
chat. `message.thinking` pieces stream out as `ThinkingDelta`. /api/tags says nothing about
capabilities, so which models can think is a rule on the model's name (`thinks`): the
catalog's flag, else a known family of thinking models.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing
from contextvars import ContextVar
from typing import Any, ClassVar

import httpx
import ollama
from pydantic import ValidationError

from polychat.providers._common import capabilities_from, timed_key_check
from polychat.providers._native_support import (
    dump_json,
    require_capabilities,
    ssl_context,
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
)
from polychat.providers.builtin import OLLAMA
from polychat.providers.catalog import ModelCache, is_chat_model, load_catalog
from polychat.providers.retry import parse_retry_after, retry_call, retry_stream
from polychat.providers.spec import ProviderSpec

NAME = "ollama"
_DEFAULT_CAPS = Capabilities(vision=False, tools=True)
# Families whose presence in /api/tags `details.families` means the model reads images.
_VISION_FAMILIES = frozenset({"clip", "mllama", "qwen25vl", "gemma3", "llava"})

# Model names (without tag or namespace) of the families that think when asked with `think`.
THINKING_FAMILIES = frozenset(
    {
        "deepseek-r1", "deepseek-v3.1", "qwen3", "qwen3-vl", "qwq", "gpt-oss", "magistral",
        "phi4-reasoning", "phi4-mini-reasoning", "cogito", "granite3.2", "exaone-deep",
    }
)  # fmt: skip
_REFUSED_THINKING = "does not support thinking"

# The SDK's ResponseError keeps only the body and status, not the headers, so a 429's
# retry-after would be lost. An httpx response hook, running in the caller's task, keeps the
# last response's headers where the error mapping can read them.
_last_headers: ContextVar[httpx.Headers | None] = ContextVar("ollama_headers", default=None)


async def _keep_headers(response: httpx.Response) -> None:
    _last_headers.set(response.headers)


def _unreachable(base_url: str) -> str:
    return (
        f"Cannot reach Ollama at {base_url}. Start it (`ollama serve`) or set the Ollama base "
        "URL (POLYCHAT_OLLAMA_BASE_URL or Settings → Providers)."
    )


def map_ollama_error(exc: BaseException, base_url: str = "the configured URL") -> ProviderError:
    """Every failure of the ollama SDK, as one of our errors (the one place)."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, ConnectionError):  # the SDK's own wording for a refused connection
        return ProviderUnavailableError(_unreachable(base_url), provider=NAME)
    mapped = transport_error(exc, NAME, unreachable=_unreachable(base_url))
    if mapped is not None:
        return mapped
    if isinstance(exc, json.JSONDecodeError | ValidationError):
        return ProviderProtocolError(f"Ollama sent a line we could not read: {exc}", provider=NAME)
    if not isinstance(exc, ollama.ResponseError):
        return ProviderError(f"Unexpected Ollama failure: {exc!r}", provider=NAME)
    status = exc.status_code if exc.status_code > 0 else None
    text = str(exc.error)
    if status is None:  # an {"error": ...} line inside a 200 stream
        return ProviderUnavailableError(f"Ollama failed while answering: {text}", provider=NAME)
    if status in (401, 403):
        return ProviderAuthError(f"Ollama refused access: {text}", provider=NAME, status=status)
    if status == 404:
        return ProviderModelNotFoundError(
            f"Ollama: {text}. Pull the model first (`ollama pull <model>`).",
            provider=NAME,
            status=status,
        )
    if status == 429 and "usage limit" in text.lower():  # ollama.com plan limits
        return ProviderQuotaError(
            f"Ollama usage limit reached: {text}", provider=NAME, status=status
        )
    if status == 429:
        return ProviderRateLimitError(
            f"Ollama rate limit: {text}",
            provider=NAME,
            status=status,
            retry_after=parse_retry_after(_last_headers.get()),
        )
    if status in (502, 503):
        return ProviderOverloadedError(f"Ollama is busy: {text}", provider=NAME, status=status)
    if status >= 500:
        return ProviderUnavailableError(
            f"Ollama server error: {text}", provider=NAME, status=status
        )
    return ProviderBadRequestError(
        f"Ollama refused the request: {text}", provider=NAME, status=status
    )


def _base_name(model: str) -> str:
    """`llama3.2:latest` and `llama3.2` are one catalog entry."""
    return model.split(":", 1)[0]


def thinks(model: str) -> bool:
    """The name rule: `qwen3:8b`, `library/qwen3` and `qwen3` are the family `qwen3`."""
    return _base_name(model).rsplit("/", 1)[-1] in THINKING_FAMILIES


def think_value(model: str, effort: ReasoningEffort) -> bool | str:
    """What `think` carries: gpt-oss wants the effort level and ignores a boolean."""
    return effort if _base_name(model).rsplit("/", 1)[-1] == "gpt-oss" else True


class _ThinkingRefused(Exception):
    """The model said it cannot think; raised before any output, so retrying is safe."""


def _refuses_thinking(exc: BaseException, kwargs: Mapping[str, Any]) -> bool:
    return (
        "think" in kwargs
        and isinstance(exc, ollama.ResponseError)
        and exc.status_code == 400
        and _REFUSED_THINKING in str(exc.error)
    )


def _messages(request: ChatRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    for message in request.messages:
        if message.role == "assistant":
            text = "".join(p.text for p in message.parts if isinstance(p, TextPart))
            entry: dict[str, Any] = {"role": "assistant", "content": text}
            calls = [p for p in message.parts if isinstance(p, ToolCallPart)]
            if calls:
                entry["tool_calls"] = [
                    {"function": {"name": c.name, "arguments": c.arguments}} for c in calls
                ]
            out.append(entry)
            continue
        texts: list[str] = []
        images: list[str] = []
        for p in message.parts:
            if isinstance(p, ToolResultPart):
                out.append({"role": "tool", "content": p.content, "tool_name": p.name})
            elif isinstance(p, TextPart):
                texts.append(p.text)
            elif isinstance(p, ImagePart):
                images.append(p.data)
        if texts or images:
            user: dict[str, Any] = {"role": "user", "content": "".join(texts)}
            if images:
                user["images"] = images
            out.append(user)
    return out


def _options(request: ChatRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if request.max_tokens is not None:
        options["num_predict"] = request.max_tokens
    if request.temperature is not None:
        options["temperature"] = request.temperature
    if request.top_p is not None:
        options["top_p"] = request.top_p
    if request.stop:
        options["stop"] = list(request.stop)
    return options


def _finish(reason: str | None, saw_calls: bool) -> FinishReason:
    if reason == "length":
        return "length"
    if reason in (None, "stop"):
        return "tool_calls" if saw_calls else "stop"
    return "other"


def _usage(res: ollama.ChatResponse) -> Usage:
    return Usage(input_tokens=res.prompt_eval_count or 0, output_tokens=res.eval_count or 0)


def _calls(res: ollama.ChatResponse) -> list[ToolCallPart]:
    return [
        ToolCallPart(f"call_{uuid.uuid4().hex[:8]}", c.function.name, dict(c.function.arguments))
        for c in res.message.tool_calls or []
    ]


class OllamaProvider(BaseProvider):
    spec: ClassVar[ProviderSpec] = OLLAMA

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._client = self._sdk(config.api_key)
        self._models = ModelCache(
            self.instance_id, load_catalog(NAME), ttl_s=config.models_cache_ttl_s
        )
        self._families: dict[str, frozenset[str]] = {}
        # Models that answered "does not support thinking": `think` is no longer sent to them.
        self._no_think: set[str] = set()

    def _sdk(self, api_key: str | None) -> ollama.AsyncClient:
        headers: dict[str, str] = dict(self.config.extra_headers)
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        return ollama.AsyncClient(
            host=self.base_url.rstrip("/"),
            timeout=httpx.Timeout(self.config.timeout_s, connect=self.config.connect_timeout_s),
            headers=headers,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=100),
            verify=ssl_context(),
            event_hooks={"response": [_keep_headers]},
        )

    def _map(self, exc: BaseException) -> ProviderError:
        return map_ollama_error(exc, self.base_url)

    async def aclose(self) -> None:
        await self._client.close()  # type: ignore[no-untyped-call]

    # -- metadata ---------------------------------------------------------------------------

    def get_default_model(self) -> str:
        return self._models.catalog.default_model

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        model = model or self.get_default_model()
        info = self._models.info(model) or self._models.info(_base_name(model))
        if info is not None:
            return capabilities_from(info, _DEFAULT_CAPS)
        families = self._families.get(model) or self._families.get(_base_name(model))
        if families is not None:
            return Capabilities(vision=bool(families & _VISION_FAMILIES), tools=True)
        return _DEFAULT_CAPS

    async def get_models(self) -> list[ModelInfo]:
        return await self._models.get(self._fetch_models)

    async def _fetch_models(self) -> list[ModelInfo]:
        try:
            listing = await self._client.list()
        except Exception as exc:
            raise self._map(exc) from exc
        out: list[ModelInfo] = []
        default_seen = False
        for m in listing.models:
            if not m.model or not is_chat_model(m.model):
                continue  # embedding models are listed too
            families = frozenset((m.details.families or []) if m.details else [])
            self._families[m.model] = families
            known = self._models.catalog.get(_base_name(m.model))
            vision = known.vision if known else bool(families & _VISION_FAMILIES)
            size = m.details.parameter_size if m.details else None
            out.append(
                ModelInfo(
                    id=m.model,
                    provider=self.instance_id,
                    display_name=f"{m.model} ({size})" if size else m.model,
                    context_window=known.context_window if known else None,
                    vision=vision,
                    tools=known.tools if known else True,
                    reasoning=(known is not None and known.reasoning) or thinks(m.model),
                    is_default=not default_seen and _base_name(m.model) == self.get_default_model(),
                )
            )
            default_seen = default_seen or out[-1].is_default
        return out

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        """No key locally: this checks that the server answers (GET /api/tags)."""
        client = self._client if api_key is None else self._sdk(api_key)
        try:
            return await timed_key_check(NAME, client.list, self._map)
        finally:
            if client is not self._client:
                await client.close()  # type: ignore[no-untyped-call]

    # -- chat -------------------------------------------------------------------------------

    def _prepare(self, request: ChatRequest) -> dict[str, Any]:
        require_capabilities(request, self.get_capabilities(request.model), NAME)
        kwargs: dict[str, Any] = {"model": request.model, "messages": _messages(request)}
        if request.tools:
            kwargs["tools"] = [
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
        options = _options(request)
        if options:
            kwargs["options"] = options
        if request.reasoning is not None and request.model not in self._no_think:
            kwargs["think"] = think_value(request.model, request.reasoning)
        return kwargs

    def _without_think(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The same request without `think`, after the model refused it (remembered)."""
        self._no_think.add(str(kwargs["model"]))
        return {k: v for k, v in kwargs.items() if k != "think"}

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        kwargs = self._prepare(request)
        return await retry_call(self.config, lambda: self._send_once(kwargs))

    async def _send_once(self, kwargs: Mapping[str, Any]) -> ChatResponse:
        try:
            try:
                res = await self._client.chat(**kwargs, stream=False)
            except ollama.ResponseError as exc:
                if not _refuses_thinking(exc, kwargs):
                    raise
                kwargs = self._without_think(kwargs)
                res = await self._client.chat(**kwargs, stream=False)
        except Exception as exc:
            raise self._map(exc) from exc
        parts: list[ContentPart] = []
        if res.message.content:
            parts.append(TextPart(res.message.content))
        parts.extend(_calls(res))
        return ChatResponse(
            id=f"ollama-{uuid.uuid4().hex[:12]}",
            provider=self.instance_id,
            model=res.model or str(kwargs["model"]),
            parts=tuple(parts),
            usage=_usage(res),
            finish_reason=_finish(res.done_reason, any(isinstance(p, ToolCallPart) for p in parts)),
        )

    def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        kwargs = self._prepare(request)
        return retry_stream(self.config, lambda: self._stream_once(kwargs))

    async def _stream_once(self, kwargs: Mapping[str, Any]) -> AsyncGenerator[StreamEvent, None]:
        try:
            async with aclosing(self._stream_attempt(kwargs)) as events:
                async for event in events:
                    yield event
            return
        except _ThinkingRefused:
            pass
        async with aclosing(self._stream_attempt(self._without_think(kwargs))) as events:
            async for event in events:
                yield event

    async def _stream_attempt(self, kwargs: Mapping[str, Any]) -> AsyncGenerator[StreamEvent, None]:
        calls = 0
        stream: AsyncIterator[ollama.ChatResponse] | None = None
        started = False
        try:
            stream = await self._client.chat(**kwargs, stream=True)
            async for res in stream:
                started = True
                if res.message.thinking:
                    yield ThinkingDelta(res.message.thinking)
                if res.message.content:
                    yield TextDelta(res.message.content)
                for call in _calls(res):
                    yield ToolCallStart(calls, call.id, call.name)
                    yield ToolCallDelta(calls, dump_json(call.arguments))
                    yield ToolCallEnd(calls, call)
                    calls += 1
                if res.done:
                    usage = _usage(res)
                    yield UsageEvent(usage)
                    yield FinishEvent(_finish(res.done_reason, calls > 0), usage, None, res.model)
                    return
        except ProviderError:
            raise
        except Exception as exc:
            if not started and _refuses_thinking(exc, kwargs):
                raise _ThinkingRefused from exc
            raise self._map(exc) from exc
        finally:
            if stream is not None:
                await stream.aclose()  # type: ignore[attr-defined]
        raise ProviderProtocolError(
            "Ollama's stream ended without its final `done` line.", provider=NAME
        )
