"""From `(provider?, model)` to a configured, cached provider instance.

Resolution (DESIGN.md): an explicit provider wins; otherwise the model id decides by the
prefixes each provider's spec claims (`claude-*` -> claude, `gpt-*`/`o1*`/... -> openai; the
longest matching prefix wins), then `vendor/model` ids go to the provider whose spec takes them
(OpenRouter) unless some provider listed the id, else the model lists the registry has seen.
An unknown or ambiguous model raises `ModelResolutionError` (a `ProviderModelNotFoundError`, so
the API answers 400) listing what is available.

Instances are long-lived and cached per (instance id, key, base URL): a new key or base URL
gets a fresh instance; the old one is closed by `aclose_all()` at shutdown with the rest
(a stream may still be reading through it).
Configs come from a `config_source` callable that the key-management layer provides; the
default gives each instance its registry base URL / allowlist and no key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from polychat.providers.base import (
    BaseProvider,
    ModelInfo,
    ProviderBadRequestError,
    ProviderConfig,
    ProviderModelNotFoundError,
)
from polychat.providers.registry import ProviderRegistry, UnknownProviderError

ConfigSource = Callable[[str], ProviderConfig]


class ModelResolutionError(ProviderModelNotFoundError):
    """The model could not be routed; `available` maps instance id -> model ids known."""

    def __init__(self, message: str, *, available: dict[str, tuple[str, ...]]) -> None:
        super().__init__(message, provider="polychat", status=400)
        self.available = available


class UnknownProviderRequestError(ProviderBadRequestError):
    code = "unknown_provider"


class ProviderFactory:
    def __init__(
        self, registry: ProviderRegistry, config_source: ConfigSource | None = None
    ) -> None:
        self.registry = registry
        self._config_source = config_source or self.default_config
        self._cache: dict[tuple[str, str | None, str | None], BaseProvider] = {}
        self._by_instance: dict[str, tuple[str, str | None, str | None]] = {}
        self._retired: list[BaseProvider] = []

    def default_config(self, instance_id: str) -> ProviderConfig:
        spec = self.registry.instance(instance_id)
        return ProviderConfig(
            instance_id=instance_id,
            display_name=spec.display_name,
            base_url=spec.base_url,
            model_allowlist=spec.model_allowlist,
        )

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, model: str, provider: str | None = None) -> str:
        """The instance id that should serve `model`."""
        if provider:
            try:
                self.registry.instance(provider)
            except UnknownProviderError as error:
                raise UnknownProviderRequestError(str(error), provider=provider) from None
            return provider
        listed = [
            iid
            for iid, ids in self.registry.known_models().items()
            if model in ids and self.registry.is_enabled(iid)
        ]
        specs = [s for s in self.registry.specs() if self._has(s.id)]
        claims = [(s.claims(model), s.id) for s in specs]
        best = max(claims, default=(0, ""))
        if best[0]:
            return best[1]
        if "/" in model and not listed:
            for spec in specs:
                if spec.vendor_model_ids:
                    return spec.id
        if len(listed) == 1:
            return listed[0]
        available = self.registry.known_models()
        if len(listed) > 1:
            raise ModelResolutionError(
                f"model {model!r} is offered by several providers ({', '.join(sorted(listed))});"
                " choose one with the provider field",
                available={k: v for k, v in available.items() if k in listed},
            )
        shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(available.items()))
        raise ModelResolutionError(
            f"unknown model {model!r}. Available: {shown or 'no models listed yet'}",
            available=available,
        )

    def _has(self, instance_id: str) -> bool:
        try:
            self.registry.instance(instance_id)
        except UnknownProviderError:
            return False
        return True

    # -- instances ----------------------------------------------------------------------------

    def get(self, instance_id: str, config: ProviderConfig | None = None) -> BaseProvider:
        """The cached instance for this (instance, key, base URL), created on first use."""
        try:
            cls = self.registry.class_for(instance_id)
        except UnknownProviderError as error:
            raise UnknownProviderRequestError(str(error), provider=instance_id) from None
        cfg = config if config is not None else self._config_source(instance_id)
        if cfg.instance_id != instance_id:
            cfg = replace(cfg, instance_id=instance_id)
        key = (instance_id, cfg.api_key, cfg.base_url)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        previous = self._by_instance.get(instance_id)
        if previous is not None and previous in self._cache:
            # Not closed now: a stream may still be reading through it. Closed at shutdown.
            self._retired.append(self._cache.pop(previous))
        instance = cls(cfg)
        self._cache[key] = instance
        self._by_instance[instance_id] = key
        return instance

    async def list_models(self, instance_id: str) -> list[ModelInfo]:
        """An instance's models (live or catalog), remembered for routing unprefixed ids."""
        models = await self.get(instance_id).get_models()
        self.registry.remember_models(instance_id, models)
        return models

    def for_model(
        self, model: str, provider: str | None = None, config: ProviderConfig | None = None
    ) -> BaseProvider:
        return self.get(self.resolve(model, provider), config)

    async def aclose_all(self) -> None:
        instances = [*self._cache.values(), *self._retired]
        self._cache.clear()
        self._by_instance.clear()
        self._retired.clear()
        for instance in instances:
            await instance.aclose()
