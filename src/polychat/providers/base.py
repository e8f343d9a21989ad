"""The provider contract: neutral types every provider maps to and from, and `BaseProvider`.

Nothing in this module knows an SDK exists. The rest of Polychat (chat service, API, UI) only
ever sees these types, which is what lets a conversation written by one provider continue on
another and lets a new provider be added in one file.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

from polychat.providers.catalog import Catalog, ModelCache, load_catalog
from polychat.providers.catalog import ModelInfo as ModelInfo  # re-exported: a neutral type
from polychat.providers.spec import ProviderSpec

# ---------------------------------------------------------------------------------------------
# Messages: tagged content parts, so history survives a switch of provider.
# ---------------------------------------------------------------------------------------------

Role = Literal["user", "assistant"]
"""System text travels in `ChatRequest.system`; tool results travel as parts of a user turn
(Anthropic's model), and each adapter re-shapes them into its own `tool` role if it has one."""


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An inline image. `data` is plain base64 (no `data:` prefix); providers re-wrap it."""

    media_type: str
    data: str
    kind: Literal["image"] = "image"


@dataclass(frozen=True, slots=True)
class ToolCallPart:
    """A call the model asked for. `id` is whatever the writing provider used (or one we
    synthesized); adapters whose API has id rules (Mistral) rewrite it deterministically."""

    id: str
    name: str
    arguments: dict[str, Any]
    kind: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True, slots=True)
class ToolResultPart:
    tool_call_id: str
    name: str
    content: str
    is_error: bool = False
    kind: Literal["tool_result"] = "tool_result"


ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    parts: tuple[ContentPart, ...]

    @classmethod
    def user(cls, text: str) -> Message:
        return cls("user", (TextPart(text),))

    @classmethod
    def assistant(cls, text: str) -> Message:
        return cls("assistant", (TextPart(text),))

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the model may call; `parameters` is a JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, Any]


ReasoningEffort = Literal["low", "medium", "high"]
"""How hard a reasoning model may think before answering. Each adapter maps it to its own knob
(Claude and Gemini: a thinking-token budget; OpenAI and OpenRouter: `reasoning_effort`;
Ollama: `think`)."""


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One turn's request. Parameters a provider does not support are dropped by its adapter,
    never sent (Mistral answers unknown fields with 422).

    `reasoning` asks for visible thinking at that effort; None sends no thinking parameter at
    all, so the provider's default applies (some models, such as Magistral, always think)."""

    model: str
    messages: tuple[Message, ...]
    system: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    tools: tuple[ToolSpec, ...] = ()
    reasoning: ReasoningEffort | None = None


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "error", "other"]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reported them. `input_tokens` includes cached input.
    `cost_usd` is set only when the provider itself reports a cost (OpenRouter)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class ChatResponse:
    id: str
    provider: str
    model: str
    parts: tuple[ContentPart, ...]
    usage: Usage
    finish_reason: FinishReason

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def tool_calls(self) -> tuple[ToolCallPart, ...]:
        return tuple(p for p in self.parts if isinstance(p, ToolCallPart))


# Stream events: small frozen objects, one per upstream chunk at most, so the hot path does one
# mapping per chunk and the chat service can forward them to the browser as they are.


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str
    type: Literal["text_delta"] = "text_delta"


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    """A piece of the model's reasoning, shown apart from the answer and never sent back to a
    provider as history (every provider accepts a history without it)."""

    text: str
    type: Literal["thinking_delta"] = "thinking_delta"


@dataclass(frozen=True, slots=True)
class ToolCallStart:
    index: int
    id: str
    name: str
    type: Literal["tool_call_start"] = "tool_call_start"


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    index: int
    arguments_delta: str
    type: Literal["tool_call_delta"] = "tool_call_delta"


@dataclass(frozen=True, slots=True)
class ToolCallEnd:
    """Closes a tool call with its arguments parsed; consumers may ignore start/delta."""

    index: int
    call: ToolCallPart
    type: Literal["tool_call_end"] = "tool_call_end"


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """Running totals (not increments): a later UsageEvent replaces an earlier one."""

    usage: Usage
    type: Literal["usage"] = "usage"


@dataclass(frozen=True, slots=True)
class FinishEvent:
    """Always the last event of a successful stream. `response_id` / `model` are what the
    upstream reported (the model may be a dated snapshot of the alias that was asked for)."""

    reason: FinishReason
    usage: Usage | None = None
    response_id: str | None = None
    model: str | None = None
    type: Literal["finish"] = "finish"


StreamEvent = (
    TextDelta
    | ThinkingDelta
    | ToolCallStart
    | ToolCallDelta
    | ToolCallEnd
    | UsageEvent
    | FinishEvent
)


# ---------------------------------------------------------------------------------------------
# Models and capabilities
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Capabilities:
    streaming: bool = True
    vision: bool = False
    tools: bool = False
    system_prompt: bool = True
    json_mode: bool = False
    max_context: int | None = None


ParamName = Literal["temperature", "top_p", "max_tokens", "stop"]
"""The conversation parameters a user can set (`ChatRequest`'s sampling fields)."""

IgnoredWhen = Literal["always", "thinking", "temperature_set"]
"""When a rule applies: on every turn; only while the model thinks; only when the request also
sets a temperature (models that take Temperature or Top P, not both)."""


@dataclass(frozen=True, slots=True)
class IgnoredParam:
    """A conversation parameter a model does not take, and why.

    One rule serves twice: the adapter leaves the field out of the request (sending it would
    be a 400, or silently useless), and `GET /api/models` reports it so the conversation
    settings show the field disabled with the reason. `code` is stable (the web UI words it
    in the user's language); `reason` says the same in English for API clients."""

    param: ParamName
    code: str
    reason: str
    when: IgnoredWhen = "always"


def drop_ignored(
    request: ChatRequest, rules: Iterable[IgnoredParam], *, thinking: bool
) -> ChatRequest:
    """`request` without the parameters `rules` say its model ignores on this turn.

    `thinking`: whether this turn asks the model to think. A `temperature_set` rule looks at
    the temperature that is actually sent, so a temperature dropped by another rule does not
    cost the request its Top P as well."""
    rules = tuple(rules)
    if not rules:
        return request
    drop = {r.param for r in rules if r.when == "always" or (r.when == "thinking" and thinking)}
    if "temperature" not in drop and request.temperature is not None:
        drop |= {r.param for r in rules if r.when == "temperature_set"}
    if not drop:
        return request
    return replace(
        request,
        temperature=None if "temperature" in drop else request.temperature,
        top_p=None if "top_p" in drop else request.top_p,
        max_tokens=None if "max_tokens" in drop else request.max_tokens,
        stop=() if "stop" in drop else request.stop,
    )


@dataclass(frozen=True, slots=True)
class KeyValidation:
    """Result of `validate_api_key`; never an exception, so the UI can always show a status."""

    success: bool
    provider: str
    latency_ms: float
    error: ProviderError | None = None


# ---------------------------------------------------------------------------------------------
# Errors: one hierarchy every provider maps its failures into (in one function per provider).
# ---------------------------------------------------------------------------------------------


class ProviderError(Exception):
    """A provider failure the user can be told about.

    `code` is stable and machine-readable (the API and UI key off it); `message` is for a
    person; `retryable` says whether trying again later can help; `status` is the upstream
    HTTP status when there was one.
    """

    code: ClassVar[str] = "provider_error"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "provider": self.provider,
            "status": self.status,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider}: {self.code}, status={self.status})"


class ProviderAuthError(ProviderError):
    code = "auth_failed"


class ProviderRateLimitError(ProviderError):
    code = "rate_limited"
    retryable = True


class ProviderQuotaError(ProviderError):
    """Out of credits or quota: waiting a few seconds will not help."""

    code = "quota_exhausted"


class ProviderOverloadedError(ProviderError):
    code = "overloaded"
    retryable = True


class ProviderBadRequestError(ProviderError):
    code = "bad_request"


class ProviderCapabilityError(ProviderBadRequestError):
    """Raised before any request is sent, e.g. an image for a text-only model."""

    code = "capability_unsupported"


class ProviderModelNotFoundError(ProviderBadRequestError):
    code = "model_not_found"


class ProviderUnavailableError(ProviderError):
    code = "unavailable"
    retryable = True


class ProviderTimeoutError(ProviderError):
    code = "timeout"
    retryable = True


class ProviderProtocolError(ProviderError):
    """The upstream sent something we could not parse, or cut the stream mid-way."""

    code = "protocol_error"
    retryable = True


# ---------------------------------------------------------------------------------------------
# Configuration and the base class
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """Everything an instance needs; built by the factory, never read from globals.

    `instance_id` distinguishes several instances of one class (custom OpenAI-compatible
    servers); for built-ins it equals the class `name`.
    """

    api_key: str | None = None
    base_url: str | None = None
    instance_id: str | None = None
    display_name: str | None = None
    model_allowlist: tuple[str, ...] = ()
    timeout_s: float = 60.0
    connect_timeout_s: float = 10.0
    max_retries: int = 2
    retry_max_delay_s: float = 10.0  # cap on one retry wait, whatever retry-after says
    models_cache_ttl_s: float = 600.0
    extra_headers: Mapping[str, str] = field(default_factory=dict)


class BaseProvider(abc.ABC):
    """One subclass per provider, one file each.

    Instances are long-lived: one per (provider, key, base URL), holding one pooled SDK client,
    closed by `aclose()` on shutdown. Methods raise only `ProviderError` subclasses, except
    `validate_api_key`, which never raises.

    A provider declares its facts once, as `spec` (see spec.py); `name`, `display_name`,
    `requires_key` and `default_base_url` are copied from it when the class is made. A class
    that sets those four attributes itself instead (tests, older plugins) gets a spec made
    from them, so the registry always deals in specs.
    """

    spec: ClassVar[ProviderSpec]
    name: ClassVar[str]
    display_name: ClassVar[str]
    requires_key: ClassVar[bool] = True
    default_base_url: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("spec")
        if own is not None:
            cls.name = own.id
            cls.display_name = own.display_name
            cls.requires_key = own.requires_key
            if own.default_base_url is not None:
                cls.default_base_url = own.default_base_url
        elif "name" in cls.__dict__:
            cls.spec = ProviderSpec(
                id=cls.name,
                display_name=cls.display_name,
                adapter=f"{cls.__module__}:{cls.__qualname__}",
                requires_key=cls.requires_key,
                default_base_url=getattr(cls, "default_base_url", None),
            )

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    @property
    def instance_id(self) -> str:
        return self.config.instance_id or self.name

    def get_name(self) -> str:
        return self.instance_id

    @property
    def base_url(self) -> str:
        return self.config.base_url or self.default_base_url

    @abc.abstractmethod
    def get_default_model(self) -> str: ...

    @abc.abstractmethod
    def get_capabilities(self, model: str | None = None) -> Capabilities: ...

    @abc.abstractmethod
    async def get_models(self) -> list[ModelInfo]: ...

    def shipped_catalog(self) -> Catalog:
        """The catalog its spec names (empty when it names none)."""
        return load_catalog(self.spec.catalog) if self.spec.catalog else Catalog(self.name, ())

    def known_model(self, model_id: str) -> ModelInfo | None:
        """What this provider knows about `model_id` without a network call: its last live
        list, else its shipped catalog; None when it knows nothing. The chat service asks it
        on the request path (can this model think?), so it must stay a lookup."""
        models = getattr(self, "_models", None)  # every adapter keeps its list in `_models`
        if isinstance(models, ModelCache):
            return models.info(model_id)
        return self.shipped_catalog().get(model_id)

    def ignored_params(self, model_id: str) -> tuple[IgnoredParam, ...]:
        """The conversation parameters `model_id` does not take (see `IgnoredParam`). The
        adapter drops them with `drop_ignored` and the model list reports them, so both follow
        one rule. Like `known_model`, a lookup: no network call. Default: it takes them all."""
        return ()

    @abc.abstractmethod
    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation: ...

    @abc.abstractmethod
    async def send_message(self, request: ChatRequest) -> ChatResponse: ...

    @abc.abstractmethod
    def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """An async generator of neutral events ending with `FinishEvent`, or raising a
        `ProviderError`. Closing it early (`aclose()`) closes the upstream connection."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release pooled connections. Default: nothing to release."""
