"""Pieces the Mistral, Gemini and Ollama adapters share, kept out of `base.py` on purpose.

These three adapters speak three different wire formats through three different SDKs, but they
need the same few helpers beyond `_common.py`'s: one TLS context for all their clients, a
dead connection turned into a `ProviderError` whichever httpx family the SDK uses (mistralai
uses the httpx2 fork, google-genai and ollama plain httpx), error bodies and tool arguments
read defensively, and images *or tools* refused before any byte goes upstream. Catalog and
model-list caching live in `catalog.py`, retries in `retry.py`.
"""

from __future__ import annotations

import functools
import json
import ssl
from typing import Any

import certifi
import httpx
import httpx2

from polychat.providers.base import (
    Capabilities,
    ChatRequest,
    ImagePart,
    ProviderAuthError,
    ProviderCapabilityError,
    ProviderError,
    ProviderProtocolError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)

# The SDKs disagree on which httpx they use (mistralai ships its own fork, httpx2), so every
# isinstance check has to look at both families.
_TIMEOUTS: tuple[type[BaseException], ...] = (httpx.TimeoutException, httpx2.TimeoutException)
_CONNECT: tuple[type[BaseException], ...] = (httpx.ConnectError, httpx2.ConnectError)
_TRANSPORT: tuple[type[BaseException], ...] = (httpx.TransportError, httpx2.TransportError)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verified TLS context shared by every client we build: loading the CA bundle costs
    about 0.1 s, which would otherwise be paid per provider instance and per key check."""
    return ssl.create_default_context(cafile=certifi.where())


def require_key(key: str | None, provider: str, env_var: str) -> str:
    """The key, or an error telling the user where to put one, before any request is made."""
    if not key:
        raise ProviderAuthError(
            f"No API key for {provider}: set {env_var} or add one in Settings → Providers.",
            provider=provider,
        )
    return key


def transport_error(exc: BaseException, provider: str, *, unreachable: str) -> ProviderError | None:
    """Map an httpx-family transport failure, or return None when `exc` is something else.

    A connection cut after the headers (RemoteProtocolError, ReadError) is a protocol error:
    the user must see that the answer stopped, not a stream that silently ends.
    """
    if isinstance(exc, _TIMEOUTS):
        return ProviderTimeoutError(f"{provider} did not answer in time.", provider=provider)
    if isinstance(exc, _CONNECT):
        return ProviderUnavailableError(unreachable, provider=provider)
    if isinstance(exc, _TRANSPORT):
        return ProviderProtocolError(
            f"The connection to {provider} was closed before the answer was complete ({exc}).",
            provider=provider,
        )
    return None


def parse_json_object(text: str | None) -> dict[str, Any]:
    """Error bodies come in many shapes; anything that is not a JSON object becomes {}."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dump_json(value: dict[str, Any]) -> str:
    """Compact JSON for tool arguments on the wire (Mistral) and in argument deltas."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def arguments_from_json(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """Tool arguments as an object; a model that emits broken JSON keeps its text under
    `_raw` so nothing is lost and the tool layer can report it."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"value": value}


def require_capabilities(request: ChatRequest, caps: Capabilities, provider: str) -> None:
    """Refuse, before any request is sent, what the model cannot take."""
    if not caps.vision and any(isinstance(p, ImagePart) for m in request.messages for p in m.parts):
        raise ProviderCapabilityError(
            f"{request.model} on {provider} cannot read images; pick a model with vision.",
            provider=provider,
        )
    if request.tools and not caps.tools:
        raise ProviderCapabilityError(
            f"{request.model} on {provider} cannot call tools; pick a model with tool support.",
            provider=provider,
        )
