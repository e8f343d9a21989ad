"""Gemini's error bodies and response fields, read into neutral values.

Kept apart from the provider so `gemini.py` reads as plumbing and request building. Google
errors carry their meaning in the body, not the status: an invalid key is a 400 whose details
say `API_KEY_INVALID`, a rate limit's wait is a `RetryInfo.retryDelay` like "37s", and a daily
quota (waiting will not help) differs from a per-minute limit only by its `quotaId`.
"""

from __future__ import annotations

import re
from typing import Any

from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError

from polychat.providers._native_support import transport_error
from polychat.providers.base import (
    FinishReason,
    ProviderAuthError,
    ProviderBadRequestError,
    ProviderError,
    ProviderModelNotFoundError,
    ProviderOverloadedError,
    ProviderProtocolError,
    ProviderQuotaError,
    ProviderRateLimitError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    Usage,
)

NAME = "gemini"
_FILTERED = {
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
    "LANGUAGE",
}
_DELAY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)s\s*$")

# Errors
# ---------------------------------------------------------------------------------------------


def _details(error: Any) -> list[dict[str, Any]]:
    body = error.get("error", error) if isinstance(error, dict) else {}
    details = body.get("details") if isinstance(body, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _retry_delay(details: list[dict[str, Any]]) -> float | None:
    for d in details:
        if str(d.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = _DELAY.match(str(d.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _is_daily_quota(details: list[dict[str, Any]]) -> bool:
    for d in details:
        if str(d.get("@type", "")).endswith("google.rpc.QuotaFailure"):
            for v in d.get("violations") or []:
                if "PerDay" in str(v.get("quotaId", "")):
                    return True
    return False


def map_gemini_error(exc: BaseException) -> ProviderError:
    """Every failure of the google-genai SDK, as one of our errors (the one place)."""
    if isinstance(exc, ProviderError):
        return exc
    mapped = transport_error(
        exc, NAME, unreachable="Cannot reach the Gemini API; check the network or base URL."
    )
    if mapped is not None:
        return mapped
    if isinstance(exc, genai_errors.UnknownApiResponseError | ValidationError | ValueError):
        return ProviderProtocolError(
            f"Gemini sent a response we could not read: {exc}", provider=NAME
        )
    if not isinstance(exc, genai_errors.APIError):
        return ProviderError(f"Unexpected Gemini failure: {exc!r}", provider=NAME)
    status = exc.code if isinstance(exc.code, int) else None
    rpc = str(exc.status or "")
    text = str(exc.message or rpc or f"HTTP {status}")
    details = _details(exc.details)
    reasons = {str(d.get("reason", "")) for d in details}
    denied = rpc in ("UNAUTHENTICATED", "PERMISSION_DENIED")
    if status in (401, 403) or "API_KEY_INVALID" in reasons or denied:
        return ProviderAuthError(
            f"Gemini rejected the API key ({text}). Check it in Settings → Providers.",
            provider=NAME,
            status=status,
        )
    if status == 429 or rpc == "RESOURCE_EXHAUSTED":
        if _is_daily_quota(details):
            return ProviderQuotaError(
                f"Gemini quota exhausted: {text}", provider=NAME, status=status
            )
        return ProviderRateLimitError(
            f"Gemini rate limit reached: {text}",
            provider=NAME,
            status=status,
            retry_after=_retry_delay(details),
        )
    if status == 404 or rpc == "NOT_FOUND":
        return ProviderModelNotFoundError(f"Gemini: {text}", provider=NAME, status=status)
    if status == 503 or rpc == "UNAVAILABLE":
        return ProviderOverloadedError(
            f"Gemini is overloaded: {text}",
            provider=NAME,
            status=status,
            retry_after=_retry_delay(details),
        )
    if status == 504 or rpc == "DEADLINE_EXCEEDED":
        return ProviderTimeoutError(f"Gemini timed out: {text}", provider=NAME, status=status)
    if status is not None and status >= 500:
        return ProviderUnavailableError(
            f"Gemini server error: {text}", provider=NAME, status=status
        )
    return ProviderBadRequestError(
        f"Gemini refused the request: {text}", provider=NAME, status=status
    )


# ---------------------------------------------------------------------------------------------


def finish_reason(chunk: types.GenerateContentResponse, saw_calls: bool) -> FinishReason | None:
    """The neutral finish reason, or None while the stream goes on."""
    candidates = chunk.candidates or []
    if not candidates:
        feedback = chunk.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            return "content_filter"
        return None
    raw = candidates[0].finish_reason
    if raw is None:
        return None
    value = raw.value if isinstance(raw, types.FinishReason) else str(raw)
    if value == "STOP":
        return "tool_calls" if saw_calls else "stop"
    if value == "MAX_TOKENS":
        return "length"
    if value in _FILTERED:
        return "content_filter"
    return "other"


def usage_of(meta: types.GenerateContentResponseUsageMetadata | None) -> Usage:
    if meta is None:
        return Usage()
    return Usage(
        input_tokens=meta.prompt_token_count or 0,
        output_tokens=(meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0),
        cache_read_tokens=meta.cached_content_token_count or 0,
    )
