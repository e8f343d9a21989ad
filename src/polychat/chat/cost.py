"""Token accounting and cost: what each answer cost, or an honest `None`.

Costs come from `genai-prices` (a maintained price table). A model it does not know gives
`None`, never 0: a made-up zero would make an unknown price look free. The library is heavy
to import (~1 s), so it is loaded lazily, off the event loop, the first time a cost is needed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from polychat.providers.base import Usage

log = logging.getLogger(__name__)

# Our provider ids -> genai-prices provider ids. Providers absent here (ollama, custom
# OpenAI-compatible servers) run models whose price nobody can know: cost stays None.
PRICE_PROVIDER: dict[str, str] = {
    "claude": "anthropic",
    "openai": "openai",
    "mistral": "mistral",
    "gemini": "google",
    "openrouter": "openrouter",
}


_table_loaded = False  # the first lookup imports and parses the table (~1 s): off the loop


@dataclass(frozen=True, slots=True)
class Tokens:
    """Tokens for one answer. `estimated` is True when the provider reported none and we
    counted them ourselves (about 4 characters a token), so reports can flag them."""

    input_tokens: int
    output_tokens: int
    estimated: bool


def estimate_tokens(text: str) -> int:
    """A rough, provider-independent count: ~4 characters per token, at least 1 for any text."""
    return 0 if not text else max(1, (len(text) + 3) // 4)


def settle_tokens(usage: Usage | None, prompt_chars: int, output_text: str) -> Tokens:
    """Reported counts when the provider gave any; otherwise our estimate, flagged."""
    if usage is not None and (usage.input_tokens or usage.output_tokens):
        return Tokens(usage.input_tokens, usage.output_tokens, False)
    return Tokens(estimate_tokens("x" * prompt_chars), estimate_tokens(output_text), True)


def _calc(provider: str, model: str, tokens: Tokens, usage: Usage | None) -> Decimal | None:
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    price_provider = PRICE_PROVIDER.get(provider)
    if price_provider is None:
        return None
    cache_read = usage.cache_read_tokens if usage is not None else 0
    cache_write = usage.cache_write_tokens if usage is not None else 0
    try:
        result: Any = calc_price(
            PriceUsage(
                input_tokens=tokens.input_tokens,
                output_tokens=tokens.output_tokens,
                cache_read_tokens=cache_read or None,
                cache_write_tokens=cache_write or None,
            ),
            model,
            provider_id=price_provider,
        )
    except (LookupError, ValueError):
        return None
    total = result.total_price
    return total if isinstance(total, Decimal) else Decimal(str(total))


async def compute_cost(
    provider: str, model: str, tokens: Tokens, usage: Usage | None
) -> Decimal | None:
    """Cost in USD of one answer. A cost the provider reported (OpenRouter) wins."""
    if usage is not None and usage.cost_usd is not None:
        return Decimal(str(usage.cost_usd))
    if provider not in PRICE_PROVIDER:
        return None
    global _table_loaded
    try:
        if _table_loaded:  # a lookup is ~0.2 ms: cheaper inline than a thread hop
            return _calc(provider, model, tokens, usage)
        result = await asyncio.to_thread(_calc, provider, model, tokens, usage)
        _table_loaded = True
        return result
    except Exception:  # a price-table bug must never fail saving the answer
        log.warning("cost lookup failed for %s/%s", provider, model, exc_info=True)
        return None


def warm_prices() -> None:
    """Load the price table (call in a thread at startup so the first answer does not pay it)."""
    _calc("openai", "gpt-4o-mini", Tokens(1, 1, False), None)
