"""Small helpers the Claude and OpenAI-family adapters share (no SDK imports here).

Kept apart from `base.py` so the contract stays free of implementation detail: building the
pooled HTTP client every SDK client is given, the capability check done before any request,
transport failures turned into provider errors, and the never-raising key check.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpcore2
import httpx2

from polychat.providers._netio import AsyncioBackend
from polychat.providers.base import (
    Capabilities,
    ChatRequest,
    ImagePart,
    KeyValidation,
    ModelInfo,
    ProviderCapabilityError,
    ProviderConfig,
    ProviderError,
    ProviderProtocolError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)

DEFAULT_MAX_OUTPUT = 4096


def http_client(config: ProviderConfig) -> httpx2.AsyncClient:
    """One pooled client per provider instance: explicit timeouts from the config, so a
    silent upstream fails in `timeout_s`, and closing a response really drops its connection
    (which is how cancelling a stream stops the upstream generating)."""
    client = httpx2.AsyncClient(
        timeout=httpx2.Timeout(config.timeout_s, connect=config.connect_timeout_s),
        # No cap on connections: each streaming answer holds one for its whole length, and a
        # cap of N made answer N+1 wait for a free slot (and time out) behind the others.
        limits=httpx2.Limits(max_connections=None, max_keepalive_connections=100),
        follow_redirects=True,
    )
    # The lean asyncio backend under the direct connection pool (not through `transport=`,
    # which would also switch off the proxies httpx takes from the environment).
    pool = getattr(client._transport, "_pool", None)
    if type(pool) is httpcore2.AsyncConnectionPool:
        pool._network_backend = AsyncioBackend()
    return client


def transport_error(exc: BaseException, provider: str) -> ProviderError | None:
    """An httpx-family failure as a provider error; None when `exc` is something else.

    A cut mid-stream (the SDKs let `RemoteProtocolError` through) and an unparsable chunk are
    protocol errors; a timeout is a timeout; failing to connect is "unavailable".
    """
    if isinstance(exc, httpx2.TimeoutException):
        return ProviderTimeoutError(f"{provider} did not answer in time", provider=provider)
    if isinstance(exc, httpx2.ConnectError):
        return ProviderUnavailableError(f"cannot connect to {provider}: {exc}", provider=provider)
    if isinstance(exc, httpx2.TransportError | httpx2.StreamError):
        return ProviderProtocolError(
            f"the connection to {provider} broke mid-answer: {exc}", provider=provider
        )
    if isinstance(exc, json.JSONDecodeError):
        return ProviderProtocolError(
            f"{provider} sent a chunk that is not valid JSON", provider=provider
        )
    return None


def parse_arguments(raw: str | dict[str, Any] | None, provider: str) -> dict[str, Any]:
    """Tool-call arguments as a dict; '' means no arguments (Anthropic, OpenAI both do it)."""
    if isinstance(raw, dict):
        return raw
    if not raw or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ProviderProtocolError(
            f"{provider} sent tool arguments that are not JSON: {raw[:80]!r}", provider=provider
        ) from None
    if not isinstance(value, dict):
        raise ProviderProtocolError(
            f"{provider} sent tool arguments that are not a JSON object", provider=provider
        )
    return value


def check_capabilities(request: ChatRequest, caps: Capabilities, provider: str) -> None:
    """Refuse, before any byte goes upstream, what this model cannot take."""
    if not caps.vision:
        for message in request.messages:
            if any(isinstance(p, ImagePart) for p in message.parts):
                raise ProviderCapabilityError(
                    f"{request.model} on {provider} does not accept images; "
                    "remove the image or pick a vision model",
                    provider=provider,
                )


def capabilities_from(info: ModelInfo | None, default: Capabilities) -> Capabilities:
    if info is None:
        return default
    return Capabilities(
        streaming=True,
        vision=info.vision,
        tools=info.tools,
        system_prompt=default.system_prompt,
        json_mode=default.json_mode,
        max_context=info.context_window or default.max_context,
    )


_ID_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def safe_tool_id(tool_id: str) -> str:
    """Tool-call ids from another provider, made acceptable where ids must match
    `^[a-zA-Z0-9_-]+$` (Anthropic); deterministic, so a call and its result still pair up."""
    cleaned = _ID_UNSAFE.sub("_", tool_id)
    return cleaned or "call"


async def timed_key_check(
    provider: str,
    check: Callable[[], Awaitable[Any]],
    to_error: Callable[[Exception], ProviderError],
) -> KeyValidation:
    """Run the cheapest authenticated call; report success and latency, never raise."""
    started = time.perf_counter()
    try:
        await check()
    except Exception as exc:
        error = exc if isinstance(exc, ProviderError) else to_error(exc)
        return KeyValidation(False, provider, (time.perf_counter() - started) * 1000, error)
    return KeyValidation(True, provider, (time.perf_counter() - started) * 1000)


async def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The `data` of each server-sent event (multi-line data joined), comments skipped.

    Hand-rolled on purpose: the stream's hot path. `event:`/`id:`/`retry:` fields are not
    needed by the data-only dialects that use this (Chat Completions, OpenRouter).
    """
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[6:] if line.startswith("data: ") else line[5:])
        # ":" comments (OpenRouter keep-alives) and other fields are ignored
    if data:
        yield "\n".join(data)


async def sse_data_bytes(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`sse_data` over the raw body: the data of each event as bytes, ready for `json.loads`.

    The streaming read's hot path: httpx's `aiter_lines` decodes every network read to text
    and splits it through two more generator layers; splitting the bytes here is a fraction of
    that. Lines may end in LF, CRLF or CR; a CR at the end of a read is held back until the
    next read shows whether an LF follows, so an event is never cut in two.
    """
    data: list[bytes] = []
    rest = b""
    async for chunk in chunks:
        if rest:
            chunk = rest + chunk
        if b"\r" in chunk:
            held = chunk.endswith(b"\r")
            if held:
                chunk = chunk[:-1]
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if held:
                chunk += b"\r"
        lines = chunk.split(b"\n")
        rest = lines.pop()
        for line in lines:
            if not line:
                if data:
                    yield data[0] if len(data) == 1 else b"\n".join(data)
                    data = []
            elif line.startswith(b"data:"):
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            # ":" comments (keep-alives) and other fields are ignored
    if rest.endswith(b"\r"):
        rest = rest[:-1]
    if rest.startswith(b"data:"):
        data.append(rest[6:] if rest[5:6] == b" " else rest[5:])
    if data:
        yield b"\n".join(data)
