"""The retry policy and the model catalog/cache, on their own."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from importlib import resources

import pytest

from polychat.providers.base import (
    ModelInfo,
    ProviderAuthError,
    ProviderConfig,
    ProviderError,
    ProviderModelNotFoundError,
    ProviderOverloadedError,
    ProviderQuotaError,
    ProviderRateLimitError,
    ProviderUnavailableError,
    StreamEvent,
    TextDelta,
)
from polychat.providers.catalog import (
    Catalog,
    ModelCache,
    is_chat_model,
    load_catalog,
    merge_with_catalog,
)
from polychat.providers.retry import (
    error_for_status,
    parse_retry_after,
    retry_call,
    retry_delay,
    retry_stream,
)

FAST = ProviderConfig(retry_max_delay_s=0.01)


def limited(retry_after: float | None = None) -> ProviderRateLimitError:
    return ProviderRateLimitError("slow down", provider="t", status=429, retry_after=retry_after)


class Script:
    """Attempts that fail (before or after yielding) as told, counting how often they ran."""

    def __init__(self, *plans: tuple[int, ProviderError | None]) -> None:
        self.plans = list(plans)
        self.attempts = 0

    async def stream(self) -> AsyncGenerator[StreamEvent, None]:
        deltas, error = self.plans[min(self.attempts, len(self.plans) - 1)]
        self.attempts += 1
        for i in range(deltas):
            yield TextDelta(str(i))
        if error is not None:
            raise error


async def drain(gen: AsyncGenerator[StreamEvent, None]) -> list[StreamEvent]:
    return [e async for e in gen]


async def test_stream_retried_only_before_the_first_event() -> None:
    script = Script((0, limited()), (0, limited()), (2, None))
    assert len(await drain(retry_stream(FAST, script.stream))) == 2
    assert script.attempts == 3

    after_text = Script((1, limited()), (2, None))
    with pytest.raises(ProviderRateLimitError):
        await drain(retry_stream(FAST, after_text.stream))
    assert after_text.attempts == 1


async def test_stream_gives_up_after_max_retries_and_on_non_retryable() -> None:
    always = Script((0, limited()))
    with pytest.raises(ProviderRateLimitError):
        await drain(retry_stream(FAST, always.stream))
    assert always.attempts == 1 + FAST.max_retries

    auth = Script((0, ProviderAuthError("bad key", provider="t")))
    with pytest.raises(ProviderAuthError):
        await drain(retry_stream(FAST, auth.stream))
    assert auth.attempts == 1


async def test_call_retries_then_succeeds() -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise ProviderOverloadedError("busy", provider="t")
        return "ok"

    assert await retry_call(FAST, flaky) == "ok" and calls == 3
    calls = -10
    with pytest.raises(ProviderOverloadedError):
        await retry_call(ProviderConfig(max_retries=0), flaky)


async def test_retry_after_is_honoured_and_capped() -> None:
    cfg = ProviderConfig(retry_max_delay_s=10)
    assert retry_delay(limited(3), 0, cfg) == 3
    assert retry_delay(limited(120), 0, cfg) == 10
    assert retry_delay(limited(None), 0, cfg) == 0.25
    assert retry_delay(limited(None), 2, cfg) == 1.0
    script = Script((0, limited(0.2)), (1, None))
    started = time.monotonic()
    await drain(retry_stream(ProviderConfig(retry_max_delay_s=5), script.stream))
    assert 0.2 <= time.monotonic() - started < 2


def test_retry_after_headers_and_status_table() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after-ms": "x"}) is None
    assert parse_retry_after(None) is None
    assert isinstance(error_for_status("p", 402, "no credit"), ProviderQuotaError)
    assert isinstance(error_for_status("p", 404, ""), ProviderModelNotFoundError)
    assert isinstance(error_for_status("p", 502, ""), ProviderUnavailableError)
    assert isinstance(error_for_status("p", None, ""), ProviderUnavailableError)
    teapot = error_for_status("p", 418, "")
    assert teapot.code == "bad_request" and teapot.message == "p answered HTTP 418"
    assert error_for_status("p", 429, "x", headers={"retry-after": "4"}).retry_after == 4


@pytest.mark.parametrize("name", ["claude", "openai", "openrouter"])
def test_shipped_catalogs_are_well_formed(name: str) -> None:
    raw = json.loads(
        resources.files("polychat.providers").joinpath("catalog", f"{name}.json").read_text()
    )
    catalog = load_catalog(name)
    assert len(catalog.models) == len(raw["models"]) > 0
    assert sum(m.is_default for m in catalog.models) == 1
    assert catalog.get(catalog.default_model) is not None
    assert all(m.context_window for m in catalog.models)


def test_catalog_helpers() -> None:
    assert load_catalog("nothing-shipped").models == ()
    with pytest.raises(LookupError):
        _ = load_catalog("nothing-shipped").default_model
    for non_chat in ("text-embedding-3-small", "tts-1", "whisper-1", "dall-e-3",
                     "omni-moderation-latest", "gpt-4o-realtime-preview"):  # fmt: skip
        assert not is_chat_model(non_chat)
    assert is_chat_model("gpt-4o") and is_chat_model("claude-sonnet-4-6")
    catalog = Catalog("x", (ModelInfo("a", "x", "Model A", 1000, 10, True, True, True),))
    merged = merge_with_catalog([ModelInfo("a", "y", "a"), ModelInfo("b", "y", "b")], catalog)
    assert merged[0] == ModelInfo("a", "y", "Model A", 1000, 10, True, True, True)
    assert merged[1].display_name == "b"
    no_default = merge_with_catalog([ModelInfo("b", "y", "b")], catalog)
    assert not no_default[0].is_default


async def test_model_cache_ttl_and_fallback() -> None:
    catalog = Catalog("x", (ModelInfo("fallback", "x", "F", is_default=True),))
    calls = 0

    async def live() -> list[ModelInfo]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("down")
        return [ModelInfo("live", "x", "L")]

    cache = ModelCache("x", catalog, ttl_s=60)
    assert [m.id for m in await cache.get(live)] == ["fallback"]
    assert isinstance(cache.last_error, OSError)
    assert cache.cached() == []
    assert [m.id for m in await cache.get(live)] == ["live"]  # failures are not cached
    assert [m.id for m in await cache.get(live)] == ["live"] and calls == 2
    assert cache.info("live") is not None and cache.info("fallback") is not None
    cache.invalidate()
    await cache.get(live)
    assert calls == 3
    renamed = ModelCache("y", catalog, ttl_s=0)
    assert renamed.catalog.models[0].provider == "y"
