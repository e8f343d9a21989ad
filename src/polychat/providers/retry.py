"""Our retry policy, shared by every provider (SDK clients are built with `max_retries=0`).

Why ours and not the SDKs': a retry is only safe before the user has seen anything. Once a
single event has been yielded, a retry would duplicate text on screen, so from that point any
error propagates as it is. Before that point we retry only errors whose `retryable` flag says
waiting can help (rate limit, overload, unavailable, timeout, protocol), at most
`config.max_retries` times, waiting what the upstream asked for (`retry_after`) capped at
`config.retry_max_delay_s`, else a short exponential backoff.

How a provider uses it (part B: the same two calls)::

    async def send_message(self, request):
        return await retry_call(self.config, lambda: self._send_once(request))

    def stream_message(self, request):
        return retry_stream(self.config, lambda: self._stream_once(request))

`_stream_once` is an async generator raising only `ProviderError`; closing the generator
returned by `retry_stream` closes the attempt in flight (and so the upstream connection).

Two helpers for each provider's one error-mapping function: `parse_retry_after(headers)`
(lower-cased names; `retry-after-ms`, `retry-after` seconds or HTTP date) and
`error_for_status(...)`, the default status -> error-class table a provider refines with
what its body says (e.g. 429 `insufficient_quota` is a quota error, not a rate limit).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from email.utils import parsedate_to_datetime
from typing import TypeVar

from polychat.providers.base import (
    ProviderAuthError,
    ProviderBadRequestError,
    ProviderConfig,
    ProviderError,
    ProviderModelNotFoundError,
    ProviderOverloadedError,
    ProviderQuotaError,
    ProviderRateLimitError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    StreamEvent,
)

T = TypeVar("T")

BASE_DELAY_S = 0.25

STATUS_ERRORS: dict[int, type[ProviderError]] = {
    400: ProviderBadRequestError,
    401: ProviderAuthError,
    402: ProviderQuotaError,
    403: ProviderAuthError,
    404: ProviderModelNotFoundError,
    408: ProviderTimeoutError,
    413: ProviderBadRequestError,
    422: ProviderBadRequestError,
    429: ProviderRateLimitError,
    503: ProviderUnavailableError,
    504: ProviderTimeoutError,
    529: ProviderOverloadedError,
}


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds the upstream asked us to wait, from `retry-after-ms` or `retry-after`."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None

    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def error_for_status(
    provider: str,
    status: int | None,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> ProviderError:
    """The default error for an HTTP status; 5xx without a dedicated entry -> unavailable."""
    if status is None:
        cls: type[ProviderError] = ProviderUnavailableError
    else:
        cls = STATUS_ERRORS.get(status) or (
            ProviderUnavailableError if status >= 500 else ProviderBadRequestError
        )
    return cls(
        message or f"{provider} answered HTTP {status}",
        provider=provider,
        status=status,
        retry_after=parse_retry_after(headers),
    )


def retry_delay(error: ProviderError, attempt: int, config: ProviderConfig) -> float:
    """Seconds to wait before retry number `attempt` (0-based)."""
    if error.retry_after is not None and error.retry_after >= 0:
        wanted = error.retry_after
    else:
        wanted = BASE_DELAY_S * (2**attempt)
    return max(0.0, min(wanted, config.retry_max_delay_s))


def should_retry(error: ProviderError, attempt: int, config: ProviderConfig) -> bool:
    return error.retryable and attempt < config.max_retries


async def retry_call(config: ProviderConfig, call: Callable[[], Awaitable[T]]) -> T:
    """Run `call` until it succeeds, a non-retryable error occurs, or retries run out."""
    attempt = 0
    while True:
        try:
            return await call()
        except ProviderError as error:
            if not should_retry(error, attempt, config):
                raise
            await asyncio.sleep(retry_delay(error, attempt, config))
            attempt += 1


async def retry_stream(
    config: ProviderConfig, open_stream: Callable[[], AsyncGenerator[StreamEvent, None]]
) -> AsyncGenerator[StreamEvent, None]:
    """Stream from a fresh attempt, retrying only while nothing has been yielded yet.

    Events are passed through one by one with no re-wrapping: this sits on the hot path.
    """
    attempt = 0
    while True:
        started = False
        try:
            async with aclosing(open_stream()) as events:
                async for event in events:
                    started = True
                    yield event
            return
        except ProviderError as error:
            if started or not should_retry(error, attempt, config):
                raise
            delay = retry_delay(error, attempt, config)
        await asyncio.sleep(delay)
        attempt += 1
