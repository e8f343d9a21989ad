"""The fakes refuse the histories the real APIs refuse, with the real status and error body.

Each bad history is sent straight to a fake (the official SDK where it lets the body through,
httpx otherwise), never through our adapters: these tests pin the fakes' rules, so an adapter
that regresses fails its own tests against a fake as strict as the real API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.gemini import FakeGemini
from tests.fakes.mistral import FakeMistral
from tests.fakes.openai_chat import FakeOpenAIChat

CALL = {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Oslo"}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "sunny"}
TOOLS = [{"name": "get_weather", "input_schema": {"type": "object"}}]


@pytest.fixture(scope="module")
def ant() -> Iterator[anthropic.Anthropic]:
    with FakeAnthropic() as fake:
        yield anthropic.Anthropic(api_key="test-key", base_url=fake.url, max_retries=0)


def _claude_error(client: anthropic.Anthropic, messages: list[Any], **kw: Any) -> dict[str, Any]:
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(model="claude-sonnet-4-6", max_tokens=64, messages=messages, **kw)
    assert raised.value.status_code == 400
    body = raised.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error"
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([{"type": "text", "text": ""}], "messages: text content blocks must be non-empty"),
        ("", "messages: text content blocks must be non-empty"),
        (
            [{"type": "text", "text": "Hi"}, {"type": "text", "text": " \n\t"}],
            "messages: text content blocks must contain non-whitespace text",
        ),
    ],
)
def test_anthropic_refuses_blank_text_blocks(
    ant: anthropic.Anthropic, content: Any, message: str
) -> None:
    error = _claude_error(
        ant,
        [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": content},
            {"role": "user", "content": "Again?"},
        ],
    )
    assert error["message"] == message


def test_anthropic_refuses_an_empty_message_but_a_final_assistant_one(
    ant: anthropic.Anthropic,
) -> None:
    error = _claude_error(
        ant,
        [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": []},
            {"role": "user", "content": "Again?"},
        ],
    )
    assert error["message"] == (
        "messages.1: all messages must have non-empty content except for the optional final "
        "assistant message"
    )
    # The optional final assistant message (a prefill) may be empty.
    done = ant.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=64,
        messages=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}],
    )
    assert done.content


def test_anthropic_refuses_tool_blocks_without_tools_and_unanswered_calls(
    ant: anthropic.Anthropic,
) -> None:
    paired = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [CALL]},
        {"role": "user", "content": [RESULT, {"type": "text", "text": "Thanks"}]},
    ]
    error = _claude_error(ant, paired)
    assert error["message"] == (
        "Requests which include `tool_use` or `tool_result` blocks must define tools."
    )
    # With the tools declared (even with tool_choice none) the same history is accepted.
    done = ant.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=64,
        messages=paired,  # type: ignore[arg-type]
        tools=TOOLS,  # type: ignore[arg-type]
        tool_choice={"type": "none"},
    )
    assert done.content
    unanswered = [*paired[:2], {"role": "user", "content": "Thanks"}]
    error = _claude_error(ant, unanswered, tools=TOOLS)
    assert error["message"] == (
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "toolu_01A. Each `tool_use` block must have a corresponding `tool_result` block in the "
        "next message."
    )


@pytest.fixture(scope="module")
def oa() -> Iterator[openai.OpenAI]:
    with FakeOpenAIChat("openai") as fake:
        yield openai.OpenAI(api_key="test-key", base_url=fake.url + "/v1", max_retries=0)


OA_CALL = {"id": "call_abc", "type": "function",
           "function": {"name": "get_weather", "arguments": "{}"}}  # fmt: skip


def _openai_error(client: openai.OpenAI, messages: list[Any]) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=messages)
    assert raised.value.status_code == 400
    body = raised.value.body
    assert isinstance(body, dict) and body["type"] == "invalid_request_error"
    return body


def test_openai_refuses_tool_calls_without_tool_messages(oa: openai.OpenAI) -> None:
    for after in ([{"role": "user", "content": "Thanks"}], []):
        error = _openai_error(
            oa,
            [
                {"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": None, "tool_calls": [OA_CALL]},
                *after,
            ],
        )
        assert error["message"] == (
            "An assistant message with 'tool_calls' must be followed by tool messages responding"
            " to each 'tool_call_id'. The following tool_call_ids did not have response "
            "messages: call_abc"
        )
        assert (error["param"], error["code"]) == ("messages.[1].role", None)
    done = oa.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": None, "tool_calls": [OA_CALL]},  # type: ignore[list-item]
            {"role": "tool", "tool_call_id": "call_abc", "content": "sunny"},
            {"role": "user", "content": "Thanks"},
        ],
    )
    assert done.choices[0].message.content


def test_openai_refuses_an_assistant_message_without_content_or_calls(oa: openai.OpenAI) -> None:
    error = _openai_error(
        oa,
        [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": None},
            {"role": "user", "content": "Again?"},
        ],
    )
    assert error["message"] == "Invalid value for 'content': expected a string, got null."
    assert error["param"] == "messages.[1].content"


@pytest.fixture(scope="module")
def mistral() -> Iterator[FakeMistral]:
    with FakeMistral() as fake:
        yield fake


def _mistral(fake: FakeMistral, messages: list[Any]) -> httpx.Response:
    return httpx.post(
        f"{fake.url}/v1/chat/completions",
        json={"model": "mistral-small-latest", "messages": messages},
        headers={"authorization": "Bearer test-key"},
    )


M_CALL = {"id": "D681PevKs", "type": "function",
          "function": {"name": "get_weather", "arguments": "{}"}}  # fmt: skip
M_RESULT = {"role": "tool", "tool_call_id": "D681PevKs", "name": "get_weather", "content": "sun"}


@pytest.mark.parametrize(
    ("messages", "message", "kind", "code"),
    [
        (
            [{"role": "user", "content": "Weather?"},
             {"role": "assistant", "content": None, "tool_calls": [M_CALL]},
             {"role": "user", "content": "Thanks"}],
            "Not the same number of function calls and responses",
            "invalid_request_error",
            None,
        ),
        (
            [{"role": "user", "content": "Weather?"},
             {"role": "assistant", "content": None, "tool_calls": [M_CALL]},
             M_RESULT, {"role": "user", "content": "Thanks"}],
            "Unexpected role 'user' after role 'tool'",
            "invalid_request_message_order",
            "3230",
        ),
        (
            [{"role": "user", "content": "Weather?"}, M_RESULT],
            "Unexpected role 'tool' after role 'user'",
            "invalid_request_message_order",
            "3230",
        ),
        (
            [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None},
             {"role": "user", "content": "Again?"}],
            "Assistant message must have either content or tool_calls, but not none.",
            "invalid_request_error",
            None,
        ),
        (
            [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
            "Expected last role User or Tool (or Assistant with prefix True) for serving but "
            "got assistant",
            "invalid_request_error",
            None,
        ),
    ],
)  # fmt: skip
def test_mistral_refuses_unpaired_calls_and_bad_role_order(
    mistral: FakeMistral, messages: list[Any], message: str, kind: str, code: str | None
) -> None:
    r = _mistral(mistral, messages)
    assert r.status_code == 400
    assert r.json() == {
        "object": "error", "message": message, "type": kind, "param": None, "code": code,
    }  # fmt: skip


def test_mistral_accepts_a_bridged_tool_exchange(mistral: FakeMistral) -> None:
    r = _mistral(
        mistral,
        [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": None, "tool_calls": [M_CALL]},
            M_RESULT,
            {"role": "assistant", "content": "(tool results received)"},
            {"role": "user", "content": "Thanks"},
        ],
    )
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def gemini() -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        yield fake


def _gemini(fake: FakeGemini, contents: list[Any]) -> httpx.Response:
    return httpx.post(
        f"{fake.url}/v1beta/models/gemini-2.5-flash:generateContent",
        json={"contents": contents},
        headers={"x-goog-api-key": "test-key"},
    )


G_CALL = {"functionCall": {"name": "get_weather", "args": {}}}
G_RESULT = {"functionResponse": {"name": "get_weather", "response": {"result": "sun"}}}


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (
            [{"role": "user", "parts": [{"text": "Hi"}]}, {"role": "model", "parts": []},
             {"role": "user", "parts": [{"text": "Again?"}]}],
            "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n",
        ),
        (
            [{"role": "user", "parts": [{"text": "Hi"}, {"text": ""}]}],
            "* GenerateContentRequest.contents[0].parts[1].data: required oneof field 'data' "
            "must have one initialized field\n",
        ),
        (
            [{"role": "user", "parts": [{"text": "Weather?"}]},
             {"role": "model", "parts": [G_CALL]},
             {"role": "user", "parts": [{"text": "Thanks"}]}],
            "Please ensure that the number of function response parts is equal to the number of "
            "function call parts of the function call turn.",
        ),
        (
            [{"role": "user", "parts": [{"text": "Weather?"}, G_RESULT]}],
            "Please ensure that function response turn comes immediately after a function call "
            "turn.",
        ),
        (
            [{"role": "model", "parts": [G_CALL]}, {"role": "user", "parts": [G_RESULT]}],
            "Please ensure that function call turn comes immediately after a user turn or after "
            "a function response turn.",
        ),
    ],
)  # fmt: skip
def test_gemini_refuses_empty_parts_and_unanswered_function_calls(
    gemini: FakeGemini, contents: list[Any], message: str
) -> None:
    r = _gemini(gemini, contents)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}


def test_gemini_accepts_a_call_answered_in_the_next_user_turn(gemini: FakeGemini) -> None:
    r = _gemini(
        gemini,
        [
            {"role": "user", "parts": [{"text": "Weather?"}]},
            {"role": "model", "parts": [{"text": "Checking."}, G_CALL]},
            {"role": "user", "parts": [G_RESULT, {"text": "Thanks"}]},
        ],
    )
    assert r.status_code == 200, r.text
