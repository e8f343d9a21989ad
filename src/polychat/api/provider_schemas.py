"""Request and response bodies of the providers, models and admin-providers endpoints.

Request bodies forbid unknown fields: a client cannot slip, say, a `base_url` into a key or
test request and have the server connect somewhere it chose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from polychat.keys.views import ModelEntry, ProviderModels, ProviderView

KeyScope = Literal["user", "instance"]
ProviderStatus = Literal["ok", "unconfigured", "disabled", "error"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_base_url(value: str | None) -> str | None:
    """An absolute http(s) URL with a host, or None (back to the setting or default)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("base_url must be an absolute http:// or https:// URL")
    return value.rstrip("/")


# -- requests -----------------------------------------------------------------------------------


class KeyIn(_Body):
    api_key: str = Field(min_length=1, max_length=1000, description="The provider API key.")
    scope: KeyScope = Field(
        "user", description="`user`: your own key; `instance`: shared by everyone (admin only)."
    )

    @field_validator("api_key")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("api_key must not be blank")
        return value


class TestIn(_Body):
    api_key: str | None = Field(
        None,
        max_length=1000,
        description="Test this key without saving it; omit to test the key in use.",
    )


class ProviderPatch(_Body):
    enabled: bool | None = Field(None, description="Show this provider's models to me.")
    instance_enabled: bool | None = Field(None, description="Admin: on for everyone.")
    base_url: str | None = Field(None, description="Admin: endpoint (proxy, region, host).")
    allow_user_keys: bool | None = Field(None, description="Admin: allow personal keys.")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_base_url(value)


class CustomProviderIn(_Body):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$", description="Stable id, e.g. `lab-vllm`.")
    display_name: str = Field(min_length=1, max_length=100)
    base_url: str = Field(description="OpenAI-compatible endpoint, e.g. http://host:8000/v1.")
    api_key: str | None = Field(None, max_length=1000)
    model_allowlist: list[str] = Field(default_factory=list, max_length=500)
    enabled: bool = True
    allow_user_keys: bool = False

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        checked = check_base_url(value)
        if checked is None:
            raise ValueError("base_url is required")
        return checked


class CustomProviderPatch(_Body):
    display_name: str | None = Field(None, min_length=1, max_length=100)
    base_url: str | None = None
    api_key: str | None = Field(
        None, max_length=1000, description="New key; an empty string removes the key."
    )
    model_allowlist: list[str] | None = Field(None, max_length=500)
    enabled: bool | None = None
    allow_user_keys: bool | None = None

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_base_url(value)


# -- responses ----------------------------------------------------------------------------------


class CapabilitiesOut(BaseModel):
    streaming: bool
    vision: bool
    tools: bool
    reasoning: bool = Field(False, description="At least one of its models can think.")
    max_context: int | None = None


class LastTestOut(BaseModel):
    success: bool | None
    message: str | None
    checked_at: datetime | None


class UsageOut(BaseModel):
    requests: int
    input_tokens: int
    output_tokens: int
    cost: float | None = Field(description="USD; null when no price is known.")


class ProviderOut(BaseModel):
    id: str
    display_name: str
    custom: bool
    requires_key: bool
    configured: bool
    enabled: bool
    instance_enabled: bool
    user_enabled: bool
    allow_user_keys: bool
    status: ProviderStatus
    status_message: str | None
    key_source: Literal["user", "admin", "env", "none"]
    key_hint: str | None = Field(
        description="Last 4 characters of the key in use, masked; a shared key's only to admins."
    )
    has_user_key: bool
    base_url: str | None = Field(None, description="Shown to admins only.")
    docs_url: str | None = Field(
        None, description="Where to get a key (or set the provider up); null when none is known."
    )
    capabilities: CapabilitiesOut
    last_test: LastTestOut | None
    usage: UsageOut

    @classmethod
    def of(cls, view: ProviderView, *, admin: bool) -> ProviderOut:
        last = view.last_test
        return cls(
            id=view.id,
            display_name=view.display_name,
            custom=view.custom,
            requires_key=view.requires_key,
            configured=view.configured,
            enabled=view.enabled,
            instance_enabled=view.instance_enabled,
            user_enabled=view.user_enabled,
            allow_user_keys=view.allow_user_keys,
            status=view.status,
            status_message=view.status_message,
            key_source=view.key_source,
            key_hint=view.hint_for(admin=admin),
            has_user_key=view.has_user_key,
            base_url=view.base_url if admin else None,
            docs_url=view.docs_url,
            capabilities=CapabilitiesOut(
                streaming=view.capabilities.streaming,
                vision=view.capabilities.vision,
                tools=view.capabilities.tools,
                reasoning=view.capabilities.reasoning,
                max_context=view.capabilities.max_context,
            ),
            last_test=LastTestOut(success=last.ok, message=last.message, checked_at=last.checked_at)
            if last is not None
            else None,
            usage=UsageOut(
                requests=view.usage.requests,
                input_tokens=view.usage.input_tokens,
                output_tokens=view.usage.output_tokens,
                cost=view.usage.cost,
            ),
        )


class StatusOut(BaseModel):
    provider: str
    status: ProviderStatus
    message: str | None
    configured: bool
    enabled: bool
    key_source: Literal["user", "admin", "env", "none"]
    key_hint: str | None
    last_test: LastTestOut | None


class TestOut(BaseModel):
    success: bool
    provider: str
    latency_ms: float
    error: str | None = Field(None, description="The provider's own message when it failed.")
    error_code: str | None = Field(None, description="Stable code, e.g. `auth_failed`.")


class ModelCapabilitiesOut(BaseModel):
    vision: bool
    tools: bool
    streaming: bool
    reasoning: bool = Field(
        description="Shows its thinking when asked (chat `reasoning`); the UI offers the toggle"
    )


class IgnoredParamOut(BaseModel):
    """A conversation parameter this model does not take: Polychat does not send it."""

    param: Literal["temperature", "top_p", "max_tokens", "stop"]
    code: str = Field(
        description="Stable reason: reasoning_model, thinking, one_sampler, sampling_removed, "
        "sampling_fixed, not_supported (more may come)"
    )
    reason: str = Field(description="The reason, in English, for a person")
    when: Literal["always", "thinking", "temperature_set"] = Field(
        description="always; thinking: only while the model thinks; temperature_set: only when "
        "a temperature is set too"
    )


class ModelOut(BaseModel):
    id: str
    provider: str
    provider_display_name: str
    display_name: str
    context_window: int | None
    max_output_tokens: int | None
    capabilities: ModelCapabilitiesOut
    is_default: bool
    available: bool
    ignored_params: list[IgnoredParamOut] = Field(
        default_factory=list,
        description="Conversation parameters this model ignores, and why; empty: it takes all",
    )

    @classmethod
    def of(cls, entry: ModelEntry) -> ModelOut:
        m = entry.info
        return cls(
            id=m.id,
            provider=m.provider,
            provider_display_name=entry.provider_display_name,
            display_name=m.display_name,
            context_window=m.context_window,
            max_output_tokens=m.max_output_tokens,
            capabilities=ModelCapabilitiesOut(
                vision=m.vision, tools=m.tools, streaming=entry.streaming, reasoning=m.reasoning
            ),
            is_default=m.is_default,
            available=entry.available,
            ignored_params=[
                IgnoredParamOut(param=r.param, code=r.code, reason=r.reason, when=r.when)
                for r in entry.ignored_params
            ],
        )


class ProviderModelsOut(BaseModel):
    provider: str
    display_name: str
    status: ProviderStatus
    available: bool
    error: str | None = None
    models: list[ModelOut]

    @classmethod
    def of(cls, group: ProviderModels) -> ProviderModelsOut:
        return cls(
            provider=group.provider,
            display_name=group.display_name,
            status=group.status,
            available=group.available,
            error=group.error,
            models=[ModelOut.of(e) for e in group.models],
        )


class ProviderGroupOut(BaseModel):
    provider: str
    display_name: str
    status: ProviderStatus
    available: bool
    error: str | None = None


class ModelsOut(BaseModel):
    models: list[ModelOut] = Field(description="Flat list; group by `provider`.")
    providers: list[ProviderGroupOut]


class CustomProviderOut(BaseModel):
    id: str
    display_name: str
    base_url: str
    model_allowlist: list[str]
    enabled: bool
    allow_user_keys: bool
    has_key: bool
    key_hint: str | None
