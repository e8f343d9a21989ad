"""`ModelInfo`, the shipped model catalog and the live-list cache every `get_models` uses.

It imports nothing from the rest of the provider layer (base.py builds on it), so there is
no import loop between the two.

Each provider ships `providers/catalog/<name>.json`::

    {"provider": "claude",
     "models": [{"id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5",
                 "context_window": 200000, "max_output_tokens": 64000,
                 "vision": true, "tools": true, "reasoning": true, "default": true}]}

It is the fallback when the live list endpoint fails, and the source of metadata the live
list lacks (a live model that is also in the catalog takes the catalog's display name, limits
and capabilities). Exactly one entry should be `"default": true`. `"reasoning": true` marks a
model that can show its thinking when asked (`ModelInfo.reasoning`; missing means false).

How a provider uses it (part B: the same)::

    self._models = ModelCache(self.instance_id, load_catalog("mistral"),
                              ttl_s=config.models_cache_ttl_s)
    async def get_models(self):
        return await self._models.get(self._fetch_live_models)

`_fetch_live_models` returns `ModelInfo`s (use `is_chat_model` to drop embeddings, tts, ...)
and may raise anything: a failure means "serve the catalog", never an error to the caller.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model as Polychat describes it, whoever serves it (re-exported by base.py)."""

    id: str
    provider: str
    display_name: str
    context_window: int | None = None
    max_output_tokens: int | None = None
    vision: bool = False
    tools: bool = False
    is_default: bool = False
    # Can show its thinking when asked (`ChatRequest.reasoning`); the UI offers the toggle.
    reasoning: bool = False


@dataclass(frozen=True, slots=True)
class Catalog:
    """The shipped models of one provider, looked up by id."""

    provider: str
    models: tuple[ModelInfo, ...]

    def get(self, model_id: str) -> ModelInfo | None:
        for model in self.models:
            if model.id == model_id:
                return model
        return None

    @property
    def default_model(self) -> str:
        for model in self.models:
            if model.is_default:
                return model.id
        if not self.models:
            raise LookupError(f"catalog of {self.provider} is empty")
        return self.models[0].id

    def for_provider(self, instance_id: str) -> Catalog:
        """The same catalog under another instance id (several OpenAI-compatible servers)."""
        return Catalog(instance_id, tuple(replace(m, provider=instance_id) for m in self.models))


def parse_catalog(data: dict[str, Any]) -> Catalog:
    provider = str(data["provider"])
    models = tuple(
        ModelInfo(
            id=str(m["id"]),
            provider=provider,
            display_name=str(m.get("display_name") or m["id"]),
            context_window=m.get("context_window"),
            max_output_tokens=m.get("max_output_tokens"),
            vision=bool(m.get("vision", False)),
            tools=bool(m.get("tools", False)),
            reasoning=bool(m.get("reasoning", False)),
            is_default=bool(m.get("default", False)),
        )
        for m in data["models"]
    )
    return Catalog(provider, models)


@cache
def load_catalog(provider: str) -> Catalog:
    """The catalog shipped for `provider`; an empty one if none is shipped."""
    path = resources.files("polychat.providers").joinpath("catalog", f"{provider}.json")
    if not path.is_file():
        return Catalog(provider, ())
    return parse_catalog(json.loads(path.read_text(encoding="utf-8")))


_NON_CHAT = re.compile(
    r"(embed|tts|whisper|dall-e|davinci|babbage|moderation|transcribe|realtime|audio|"
    r"image|search|similarity|rerank|sora|computer-use|aqa|imagen|veo)",
    re.IGNORECASE,
)


def is_chat_model(model_id: str) -> bool:
    """False for ids that name embedding, speech, image, moderation or search models."""
    return _NON_CHAT.search(model_id) is None


def merge_with_catalog(live: Iterable[ModelInfo], catalog: Catalog) -> list[ModelInfo]:
    """Live models, each enriched with the catalog's metadata when the catalog knows it."""
    out: list[ModelInfo] = []
    for model in live:
        known = catalog.get(model.id)
        out.append(replace(known, provider=model.provider) if known is not None else model)
    if out and not any(m.is_default for m in out):
        default = catalog.default_model if catalog.models else None
        out = [replace(m, is_default=m.id == default) for m in out]
    return out


class ModelCache:
    """Live model list cached for `ttl_s`; the catalog whenever the live call fails.

    A failed fetch is not cached, so the next call tries the live endpoint again.
    """

    def __init__(self, provider: str, catalog: Catalog, *, ttl_s: float) -> None:
        self.provider = provider
        self.catalog = catalog.for_provider(provider) if catalog.provider != provider else catalog
        self.ttl_s = ttl_s
        self._models: list[ModelInfo] | None = None
        self._fetched_at = 0.0
        self.last_error: BaseException | None = None

    def invalidate(self) -> None:
        self._models = None

    async def get(self, fetch: Callable[[], Awaitable[list[ModelInfo]]]) -> list[ModelInfo]:
        now = time.monotonic()
        if self._models is not None and now - self._fetched_at < self.ttl_s:
            return list(self._models)
        try:
            live = await fetch()
        except Exception as error:  # any failure means: serve the catalog
            self.last_error = error
            return list(self.catalog.models)
        self.last_error = None
        self._models = merge_with_catalog(live, self.catalog)
        self._fetched_at = now
        return list(self._models)

    def cached(self) -> list[ModelInfo]:
        """The last live list read (possibly stale), without any network call."""
        return list(self._models or ())

    def info(self, model_id: str) -> ModelInfo | None:
        """What we know about one model: the live list's entry, else the catalog's."""
        if self._models is not None:
            for model in self._models:
                if model.id == model_id:
                    return model
        return self.catalog.get(model_id)
