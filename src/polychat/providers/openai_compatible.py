"""Any server that speaks Chat Completions: vLLM, llama.cpp server, LM Studio, Ollama's /v1,
Groq, DeepSeek, Together, ...

The OpenAI adapter with what such servers need: a name (the instance id, so several can run
side by side, each with its own client), a base URL (required, there is no sensible default),
an optional key (many local servers take none; the SDK still needs a non-empty string), and an
optional model allowlist that filters the server's `/v1/models` and is the fallback list when
that call fails. `max_tokens` is sent rather than `max_completion_tokens`, which older servers
do not know. Nothing about a model's abilities is assumed: images and tools go through and
the server decides. Reasoning is the server's business too: nothing is sent for
`ChatRequest.reasoning` (there is no common field, and unknown ones are refused by some), and
whatever reasoning the server streams (`reasoning_content` or `reasoning`) is shown.
Parameters likewise: OpenAI's rule for its reasoning models is not applied (a server's model
ids are its own, and such servers take or ignore sampling parameters themselves), so every
parameter the conversation sets is sent.
"""

from __future__ import annotations

from typing import Any, ClassVar

from polychat.providers.base import IgnoredParam, ModelInfo, ProviderConfig, ReasoningEffort
from polychat.providers.builtin import OPENAI_COMPATIBLE
from polychat.providers.catalog import Catalog, ModelCache, is_chat_model
from polychat.providers.openai import OpenAIProvider
from polychat.providers.spec import ProviderSpec


class OpenAICompatibleProvider(OpenAIProvider):
    spec: ClassVar[ProviderSpec] = OPENAI_COMPATIBLE
    max_tokens_field: ClassVar[str] = "max_tokens"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        allowed = tuple(
            ModelInfo(m, self.instance_id, m, vision=True, tools=True, is_default=i == 0)
            for i, m in enumerate(config.model_allowlist)
        )
        self._models = ModelCache(
            self.instance_id, Catalog(self.instance_id, allowed), ttl_s=config.models_cache_ttl_s
        )

    def get_default_model(self) -> str:
        """The first allowlisted model, else the first the server listed; "" before the
        server's list has been read when there is no allowlist."""
        if self.config.model_allowlist:
            return self.config.model_allowlist[0]
        listed = self._models.cached()
        return listed[0].id if listed else ""

    def _reasoning_params(self, model: str, effort: ReasoningEffort) -> dict[str, Any]:
        return {}  # no common field; the server thinks (or not) on its own

    def ignored_params(self, model_id: str) -> tuple[IgnoredParam, ...]:
        return ()  # the server decides; see the module docstring

    async def _live_models(self) -> list[ModelInfo]:
        page = await self._client.models.list()
        allow = set(self.config.model_allowlist)
        return [
            ModelInfo(m.id, self.instance_id, m.id, vision=True, tools=True)
            for m in page.data
            if (m.id in allow if allow else is_chat_model(m.id))
        ]
