"""The chat service's tunables, read once from `Settings` when the app starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class ChatOptions:
    titles: Literal["generate", "first_words"] = "generate"
    checkpoint_interval_s: float = 1.0
    # Instance default failover chain: (provider, model) pairs tried when the chosen provider
    # fails before answering; a conversation's own chain replaces it.
    failover: tuple[tuple[str, str], ...] = ()
    linger_s: float = 30.0  # finished streams stay replayable from memory this long
    stop_wait_s: float = 5.0
    rate_limit_per_minute: int = 0  # 0 = unlimited; admins change it at run time
    daily_token_quota: int = 0

    @classmethod
    def from_settings(cls, settings: Any) -> ChatOptions:
        """Fields missing from `Settings` keep their defaults."""
        failover_raw = getattr(settings, "chat_failover", None) or ""
        chain: list[tuple[str, str]] = []
        for item in str(failover_raw).split(","):
            provider, _, model = item.strip().partition(":")
            if provider and model:
                chain.append((provider, model))
        titles = getattr(settings, "chat_titles", "generate")
        return cls(
            titles="first_words" if titles == "first_words" else "generate",
            checkpoint_interval_s=float(getattr(settings, "chat_checkpoint_interval_s", 1.0)),
            failover=tuple(chain),
            linger_s=float(getattr(settings, "chat_stream_linger_s", 30.0)),
            rate_limit_per_minute=int(getattr(settings, "chat_rate_limit_per_minute", 0)),
            daily_token_quota=int(getattr(settings, "chat_daily_token_quota", 0)),
        )
