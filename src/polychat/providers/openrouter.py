"""OpenRouter: the OpenAI adapter with OpenRouter's dialect (provider-protocols §7).

Differences handled here or by the shared mapping: base URL `https://openrouter.ai/api/v1`;
attribution headers (`HTTP-Referer`, `X-Title` / `X-OpenRouter-Title`) on every request;
`: OPENROUTER PROCESSING` keep-alive comments (the SDK's SSE decoder skips them); model ids
of the form `vendor/model[:variant]`; usage always sent in the last chunk (so no
`stream_options`), with a reported `cost` that becomes `Usage.cost_usd`; 402 = out of credits
(a quota error); an in-stream chunk with a top-level `error` (numeric or string code) mapped
like an HTTP error; `max_tokens`; the public model list, whose `architecture` and
`supported_parameters` say which models see images and call tools; the key checked with
`GET /api/v1/key` since the model list needs no key.

Reasoning: the effort goes as OpenRouter's unified `reasoning: {"effort": ...}`, which it
translates for each upstream (Anthropic budgets, OpenAI efforts, ...); reasoning text streams
back as `delta.reasoning` (see openai_wire). A model can think when its `supported_parameters`
list `reasoning`.

Parameters: OpenRouter itself drops a parameter the chosen model does not take (never a 400),
and its model list says which ones a model takes (`supported_parameters`). A conversation
parameter missing from that list is reported by `ignored_params` and left out of the request
too, so what the settings show disabled is exactly what is not sent. Models known only from
the catalog (the live list failed) take everything: OpenRouter still filters on its side.
"""

from __future__ import annotations

from typing import Any, ClassVar

import openai

from polychat.providers.base import (
    IgnoredParam,
    ModelInfo,
    ParamName,
    ProviderConfig,
    ReasoningEffort,
)
from polychat.providers.builtin import OPENROUTER
from polychat.providers.openai import OpenAIProvider
from polychat.providers.spec import ProviderSpec

APP_URL = "https://github.com/polychat/polychat"
APP_TITLE = "Polychat"
# Conversation parameters, by their name in OpenRouter's `supported_parameters`.
PARAMS: tuple[ParamName, ...] = ("temperature", "top_p", "max_tokens", "stop")
NOT_SUPPORTED = "OpenRouter does not pass this setting to this model (the model does not take it)."


class OpenRouterProvider(OpenAIProvider):
    spec: ClassVar[ProviderSpec] = OPENROUTER
    max_tokens_field: ClassVar[str] = "max_tokens"
    stream_options: ClassVar[dict[str, Any] | None] = None  # usage is always sent

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        # Per model: the conversation parameters its live `supported_parameters` leave out.
        self._unsupported: dict[str, tuple[ParamName, ...]] = {}

    def ignored_params(self, model_id: str) -> tuple[IgnoredParam, ...]:
        return tuple(
            IgnoredParam(p, "not_supported", NOT_SUPPORTED)
            for p in self._unsupported.get(model_id, ())
        )

    def _client_headers(self) -> dict[str, str]:
        return {"HTTP-Referer": APP_URL, "X-Title": APP_TITLE, "X-OpenRouter-Title": APP_TITLE}

    async def _live_models(self) -> list[ModelInfo]:
        page = await self._client.models.list()
        out: list[ModelInfo] = []
        for m in page.data:
            extra: dict[str, Any] = m.model_extra or {}
            arch = extra.get("architecture") or {}
            if "text" not in (arch.get("output_modalities") or ["text"]):
                continue  # embeddings, image generators
            top = extra.get("top_provider") or {}
            listed = extra.get("supported_parameters")
            supported = listed or []
            if listed is not None:  # no list at all says nothing about any parameter
                self._unsupported[m.id] = tuple(p for p in PARAMS if p not in listed)
            out.append(
                ModelInfo(
                    id=m.id,
                    provider=self.instance_id,
                    display_name=str(extra.get("name") or m.id),
                    context_window=extra.get("context_length"),
                    max_output_tokens=top.get("max_completion_tokens"),
                    vision="image" in (arch.get("input_modalities") or []),
                    tools="tools" in supported,
                    reasoning="reasoning" in supported,
                )
            )
        return out

    def _reasoning_params(self, model: str, effort: ReasoningEffort) -> dict[str, Any]:
        return {"reasoning": {"effort": effort}}

    async def _check_key(self, client: openai.AsyncOpenAI) -> None:
        await client.get("/key", cast_to=object)
