"""OpenAI, natively: Chat Completions through the official `openai` SDK.

This class is also the adapter every other Chat Completions speaker reuses (OpenRouter,
OpenAI-compatible servers): they subclass it and change only their dialect through the hooks
below (`max_tokens_field`, `stream_options`, `default_caps`, `_live_models`, `_check_key`,
`_client_headers`). The wire mapping itself lives in openai_wire.py.

OpenAI specifics: `max_completion_tokens` is always sent (reasoning models reject
`max_tokens`), usage is asked for with `stream_options.include_usage` and arrives in a chunk
with `choices: []`, and a 429 is a quota error when its code is `insufficient_quota`.

Reasoning: `ChatRequest.reasoning` becomes `reasoning_effort` for reasoning models only (o1,
o3, o4, gpt-5; other models refuse the field). Chat Completions never return the reasoning
text, so nothing is shown while o-series models think. Subclasses map the effort their own
way through `_reasoning_params`.

Parameters: reasoning models take only the default sampling. They answer 400 to a
`temperature` other than 1 (`unsupported_value`) and to `top_p`, `presence_penalty`,
`frequency_penalty` and `logprobs` (`unsupported_parameter`), so `ignored_params` drops
temperature and top_p for them (the other three are never sent: `ChatRequest` has no such
fields). Subclasses state their own rules by overriding `ignored_params`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, ClassVar, cast

import httpx2
import openai

from polychat.providers import openai_wire as wire
from polychat.providers._common import (
    capabilities_from,
    check_capabilities,
    http_client,
    sse_data_bytes,
    timed_key_check,
)
from polychat.providers.base import (
    BaseProvider,
    Capabilities,
    ChatRequest,
    ChatResponse,
    IgnoredParam,
    KeyValidation,
    ModelInfo,
    ProviderConfig,
    ProviderError,
    ProviderProtocolError,
    ReasoningEffort,
    StreamEvent,
    Usage,
    drop_ignored,
)
from polychat.providers.builtin import OPENAI
from polychat.providers.catalog import ModelCache, is_chat_model
from polychat.providers.retry import retry_call, retry_stream
from polychat.providers.spec import ProviderSpec

_ONLY_DEFAULT = (
    "OpenAI's reasoning models only use their default sampling; this setting is not sent to them."
)
REASONING_MODEL_RULES = (
    IgnoredParam("temperature", "reasoning_model", _ONLY_DEFAULT),
    IgnoredParam("top_p", "reasoning_model", _ONLY_DEFAULT),
)


class OpenAIProvider(BaseProvider):
    spec: ClassVar[ProviderSpec] = OPENAI
    max_tokens_field: ClassVar[str] = "max_completion_tokens"
    stream_options: ClassVar[dict[str, Any] | None] = {"include_usage": True}
    # For a model neither the live list nor the catalog describes: let the upstream decide.
    default_caps: ClassVar[Capabilities] = Capabilities(vision=True, tools=True)

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._http = http_client(config)
        self._client = openai.AsyncOpenAI(
            api_key=config.api_key or "no-key",
            base_url=self.base_url,
            max_retries=0,
            http_client=self._http,
            default_headers={**self._client_headers(), **config.extra_headers},
        )
        self._models = ModelCache(
            self.instance_id, self.shipped_catalog(), ttl_s=config.models_cache_ttl_s
        )

    def _client_headers(self) -> dict[str, str]:
        return {}

    async def aclose(self) -> None:
        await self._client.close()
        await self._http.aclose()

    def _error(self, exc: Exception) -> ProviderError:
        return wire.map_error(exc, self.instance_id)

    # -- models and capabilities -------------------------------------------------------------

    def get_default_model(self) -> str:
        return self._models.catalog.default_model

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        info = self._models.info(model or self.get_default_model())
        return capabilities_from(info, self.default_caps)

    async def get_models(self) -> list[ModelInfo]:
        return await self._models.get(self._live_models)

    async def _live_models(self) -> list[ModelInfo]:
        page = await self._client.models.list()
        return [
            ModelInfo(
                m.id,
                self.instance_id,
                m.id,
                vision=True,
                tools=True,
                reasoning=wire.is_reasoning_model(m.id),
            )
            for m in page.data
            if is_chat_model(m.id)
        ]

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        client = self._client if api_key is None else self._client.with_options(api_key=api_key)

        async def check() -> None:
            try:
                await self._check_key(client)
            except Exception as exc:
                raise self._error(exc) from exc

        return await timed_key_check(self.instance_id, check, self._error)

    async def _check_key(self, client: openai.AsyncOpenAI) -> None:
        await client.models.list()

    # -- chat ---------------------------------------------------------------------------------

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        check_capabilities(request, self.get_capabilities(request.model), self.instance_id)
        thinking = request.reasoning is not None
        request = drop_ignored(request, self.ignored_params(request.model), thinking=thinking)
        params = wire.to_params(request, max_tokens_field=self.max_tokens_field)
        if request.reasoning is not None:
            params.update(self._reasoning_params(request.model, request.reasoning))
        return params

    def _is_reasoning(self, model: str) -> bool:
        """A reasoning model by the live list or catalog, else by its id."""
        info = self._models.info(model)
        return info.reasoning if info is not None else wire.is_reasoning_model(model)

    def ignored_params(self, model_id: str) -> tuple[IgnoredParam, ...]:
        return REASONING_MODEL_RULES if self._is_reasoning(model_id) else ()

    def _reasoning_params(self, model: str, effort: ReasoningEffort) -> dict[str, Any]:
        """The fields that ask `model` to think at `effort`; OpenAI's: `reasoning_effort`,
        for reasoning models only (any other model answers 400 to it)."""
        return {"reasoning_effort": effort} if self._is_reasoning(model) else {}

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        params = self._params(request)
        return await retry_call(self.config, lambda: self._send_once(params))

    async def _send_once(self, params: dict[str, Any]) -> ChatResponse:
        try:
            completion = await self._client.chat.completions.create(**_sdk_args(params))
            if not completion.choices:
                raise ProviderProtocolError(
                    f"{self.instance_id} answered with no choices", provider=self.instance_id
                )
            choice = completion.choices[0]
            parts = wire.message_parts(choice.message, self.instance_id)
        except Exception as exc:
            raise self._error(exc) from exc
        has_calls = bool(choice.message.tool_calls)
        return ChatResponse(
            id=completion.id,
            provider=self.instance_id,
            model=completion.model,
            parts=parts,
            usage=wire.to_usage(completion.usage.model_dump()) if completion.usage else Usage(),
            finish_reason=wire.finish_reason(choice.finish_reason, has_calls),
        )

    def stream_message(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        params = self._params(request)
        params["stream"] = True
        if self.stream_options is not None:
            params["stream_options"] = self.stream_options
        return retry_stream(self.config, lambda: self._stream_once(params))

    async def _stream_once(self, params: dict[str, Any]) -> AsyncGenerator[StreamEvent, None]:
        """The SDK makes the request (auth, headers, status errors); the body is parsed here,
        as plain dicts, because the SDK's typed chunks cost more than everything else."""
        mapper = wire.ChunkMapper(self.instance_id)
        create = self._client.chat.completions.with_streaming_response.create
        try:
            async with create(**_sdk_args(params)) as response:
                http = response.http_response
                async for data in sse_data_bytes(http.aiter_bytes()):
                    if data.startswith(b"[DONE]"):
                        await _drain(http)
                        break
                    for event in mapper.feed(json.loads(data)):
                        yield event
        except ProviderError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc
        for event in mapper.finish():
            yield event


# What the SDK itself allows for reading the end of the body after [DONE].
_DRAIN_S = 0.1


async def _drain(http: httpx2.Response) -> None:
    """Read the body to its end after [DONE], as the SDK's own stream does: on HTTP/1.1 only
    a fully read response hands its connection back to the pool. Without it every answer
    closed its connection and the next one paid a new TCP connect (and a name lookup)."""
    if http.http_version != "HTTP/1.1" or http.is_closed:
        return
    try:
        async with asyncio.timeout(_DRAIN_S):
            async for _ in cast(AsyncIterator[bytes], http.stream):
                pass
    except (TimeoutError, httpx2.HTTPError, httpx2.StreamError):
        pass  # the answer is whole; only the connection is lost


def _sdk_args(params: dict[str, Any]) -> dict[str, Any]:
    """The request for the SDK, with the body handed over pre-built through its `extra_body`.

    The SDK's `create()` walks every message of the body against its TypedDicts before sending
    (~1-1.6 ms of CPU per request, measured, before the first byte goes out). For the
    Chat Completions params built by `openai_wire.to_params` that walk is an identity: plain
    JSON values, no aliased fields, no dates or files to encode. So the required arguments are
    given empty and `extra_body` (merged over the SDK's body, key by key) carries the real
    ones; the JSON sent is the same. The SDK still builds and sends the request, signs it and
    raises its typed status errors.
    """
    body = dict(params)
    args: dict[str, Any] = {"model": body.pop("model"), "messages": [], "extra_body": body}
    if "stream" in body:
        args["stream"] = body.pop("stream")
    return args
