"""Google Gemini, natively, through the official `google-genai` SDK (v1beta generateContent).

What makes Gemini different: the assistant role is `model`; the system prompt is top-level
`systemInstruction`; function calls carry argument objects, usually no id (we synthesize one)
and finish with `STOP` like plain text, so the finish reason is decided by content; tool
results are `functionResponse` parts that need the function's name; an invalid key is a 400
with `API_KEY_INVALID`, and a rate limit says how long to wait in the body (`RetryInfo`), not a
header; usage is repeated on every chunk and only the last one is complete; the SSE stream has
no terminator, so a stream that ends without a finish reason was cut.

Visible thinking: `ChatRequest.reasoning` becomes `thinkingConfig` with `includeThoughts` and,
for Gemini 2.5, a `thinkingBudget` per effort; Gemini 3 takes a `thinkingLevel` instead (low or
high; Gemini 3 Pro has no medium, so medium asks for high). Models that cannot think (2.0,
Gemma) get no thinking config, which they would refuse. Thought parts (`"thought": true`)
stream out as `ThinkingDelta`, never as answer text.

Parameters: Google tunes Gemini 3 and later for their default sampling and asks clients to
leave `temperature` and `topP` out of every request (newer models ignore them, and later ones
are to refuse them), so `ignored_params` reports both for those models and they are not sent.
Gemini 2.x takes them all.

Gemini 3 models sign their function calls (`thoughtSignature`) and want the signature back
with the call. We remember signatures by call id for the life of the provider instance and,
for history we did not see (another provider, a restart), send Google's documented
placeholder that skips the check.
"""

from __future__ import annotations

import base64
import functools
import re
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator
from contextvars import ContextVar
from typing import Any, ClassVar

import httpx
from google import genai
from google.genai import types

from polychat.providers._common import capabilities_from, timed_key_check
from polychat.providers._gemini_wire import finish_reason, map_gemini_error, usage_of
from polychat.providers._native_support import (
    dump_json,
    require_capabilities,
    require_key,
    ssl_context,
)
from polychat.providers.base import (
    BaseProvider,
    Capabilities,
    ChatRequest,
    ChatResponse,
    ContentPart,
    FinishEvent,
    IgnoredParam,
    ImagePart,
    KeyValidation,
    ModelInfo,
    ProviderConfig,
    ProviderError,
    ProviderProtocolError,
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
from polychat.providers.builtin import GEMINI
from polychat.providers.catalog import ModelCache, is_chat_model, load_catalog
from polychat.providers.retry import retry_call, retry_stream
from polychat.providers.spec import ProviderSpec

NAME = "gemini"
ENV_KEY = "GEMINI_API_KEY"
SKIP_SIGNATURE = "skip_thought_signature_validator"
_SIGNATURES_KEPT = 4096
_MODELS_PAGE_SIZE = 1000
_MAX_MODEL_PAGES = 20
_DEFAULT_CAPS = Capabilities(vision=True, tools=True)
# Thinking budgets for Gemini 2.5 (Flash allows 0..24576, Pro 128..32768, Flash-Lite 512..).
THINKING_BUDGETS: dict[ReasoningEffort, int] = {"low": 1024, "medium": 8192, "high": 24576}
# Gemini 3: levels, not budgets. Gemini 3 Pro accepts only low and high.
THINKING_LEVELS: dict[ReasoningEffort, types.ThinkingLevel] = {
    "low": types.ThinkingLevel.LOW,
    "medium": types.ThinkingLevel.HIGH,
    "high": types.ThinkingLevel.HIGH,
}
_GENERATION = re.compile(r"^gemini-(\d+)")
_DEFAULT_SAMPLING = (
    "Gemini 3 and later are tuned for their default sampling; Google asks that this setting "
    "be left out, so it is not sent."
)
DEFAULT_SAMPLING_RULES = (
    IgnoredParam("temperature", "sampling_fixed", _DEFAULT_SAMPLING),
    IgnoredParam("top_p", "sampling_fixed", _DEFAULT_SAMPLING),
)

# The SDK wraps its HTTP response in three nested async generators and closing the outer one
# does not reach the response, so a cancelled stream would keep the upstream connection (and
# the model's generation) alive. Each stream collects the responses it opened, through an
# httpx response hook running in the stream's own task, and closes them itself.
_opened: ContextVar[list[httpx.Response] | None] = ContextVar("gemini_opened", default=None)


async def _track_response(response: httpx.Response) -> None:
    sink = _opened.get()
    if sink is not None:
        sink.append(response)


# ---------------------------------------------------------------------------------------------
# The provider
# ---------------------------------------------------------------------------------------------


@functools.cache
def _unused_sync_client() -> httpx.Client:
    """Shared by every instance and never used (we only call `client.aio`); without it the SDK
    builds its own sync client, with a fresh TLS context, per instance. It never opens a
    connection, so closing it is never needed."""
    return httpx.Client(verify=ssl_context())


class GeminiProvider(BaseProvider):
    spec: ClassVar[ProviderSpec] = GEMINI

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._http = self._http_client()
        self._client = self._sdk(config.api_key, self._http)
        self._models = ModelCache(
            self.instance_id, load_catalog(NAME), ttl_s=config.models_cache_ttl_s
        )
        self._signatures: OrderedDict[str, str] = OrderedDict()

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def api_root(self) -> str:
        """The SDK appends `v1beta/...` itself, so a configured `.../v1beta` is trimmed."""
        url = self.base_url.rstrip("/")
        return url[: -len("/v1beta")] if url.endswith("/v1beta") else url

    def _http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=httpx.Timeout(self.config.timeout_s, connect=self.config.connect_timeout_s),
            follow_redirects=True,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=100),
            verify=ssl_context(),
            event_hooks={"response": [_track_response]},
        )

    def _sdk(self, api_key: str | None, http: httpx.AsyncClient) -> genai.Client:
        # No retry_options: the SDK then never retries; retries are ours (retry.py).
        options = types.HttpOptions(
            base_url=self.api_root + "/",
            api_version="v1beta",
            timeout=int(self.config.timeout_s * 1000),
            headers=dict(self.config.extra_headers),
            httpx_async_client=http,
            httpx_client=_unused_sync_client(),
            async_client_args={"ssl": ssl_context()},  # else a websocket TLS context per instance
        )
        # A placeholder when there is no key: the SDK refuses to be built without one (and
        # would read GOOGLE_API_KEY from the environment); calls check the real key first.
        return genai.Client(api_key=api_key or "unset", http_options=options)

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- metadata ---------------------------------------------------------------------------

    def get_default_model(self) -> str:
        return self._models.catalog.default_model

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        model = model or self.get_default_model()
        if _is_gemma(model):  # open models served by the API: no tools, no system prompt
            return Capabilities(vision=True, tools=False, system_prompt=False)
        return capabilities_from(self._models.info(model), _DEFAULT_CAPS)

    async def get_models(self) -> list[ModelInfo]:
        return await self._models.get(self._fetch_models)

    async def _fetch_models(self) -> list[ModelInfo]:
        require_key(self.config.api_key, NAME, ENV_KEY)
        try:
            pager = await self._client.aio.models.list(config={"page_size": _MODELS_PAGE_SIZE})
            out: list[ModelInfo] = []
            pages = 1
            while True:
                for m in pager.page:
                    model_id = (m.name or "").removeprefix("models/")
                    if "generateContent" not in (m.supported_actions or []):
                        continue  # embedding models answer embedContent only
                    if not is_chat_model(model_id):
                        continue  # TTS, image and AQA models also list generateContent
                    out.append(
                        ModelInfo(
                            id=model_id,
                            provider=self.instance_id,
                            display_name=m.display_name or model_id,
                            context_window=m.input_token_limit,
                            max_output_tokens=m.output_token_limit,
                            vision=True,
                            tools=not _is_gemma(model_id),
                            reasoning=m.thinking if m.thinking is not None else thinks(model_id),
                        )
                    )
                if not pager.config.get("page_token") or pages >= _MAX_MODEL_PAGES:
                    return out
                await pager.next_page()
                pages += 1
        except Exception as exc:
            raise map_gemini_error(exc) from exc

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        async def probe(client: genai.Client, key: str | None) -> None:
            require_key(key, NAME, ENV_KEY)
            await client.aio.models.list(config={"page_size": 1})

        if api_key is None:
            return await timed_key_check(
                NAME,
                lambda: probe(self._client, require_key(self.config.api_key, NAME, ENV_KEY)),
                map_gemini_error,
            )
        http = self._http_client()
        client = self._sdk(api_key, http)
        try:
            return await timed_key_check(NAME, lambda: probe(client, api_key), map_gemini_error)
        finally:
            await http.aclose()

    # -- requests ---------------------------------------------------------------------------

    def _contents(self, request: ChatRequest) -> list[dict[str, Any]]:
        names: dict[str, str] = {}
        needs_signature = request.model.startswith("gemini-3")
        contents: list[dict[str, Any]] = []
        if request.system and _is_gemma(request.model):
            # Gemma rejects systemInstruction ("Developer instruction is not enabled").
            contents.append({"role": "user", "parts": [{"text": request.system}]})
        for message in request.messages:
            parts: list[dict[str, Any]] = []
            for p in message.parts:
                if isinstance(p, TextPart):
                    if p.text:
                        parts.append({"text": p.text})
                elif isinstance(p, ImagePart):
                    parts.append({"inline_data": {"mime_type": p.media_type, "data": p.data}})
                elif isinstance(p, ToolCallPart):
                    names[p.id] = p.name
                    part: dict[str, Any] = {"function_call": {"name": p.name, "args": p.arguments}}
                    signature = self._signatures.get(p.id)
                    if signature is None and needs_signature:
                        signature = SKIP_SIGNATURE
                    if signature is not None:
                        part["thought_signature"] = signature
                    parts.append(part)
                elif isinstance(p, ToolResultPart):
                    key = "error" if p.is_error else "result"
                    name = p.name or names.get(p.tool_call_id, "tool")
                    parts.append(
                        {"function_response": {"name": name, "response": {key: p.content}}}
                    )
            if parts:
                role = "model" if message.role == "assistant" else "user"
                contents.append({"role": role, "parts": parts})
        return contents

    def ignored_params(self, model_id: str) -> tuple[IgnoredParam, ...]:
        generation = _GENERATION.match(model_id)
        return DEFAULT_SAMPLING_RULES if generation and int(generation.group(1)) >= 3 else ()

    def _config(self, request: ChatRequest) -> types.GenerateContentConfig:
        thinking = request.reasoning is not None
        request = drop_ignored(request, self.ignored_params(request.model), thinking=thinking)
        tools = None
        if request.tools:
            declarations = [
                types.FunctionDeclaration(
                    name=t.name, description=t.description, parameters_json_schema=t.parameters
                )
                for t in request.tools
            ]
            tools = [types.Tool(function_declarations=declarations)]
        return types.GenerateContentConfig(
            thinking_config=self._thinking(request),
            system_instruction=None if _is_gemma(request.model) else request.system or None,
            temperature=request.temperature,
            top_p=request.top_p,
            max_output_tokens=request.max_tokens,
            stop_sequences=list(request.stop) or None,
            tools=tools,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )

    def _thinking(self, request: ChatRequest) -> types.ThinkingConfig | None:
        """The thinking config for the asked effort; None when no effort was asked (the
        model's default applies) or the model cannot think."""
        effort = request.reasoning
        if effort is None:
            return None
        if request.model.startswith("gemini-3"):
            return types.ThinkingConfig(
                include_thoughts=True, thinking_level=THINKING_LEVELS[effort]
            )
        info = self._models.info(request.model)
        if not (info.reasoning if info is not None else thinks(request.model)):
            return None
        return types.ThinkingConfig(include_thoughts=True, thinking_budget=THINKING_BUDGETS[effort])

    def _prepare(self, request: ChatRequest) -> tuple[list[Any], types.GenerateContentConfig]:
        require_key(self.config.api_key, NAME, ENV_KEY)
        require_capabilities(request, self.get_capabilities(request.model), NAME)
        return self._contents(request), self._config(request)

    def _remember(self, call_id: str, signature: bytes | None) -> None:
        if signature:
            self._signatures[call_id] = base64.b64encode(signature).decode("ascii")
            while len(self._signatures) > _SIGNATURES_KEPT:
                self._signatures.popitem(last=False)

    # -- responses --------------------------------------------------------------------------

    def _parts(self, chunk: types.GenerateContentResponse) -> list[ContentPart | ThinkingDelta]:
        """A chunk's parts in order; thought summaries as `ThinkingDelta`, apart from text."""
        out: list[ContentPart | ThinkingDelta] = []
        candidates = chunk.candidates or []
        content = candidates[0].content if candidates else None
        for part in (content.parts if content is not None else None) or []:
            if part.function_call is not None:
                call = part.function_call
                call_id = call.id or f"call_{uuid.uuid4().hex[:16]}"
                self._remember(call_id, part.thought_signature)
                out.append(ToolCallPart(call_id, call.name or "", dict(call.args or {})))
            elif part.text:
                out.append(ThinkingDelta(part.text) if part.thought else TextPart(part.text))
        return out

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        contents, config = self._prepare(request)
        return await retry_call(
            self.config, lambda: self._send_once(request.model, contents, config)
        )

    async def _send_once(
        self, model: str, contents: list[dict[str, Any]], config: types.GenerateContentConfig
    ) -> ChatResponse:
        try:
            res = await self._client.aio.models.generate_content(
                model=model,
                contents=contents,
                config=config,
            )
        except Exception as exc:
            raise map_gemini_error(exc) from exc
        parts = [p for p in self._parts(res) if not isinstance(p, ThinkingDelta)]
        reason = finish_reason(res, any(isinstance(p, ToolCallPart) for p in parts))
        return ChatResponse(
            id=res.response_id or "",
            provider=self.instance_id,
            model=res.model_version or model,
            parts=tuple(parts),
            usage=usage_of(res.usage_metadata),
            finish_reason=reason or "stop",
        )

    def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        contents, config = self._prepare(request)
        return retry_stream(self.config, lambda: self._stream_once(request.model, contents, config))

    async def _stream_once(
        self, model: str, contents: list[dict[str, Any]], config: types.GenerateContentConfig
    ) -> AsyncGenerator[StreamEvent, None]:
        opened: list[httpx.Response] = []
        _opened.set(opened)
        try:
            stream = await self._client.aio.models.generate_content_stream(
                model=model,
                contents=contents,
                config=config,
            )
        except Exception as exc:
            raise map_gemini_error(exc) from exc
        calls = 0
        usage: Usage | None = None
        try:
            async for chunk in stream:
                for part in self._parts(chunk):
                    if isinstance(part, TextPart):
                        yield TextDelta(part.text)
                    elif isinstance(part, ThinkingDelta):
                        yield part
                    elif isinstance(part, ToolCallPart):
                        yield ToolCallStart(calls, part.id, part.name)
                        yield ToolCallDelta(calls, dump_json(part.arguments))
                        yield ToolCallEnd(calls, part)
                        calls += 1
                if chunk.usage_metadata is not None:
                    usage = usage_of(chunk.usage_metadata)
                reason = finish_reason(chunk, calls > 0)
                if reason is not None:
                    if usage is not None:
                        yield UsageEvent(usage)
                    yield FinishEvent(reason, usage, chunk.response_id, chunk.model_version)
                    return
        except ProviderError:
            raise
        except Exception as exc:
            raise map_gemini_error(exc) from exc
        finally:
            _opened.set(None)
            await stream.aclose()  # type: ignore[attr-defined]
            for response in opened:
                await response.aclose()
        raise ProviderProtocolError(
            "Gemini's stream ended before the answer was complete.", provider=NAME
        )


def thinks(model_id: str) -> bool:
    """Id rule for models neither the catalog nor the live list describes: Gemini 2.5 and 3
    think (2.0 and Gemma do not)."""
    return model_id.startswith(("gemini-2.5", "gemini-3"))


def _is_gemma(model: str) -> bool:
    return model.startswith("gemma-")
