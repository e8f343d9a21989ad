"""Helpers shared by the Claude and Chat Completions adapters, on inputs the fakes rarely make."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx2
import pytest

from polychat.providers._common import parse_arguments, safe_tool_id, sse_data, transport_error
from polychat.providers.base import (
    ProviderProtocolError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)


def test_transport_failures_become_provider_errors() -> None:
    assert isinstance(transport_error(httpx2.ReadTimeout("slow"), "p"), ProviderTimeoutError)
    assert isinstance(
        transport_error(httpx2.ConnectError("refused"), "p"), ProviderUnavailableError
    )
    cut = transport_error(httpx2.RemoteProtocolError("peer closed"), "p")
    assert isinstance(cut, ProviderProtocolError) and "mid-answer" in cut.message
    bad_json = transport_error(json.JSONDecodeError("x", "{", 1), "p")
    assert isinstance(bad_json, ProviderProtocolError)
    assert transport_error(KeyError("x"), "p") is None


def test_tool_arguments() -> None:
    assert parse_arguments("", "p") == {} and parse_arguments("  ", "p") == {}
    assert parse_arguments({"a": 1}, "p") == {"a": 1}
    assert parse_arguments('{"a": [1]}', "p") == {"a": [1]}
    with pytest.raises(ProviderProtocolError, match="not JSON"):
        parse_arguments('{"a": ', "p")
    with pytest.raises(ProviderProtocolError, match="not a JSON object"):
        parse_arguments("[1, 2]", "p")
    assert safe_tool_id("call:1/x") == "call_1_x" and safe_tool_id("") == "call"


async def lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def test_sse_data_joins_multiline_data_and_skips_comments() -> None:
    got = [
        d
        async for d in sse_data(
            lines(": OPENROUTER PROCESSING", "", "event: x", "data: a", "data:b", "", "data: c")
        )
    ]
    assert got == ["a\nb", "c"]  # a final event without its blank line still counts
