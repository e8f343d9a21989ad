"""The helpers Mistral, Gemini and Ollama share, and the reply shapes fakes rarely produce."""

from __future__ import annotations

import httpx
import httpx2
import pytest
from google.genai import types

from polychat.providers._gemini_wire import finish_reason as _finish
from polychat.providers._gemini_wire import usage_of as _usage
from polychat.providers._native_support import (
    arguments_from_json,
    parse_json_object,
    require_capabilities,
    transport_error,
)
from polychat.providers.base import (
    Capabilities,
    ChatRequest,
    Message,
    ProviderAuthError,
    ProviderCapabilityError,
    ProviderConfig,
    ProviderProtocolError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    ToolSpec,
)
from polychat.providers.catalog import load_catalog
from polychat.providers.gemini import GeminiProvider
from polychat.providers.mistral import MistralProvider


def test_error_bodies_and_tool_arguments_are_read_defensively() -> None:
    assert parse_json_object('{"a": 1}') == {"a": 1}
    assert parse_json_object("[1, 2]") == {}
    assert parse_json_object("<html>502</html>") == {}
    assert parse_json_object(None) == {}
    assert arguments_from_json('{"city": "Oslo"}') == {"city": "Oslo"}
    assert arguments_from_json({"a": 1}) == {"a": 1}
    assert arguments_from_json("") == {}
    assert arguments_from_json('{"city": "Os') == {"_raw": '{"city": "Os'}  # nothing lost
    assert arguments_from_json("[1]") == {"value": [1]}


@pytest.mark.parametrize("lib", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_both_httpx_families_map_the_same_way(lib: object) -> None:
    timeout = transport_error(lib.ReadTimeout("slow"), "x", unreachable="down")  # type: ignore[attr-defined]
    refused = transport_error(lib.ConnectError("refused"), "x", unreachable="down")  # type: ignore[attr-defined]
    cut = transport_error(lib.RemoteProtocolError("peer closed"), "x", unreachable="down")  # type: ignore[attr-defined]
    assert isinstance(timeout, ProviderTimeoutError)
    assert isinstance(refused, ProviderUnavailableError) and refused.message == "down"
    assert isinstance(cut, ProviderProtocolError) and "closed" in cut.message
    assert transport_error(KeyError("x"), "x", unreachable="down") is None


def test_tools_for_a_model_without_tools_fail_before_sending() -> None:
    request = ChatRequest(
        model="phi4",
        messages=(Message.user("hi"),),
        tools=(ToolSpec("f", "d", {"type": "object"}),),
    )
    with pytest.raises(ProviderCapabilityError, match="cannot call tools"):
        require_capabilities(request, Capabilities(tools=False), "ollama")


def _chunk(reason: str | None = None, blocked: bool = False) -> types.GenerateContentResponse:
    if blocked:
        return types.GenerateContentResponse(
            prompt_feedback=types.GenerateContentResponsePromptFeedback(block_reason="SAFETY")
        )
    return types.GenerateContentResponse(
        candidates=[types.Candidate(finish_reason=reason)] if reason else []
    )


def test_gemini_finish_reasons_are_read_from_content_and_enum() -> None:
    assert _finish(_chunk("STOP"), saw_calls=False) == "stop"
    assert _finish(_chunk("STOP"), saw_calls=True) == "tool_calls"
    assert _finish(_chunk("MAX_TOKENS"), saw_calls=False) == "length"
    assert _finish(_chunk("SAFETY"), saw_calls=False) == "content_filter"
    assert _finish(_chunk("MALFORMED_FUNCTION_CALL"), saw_calls=False) == "other"
    assert _finish(_chunk(blocked=True), saw_calls=False) == "content_filter"
    assert _finish(_chunk(), saw_calls=False) is None


def test_gemini_usage_counts_thoughts_as_output_and_cache_as_read() -> None:
    meta = types.GenerateContentResponseUsageMetadata(
        prompt_token_count=100,
        candidates_token_count=20,
        thoughts_token_count=30,
        cached_content_token_count=64,
    )
    usage = _usage(meta)
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens) == (100, 50, 64)
    assert _usage(None).input_tokens == 0


async def test_no_key_is_a_clear_auth_error_before_any_request() -> None:
    for cls, env in ((GeminiProvider, "GEMINI_API_KEY"), (MistralProvider, "MISTRAL_API_KEY")):
        provider = cls(ProviderConfig(base_url="http://127.0.0.1:9"))  # nothing listens there
        try:
            with pytest.raises(ProviderAuthError, match=env):
                await provider.send_message(ChatRequest(model="m", messages=(Message.user("x"),)))
            check = await provider.validate_api_key()
            empty = await provider.validate_api_key("")
            models = await provider.get_models()
        finally:
            await provider.aclose()
        assert isinstance(check.error, ProviderAuthError) and env in check.error.message
        assert isinstance(empty.error, ProviderAuthError)
        assert [m.id for m in models] == [m.id for m in load_catalog(cls.name).models]
