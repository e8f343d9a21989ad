"""Mistral, natively, through the official `mistralai` SDK (chat completions, SSE).

What makes Mistral different from the OpenAI wire format it resembles: it rejects any request
field it does not know (422 `extra_forbidden`), so we only ever pass the SDK's own parameters;
tool-call ids must be exactly nine `[A-Za-z0-9]` characters on replay, so ids written by other
providers are rewritten deterministically (the call and its result map to the same new id);
tool calls arrive whole; usage rides on the finish chunk; and `finish_reason: "error"` is its
only in-band error signal.

Thinking: Magistral models always reason and take no parameter for it (any field outside the
schema is a 422), so `ChatRequest.reasoning` is not sent; their `thinking` content chunks
stream out as `ThinkingDelta`. Which models reason comes from the live list's
`capabilities.reasoning` (the catalog marks Magistral).
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, ClassVar

import httpx2
from mistralai.client import Mistral
from mistralai.client.errors import MistralError, NoResponseError, ResponseValidationError
from mistralai.client.models import BaseModelCard, FTModelCard
from pydantic import ValidationError

from polychat.providers._common import capabilities_from, timed_key_check
from polychat.providers._mistral_wire import (
    build_request,
    content_events,
    finish_reason,
    text_of,
    tool_call_part,
    usage_of,
)
from polychat.providers._native_support import (
    dump_json,
    parse_json_object,
    require_capabilities,
    require_key,
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
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    UsageEvent,
)
from polychat.providers.builtin import MISTRAL
from polychat.providers.catalog import ModelCache, load_catalog
from polychat.providers.retry import parse_retry_after, retry_call, retry_stream
from polychat.providers.spec import ProviderSpec

NAME = "mistral"
ENV_KEY = "MISTRAL_API_KEY"

# The spec's models, offered even when the account's live list omits one of them.
REQUIRED_MODELS = (
    "mistral-large-latest",
    "mistral-medium-latest",
    "mistral-small-latest",
    "open-mistral-7b",
)
ALIASES = {"mistral-7b-instruct": "open-mistral-7b", "mistral-tiny": "open-mistral-7b"}

_DEFAULT_CAPS = Capabilities(vision=False, tools=True)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def _error_text(body: dict[str, Any], fallback: str) -> str:
    """Mistral's message may be a string, an object with `detail`, or a list of details."""
    message: Any = body.get("message", body.get("detail"))
    if isinstance(message, dict):
        message = message.get("detail", message)
    if isinstance(message, list):
        parts = [
            f"{'.'.join(str(x) for x in d.get('loc', ()))}: {d.get('msg', '')}"
            if isinstance(d, dict)
            else str(d)
            for d in message
        ]
        message = "; ".join(parts)
    return str(message) if message else fallback


def map_mistral_error(exc: BaseException) -> ProviderError:
    """Every failure of the Mistral SDK, as one of our errors (the one place this happens)."""
    if isinstance(exc, ProviderError):
        return exc
    unreachable = "Cannot reach Mistral; check the network or the configured base URL."
    mapped = transport_error(exc, NAME, unreachable=unreachable)
    if mapped is not None:
        return mapped
    if isinstance(exc, NoResponseError):
        return ProviderUnavailableError(unreachable, provider=NAME)
    if isinstance(exc, ResponseValidationError | ValidationError | ValueError):
        return ProviderProtocolError(
            f"Mistral sent a response we could not read: {exc}", provider=NAME
        )
    if not isinstance(exc, MistralError):
        return ProviderError(f"Unexpected Mistral failure: {exc!r}", provider=NAME)
    status = exc.status_code
    body = parse_json_object(exc.body)
    text = _error_text(body, exc.body or f"HTTP {status}")
    kind = str(body.get("type") or "")
    if status in (401, 403):
        return ProviderAuthError(
            f"Mistral rejected the API key ({text}). Check it in Settings → Providers.",
            provider=NAME,
            status=status,
        )
    if status == 402 or "quota" in text.lower() or "billing" in text.lower():
        return ProviderQuotaError(
            f"Mistral says the account has no quota or credit left: {text}",
            provider=NAME,
            status=status,
        )
    if status == 429:
        return ProviderRateLimitError(
            f"Mistral rate limit reached: {text}",
            provider=NAME,
            status=status,
            retry_after=parse_retry_after(exc.headers),
        )
    if status == 404 or kind == "invalid_model":
        return ProviderModelNotFoundError(f"Mistral: {text}", provider=NAME, status=status)
    if status == 408:
        return ProviderTimeoutError(f"Mistral timed out: {text}", provider=NAME, status=status)
    if status in (503, 529):
        return ProviderOverloadedError(
            f"Mistral is overloaded: {text}",
            provider=NAME,
            status=status,
            retry_after=parse_retry_after(exc.headers),
        )
    if status >= 500:
        return ProviderUnavailableError(
            f"Mistral server error: {text}", provider=NAME, status=status
        )
    return ProviderBadRequestError(
        f"Mistral refused the request: {text}", provider=NAME, status=status
    )


# ---------------------------------------------------------------------------------------------
# The provider
# ---------------------------------------------------------------------------------------------


@functools.cache
def _unused_sync_client() -> httpx2.Client:
    """Shared by every instance and never used (we only call async methods); without it the
    SDK builds its own sync client, with a fresh TLS context, per instance. It never opens a
    connection, so there is nothing to close."""
    return httpx2.Client(verify=ssl_context())


class MistralProvider(BaseProvider):
    spec: ClassVar[ProviderSpec] = MISTRAL

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._http = self._http_client()
        self._client = self._sdk(config.api_key, self._http)
        self._models = ModelCache(
            self.instance_id, load_catalog(NAME), ttl_s=config.models_cache_ttl_s
        )

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        """The SDK appends `/v1/...` itself, so a configured `.../v1` is trimmed."""
        url = self.base_url.rstrip("/")
        return url[: -len("/v1")] if url.endswith("/v1") else url

    def _http_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            timeout=httpx2.Timeout(self.config.timeout_s, connect=self.config.connect_timeout_s),
            headers=dict(self.config.extra_headers),
            follow_redirects=True,
            limits=httpx2.Limits(max_connections=None, max_keepalive_connections=100),
            verify=ssl_context(),
        )

    def _sdk(self, api_key: str | None, http: httpx2.AsyncClient) -> Mistral:
        # retry_config=None: retries are ours (retry.py), never the SDK's.
        return Mistral(
            api_key=api_key or "",
            server_url=self.server_url,
            async_client=http,
            client=_unused_sync_client(),
            retry_config=None,
            timeout_ms=int(self.config.timeout_s * 1000),
        )

    def resolve_model(self, model: str) -> str:
        return ALIASES.get(model, model)

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- metadata ---------------------------------------------------------------------------

    def get_default_model(self) -> str:
        return self._models.catalog.default_model

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        info = self._models.info(self.resolve_model(model or self.get_default_model()))
        return capabilities_from(info, _DEFAULT_CAPS)

    async def get_models(self) -> list[ModelInfo]:
        return await self._models.get(self._fetch_models)

    async def _fetch_models(self) -> list[ModelInfo]:
        require_key(self.config.api_key, NAME, ENV_KEY)
        try:
            listing = await self._client.models.list_async()
        except Exception as exc:
            raise map_mistral_error(exc) from exc
        live: list[ModelInfo] = []
        for card in listing.data or []:
            if not isinstance(card, BaseModelCard | FTModelCard):
                continue  # a card type newer than this SDK knows
            caps = card.capabilities
            if not caps.completion_chat:
                continue
            name = card.name if isinstance(card.name, str) and card.name else card.id
            live.append(
                ModelInfo(
                    id=card.id,
                    provider=self.instance_id,
                    display_name=name,
                    context_window=card.max_context_length,
                    vision=bool(caps.vision),
                    tools=bool(caps.function_calling),
                    reasoning=bool(caps.reasoning),
                )
            )
        seen = {m.id for m in live}
        for required in REQUIRED_MODELS:
            known = self._models.catalog.get(required)
            if required not in seen and known is not None:
                live.append(known)
        return live

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        async def probe(client: Mistral, key: str | None) -> None:
            require_key(key, NAME, ENV_KEY)
            await client.models.list_async()

        if api_key is None:
            return await timed_key_check(
                NAME, lambda: probe(self._client, self.config.api_key), map_mistral_error
            )
        http = self._http_client()
        try:
            client = self._sdk(api_key, http)
            return await timed_key_check(NAME, lambda: probe(client, api_key), map_mistral_error)
        finally:
            await http.aclose()

    # -- chat -------------------------------------------------------------------------------

    def _prepare(self, request: ChatRequest) -> dict[str, Any]:
        model = self.resolve_model(request.model)
        require_key(self.config.api_key, NAME, ENV_KEY)
        require_capabilities(request, self.get_capabilities(model), NAME)
        return build_request(request, model)

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        kwargs = self._prepare(request)
        return await retry_call(self.config, lambda: self._send_once(kwargs))

    async def _send_once(self, kwargs: dict[str, Any]) -> ChatResponse:
        try:
            res = await self._client.chat.complete_async(**kwargs)
        except Exception as exc:
            raise map_mistral_error(exc) from exc
        data = res.model_dump(mode="json", by_alias=True)
        choices = data.get("choices") or []
        if not choices:
            raise ProviderProtocolError("Mistral answered with no choices.", provider=NAME)
        message = choices[0].get("message") or {}
        parts: list[ContentPart] = []
        text = text_of(message.get("content"))
        if text:
            parts.append(TextPart(text))
        for i, call in enumerate(message.get("tool_calls") or []):
            parts.append(tool_call_part(call, i))
        saw_calls = any(isinstance(p, ToolCallPart) for p in parts)
        return ChatResponse(
            id=str(data.get("id", "")),
            provider=self.instance_id,
            model=str(data.get("model", kwargs["model"])),
            parts=tuple(parts),
            usage=usage_of(data.get("usage")),
            finish_reason=finish_reason(choices[0].get("finish_reason"), saw_calls),
        )

    def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        kwargs = self._prepare(request)
        return retry_stream(self.config, lambda: self._stream_once(kwargs))

    async def _stream_once(self, kwargs: dict[str, Any]) -> AsyncGenerator[StreamEvent, None]:
        """The SDK opens the stream (auth, body, error statuses); we decode the SSE lines,
        one `json.loads` per chunk, because the SDK's own decoder is the slowest part."""
        try:
            stream = await self._client.chat.stream_async(**kwargs)
        except Exception as exc:
            raise map_mistral_error(exc) from exc
        calls = 0
        try:
            async for line in stream.response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                choices = chunk.get("choices")
                if not choices:
                    continue
                choice = choices[0]
                delta = choice.get("delta") or {}
                content = delta.get("content")
                if isinstance(content, str):  # the usual case, kept cheap
                    if content:
                        yield TextDelta(content)
                elif content:
                    for event in content_events(content):
                        yield event
                for call in delta.get("tool_calls") or []:
                    part = tool_call_part(call, calls)
                    raw = (call.get("function") or {}).get("arguments")
                    yield ToolCallStart(calls, part.id, part.name)
                    yield ToolCallDelta(
                        calls, raw if isinstance(raw, str) else dump_json(raw or {})
                    )
                    yield ToolCallEnd(calls, part)
                    calls += 1
                reason = choice.get("finish_reason")
                if reason is not None:
                    mapped = finish_reason(reason, calls > 0)
                    usage = usage_of(chunk["usage"]) if chunk.get("usage") else None
                    if usage is not None:
                        yield UsageEvent(usage)
                    yield FinishEvent(mapped, usage, chunk.get("id"), chunk.get("model"))
                    return
        except ProviderError:
            raise
        except Exception as exc:
            raise map_mistral_error(exc) from exc
        finally:
            await stream.close()  # type: ignore[no-untyped-call]
        raise ProviderProtocolError(
            "Mistral's stream ended before the answer was complete.", provider=NAME
        )
