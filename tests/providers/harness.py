"""How a provider joins the contract suite (tests/providers/test_contract.py).

Each provider has one module `tests/providers/harnesses/<name>.py` that defines a module-level
`HARNESSES: list[ProviderHarness]` (usually one entry). `all_harnesses()` imports every module
of that package, so adding a provider to the suite is adding that one file. Nothing else to
register. The same entries drive the cross-provider history test and the benchmark.

A harness says:
- how to build its fake (`make_fake()` returns an unstarted `FakeServer`; the suite starts it
  once per module and clears `state.replies` / `state.requests` between tests),
- where the provider should point (`base_url(fake)`) and with which keys,
- which models to use (a chat model, a vision model or None, a text-only model or None),
- how to read its own wire format back from a recorded request (`wire`: a `WireView`), so the
  suite can assert that history, system prompt, images, tools and parameters reached the fake
  in that provider's real format,
- which error each `Failure` must become (`expected_errors`, defaults in `DEFAULT_ERRORS`),
- visible thinking: a model that reasons (`reasoning_model`), the thinking parameter each
  effort must put on the wire (`reasoning_wire`, read back by `wire.reasoning`; None means
  "nothing sent"), and whether the provider streams its reasoning text back
  (`streams_thinking`; OpenAI's Chat Completions never does).

Fakes must count streams in `state.open_streams` / `state.closed_streams` (increment closed
when the client disconnects or the stream ends), which is how cancellation is checked.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from polychat.providers.base import (
    BaseProvider,
    ProviderAuthError,
    ProviderConfig,
    ProviderError,
    ProviderModelNotFoundError,
    ProviderOverloadedError,
    ProviderProtocolError,
    ProviderQuotaError,
    ProviderRateLimitError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from tests.fakes.script import Failure
from tests.fakes.server import FakeServer, RecordedRequest


class WireView(Protocol):
    """Reads a provider's recorded chat request body back into comparable Python values."""

    def turns(self, body: Any) -> list[tuple[str, str]]:
        """(neutral role, text) of each message that carries text, in order; roles mapped to
        'system' | 'user' | 'assistant' | 'tool' (a wire `model` role reads as 'assistant').
        A system prompt sent as a message appears here as 'system'."""
        ...

    def system(self, body: Any) -> str | None:
        """The system prompt wherever this wire format puts it."""
        ...

    def images(self, body: Any) -> list[tuple[str, str]]:
        """(media type, base64 data) of every image sent."""
        ...

    def tool_calls(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        """(name, arguments) of every tool call in the history."""
        ...

    def tool_results(self, body: Any) -> list[str]:
        """Content of every tool result in the history."""
        ...

    def tool_names(self, body: Any) -> list[str]:
        """Names of the tools offered to the model."""
        ...

    def max_tokens(self, body: Any) -> int | None: ...

    def temperature(self, body: Any) -> float | None: ...

    def reasoning(self, body: Any) -> Any:
        """The thinking parameter as this wire format carries it (e.g. Claude's `thinking`
        object, OpenAI's `reasoning_effort`), None when the request has none."""
        ...


DEFAULT_ERRORS: dict[Failure, type[ProviderError]] = {
    Failure.BAD_KEY: ProviderAuthError,
    Failure.RATE_LIMIT: ProviderRateLimitError,
    Failure.QUOTA: ProviderQuotaError,
    Failure.OVERLOADED: ProviderOverloadedError,
    Failure.SERVER_ERROR: ProviderUnavailableError,
    Failure.SLOW_FIRST_BYTE: ProviderTimeoutError,
    Failure.ERROR_MID_STREAM: ProviderError,  # any mapped error; harnesses narrow it
    Failure.CUT_MID_STREAM: ProviderProtocolError,
    Failure.MALFORMED_CHUNK: ProviderProtocolError,
    Failure.MODEL_NOT_FOUND: ProviderModelNotFoundError,
}


@dataclass(frozen=True)
class ProviderHarness:
    id: str  # pytest id, usually the provider name
    provider_cls: type[BaseProvider]
    make_fake: Callable[[], FakeServer]
    base_url: Callable[[FakeServer], str]
    wire: WireView
    chat_model: str
    chat_path: str  # path suffix of the chat request, e.g. "/v1/messages"
    vision_model: str | None = None
    text_only_model: str | None = None  # a model without vision, for the capability error
    good_key: str | None = "test-key"
    bad_key: str | None = "wrong-key"  # None: the provider has no key to get wrong
    config_extra: Mapping[str, Any] = field(default_factory=dict)
    expected_errors: Mapping[Failure, type[ProviderError]] = field(default_factory=dict)
    # Failures this wire protocol cannot express at all (e.g. quota on a local server).
    unsupported_failures: frozenset[Failure] = frozenset()
    supports_tools: bool = True
    # Cheapest key-check request path suffix, asserted to have been hit.
    key_check_path: str | None = None
    # Path suffix of the live model list; the suite makes it fail to test the catalog fallback.
    models_path: str | None = None
    # A model that can think (its ModelInfo.reasoning is true); None: no thinking tests.
    reasoning_model: str | None = None
    # What `wire.reasoning(body)` must read for each effort asked of `reasoning_model`.
    reasoning_wire: Mapping[str, Any] = field(default_factory=dict)
    streams_thinking: bool = True
    # What the model list says of `reasoning_model` (False where nothing can be asked).
    reasoning_listed: bool = True

    def config(self, fake: FakeServer, *, key: str | None = "", **overrides: Any) -> ProviderConfig:
        """A config pointed at `fake`: short timeouts and retry waits so the suite is fast."""
        values: dict[str, Any] = {
            "api_key": self.good_key if key == "" else key,
            "base_url": self.base_url(fake),
            "timeout_s": 5.0,
            "connect_timeout_s": 2.0,
            "retry_max_delay_s": 0.05,
            "models_cache_ttl_s": 600.0,
        }
        values.update(self.config_extra)
        values.update(overrides)
        return ProviderConfig(**values)

    def build(self, fake: FakeServer, *, key: str | None = "", **overrides: Any) -> BaseProvider:
        return self.provider_cls(self.config(fake, key=key, **overrides))

    def expected_error(self, failure: Failure) -> type[ProviderError]:
        return self.expected_errors.get(failure, DEFAULT_ERRORS[failure])

    def chat_requests(self, fake: FakeServer) -> list[RecordedRequest]:
        return [r for r in fake.requests if r.path.endswith(self.chat_path)]

    def last_chat_body(self, fake: FakeServer) -> Any:
        requests = self.chat_requests(fake)
        assert requests, f"{self.id}: the fake saw no chat request"
        return requests[-1].body


def all_harnesses() -> list[ProviderHarness]:
    """Every `HARNESSES` entry of every module in tests/providers/harnesses/."""
    from tests.providers import harnesses

    found: list[ProviderHarness] = []
    for info in sorted(pkgutil.iter_modules(harnesses.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{harnesses.__name__}.{info.name}")
        found.extend(getattr(module, "HARNESSES", []))
    return found
