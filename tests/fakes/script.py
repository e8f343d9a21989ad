"""What a fake says next: a provider-neutral script each fake renders in its own wire format."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Failure(enum.Enum):
    """Every failure a fake can produce, each rendered as that provider really sends it."""

    BAD_KEY = "bad_key"  # the provider's own status and body for an invalid key
    RATE_LIMIT = "rate_limit"  # 429 with retry-after (header, or body for Gemini)
    QUOTA = "quota"  # out of credits / insufficient_quota / 402
    OVERLOADED = "overloaded"  # 529 (Anthropic) or 503
    SERVER_ERROR = "server_error"  # 500
    SLOW_FIRST_BYTE = "slow_first_byte"  # sleeps `first_byte_delay_s` before headers
    ERROR_MID_STREAM = "error_mid_stream"  # the provider's in-stream error after some text
    CUT_MID_STREAM = "cut_mid_stream"  # TCP connection closed after some text, no terminator
    MALFORMED_CHUNK = "malformed_chunk"  # a chunk that is not valid JSON after some text
    MODEL_NOT_FOUND = "model_not_found"  # 404 (or the provider's equivalent)


@dataclass
class ToolCallScript:
    name: str
    arguments: dict[str, Any]
    id: str | None = None  # None: the fake invents one in the provider's own id format


@dataclass
class Reply:
    """One reply. Text is split into `chunks` near-equal pieces, `chunk_delay_s` apart."""

    text: str = "Hello there!"
    chunks: int = 3
    chunk_delay_s: float = 0.0
    first_byte_delay_s: float = 0.0
    tool_calls: list[ToolCallScript] = field(default_factory=list)
    input_tokens: int = 11
    output_tokens: int = 6
    failure: Failure | None = None
    retry_after_s: float | None = 1.0
    # For mid-stream failures: how many text chunks go out before the failure.
    chunks_before_failure: int = 1
    cost_usd: float | None = None  # OpenRouter reports a cost
    # Reasoning streamed before the text, in `thinking_chunks` pieces, in each provider's own
    # wire shape (Claude thinking blocks, Gemini thought parts, Mistral thinking chunks, ...).
    thinking: str = ""
    thinking_chunks: int = 3

    def text_chunks(self) -> list[str]:
        return _split(self.text, self.chunks)

    def thinking_pieces(self) -> list[str]:
        return _split(self.thinking, self.thinking_chunks)


def _split(text: str, chunks: int) -> list[str]:
    """`text` in `chunks` near-equal pieces (none for empty text)."""
    if not text:
        return []
    n = max(1, min(chunks, len(text)))
    size, rest = divmod(len(text), n)
    out, pos = [], 0
    for i in range(n):
        step = size + (1 if i < rest else 0)
        out.append(text[pos : pos + step])
        pos += step
    return out
