"""The chat layer seen through a scripted provider (tests/scripted_provider.py): what a
provider is asked after an edit, a regenerate, a failed, broken or stopped answer; failover
between two providers; what is saved and streamed when a provider fails at a chosen point.

No wire format is involved, so none is faked: the app runs in-process (ASGI), the scripted
providers are registered with it like plugins, and every assertion is either what the user
sees (the stream, the saved conversation) or the `ChatRequest` the provider received.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from polychat.app import create_app
from polychat.chat.history import NOT_RUN
from polychat.config import Settings
from polychat.providers.base import (
    FinishEvent,
    Message,
    ModelInfo,
    ProviderOverloadedError,
    ProviderProtocolError,
    ProviderUnavailableError,
    TextDelta,
    TextPart,
    ToolCallEnd,
    ToolCallPart,
    ToolResultPart,
)
from tests.helpers import register
from tests.integration.chat_helpers import SSE, chat_settings, read_sse
from tests.scripted_provider import Hold, Script, ScriptedProvider, fail, install, say

pytestmark = pytest.mark.db


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    # First-words titles: a generated title would be one more request to the provider.
    return create_app(chat_settings(settings))


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> dict[str, str]:
    return await register(client, "alice")


async def scripted(
    app: FastAPI, script: Script, name: str = "alpha", models: Sequence[ModelInfo | str] = ()
) -> type[ScriptedProvider]:
    provider = ScriptedProvider.bind(script, name=name, models=models or ("scripted-1",))
    await install(app, provider)
    return provider


async def ask(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    provider: type[ScriptedProvider],
    content: str | None,
    **body: Any,
) -> SSE:
    payload = {"provider": provider.name, "model": provider.models[0].id, **body}
    if content is not None:
        payload["content"] = content
    r, sse = await read_sse(client, "POST", "/api/chat/stream", json=payload, headers=headers)
    assert r.status_code == 200, r.text
    return sse


async def conversation(
    client: httpx.AsyncClient, headers: dict[str, str], sse: SSE
) -> dict[str, Any]:
    conv_id = sse.first("start")["conversation_id"]
    r = await client.get(f"/api/conversations/{conv_id}", headers=headers)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_an_edit_sends_the_history_up_to_the_edited_message(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    alpha = await scripted(app, [say("A1"), say("A2"), say("A2 again")])
    first = await ask(client, alice, alpha, "Q1")
    conv_id = first.first("start")["conversation_id"]
    second = await ask(client, alice, alpha, "Q2", conversation_id=conv_id)
    q2_id = second.first("start")["user_message_id"]

    edited = await ask(client, alice, alpha, "Q2, better", edit_message_id=q2_id)

    assert edited.text == "A2 again"
    assert alpha.requests[2].messages == (
        Message.user("Q1"),
        Message.assistant("A1"),
        Message.user("Q2, better"),
    )
    messages = (await conversation(client, alice, edited))["messages"]
    assert [m["content"] for m in messages] == ["Q1", "A1", "Q2, better", "A2 again"]
    assert messages[2]["sibling_ids"] == [q2_id, edited.first("start")["user_message_id"]]


async def test_a_regenerate_sends_the_same_history_without_the_old_answer(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    alpha = await scripted(app, [say("A1"), say("A2"), say("A2, take two")])
    first = await ask(client, alice, alpha, "Q1")
    conv_id = first.first("start")["conversation_id"]
    second = await ask(client, alice, alpha, "Q2", conversation_id=conv_id)
    old_answer = second.first("start")["assistant_message_id"]

    again = await ask(client, alice, alpha, None, regenerate_message_id=old_answer)

    assert again.text == "A2, take two"
    assert alpha.requests[2].messages == alpha.requests[1].messages
    assert alpha.requests[2].messages[-1] == Message.user("Q2")
    messages = (await conversation(client, alice, again))["messages"]
    assert [m["content"] for m in messages] == ["Q1", "A1", "Q2", "A2, take two"]
    assert messages[-1]["sibling_ids"] == [old_answer, again.first("start")["assistant_message_id"]]


async def test_a_failed_empty_answer_is_left_out_and_the_user_turns_merge(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    alpha = await scripted(app, [[fail(ProviderOverloadedError, "busy")], say("Now I can")])
    failed = await ask(client, alice, alpha, "Q1")
    assert failed.first("error")["code"] == "overloaded"
    assert failed.first("error")["provider"] == "alpha"
    assert failed.first("done")["status"] == "error"
    conv_id = failed.first("start")["conversation_id"]

    await ask(client, alice, alpha, "Q2", conversation_id=conv_id)

    assert alpha.requests[1].messages == (Message.user("Q1\n\nQ2"),)
    messages = (await conversation(client, alice, failed))["messages"]
    assert [(m["status"], m["content"]) for m in messages] == [
        ("complete", "Q1"),
        ("error", ""),
        ("complete", "Q2"),
        ("complete", "Now I can"),
    ]


async def test_an_error_after_some_text_saves_the_partial_answer_and_sends_it_next(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    broken = [TextDelta("Half "), TextDelta("an answer"), fail(ProviderProtocolError, "cut")]
    alpha = await scripted(app, [broken, say("The rest")])
    sse = await ask(client, alice, alpha, "Q1")
    assert sse.text == "Half an answer"
    assert sse.first("error")["code"] == "protocol_error" and sse.first("error")["retryable"]
    assert sse.first("done")["status"] == "error"
    answer = (await conversation(client, alice, sse))["messages"][-1]
    assert (answer["status"], answer["content"]) == ("error", "Half an answer")
    assert answer["error"]["code"] == "protocol_error"

    await ask(client, alice, alpha, "Q2", conversation_id=sse.first("start")["conversation_id"])

    assert alpha.requests[1].messages == (
        Message.user("Q1"),
        Message.assistant("Half an answer"),
        Message.user("Q2"),
    )


async def test_a_stop_mid_stream_closes_the_provider_stream_and_keeps_the_text(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    hold = Hold()
    alpha = await scripted(
        app, [[TextDelta("Once "), TextDelta("upon"), hold, TextDelta(" never sent")], say("Ok")]
    )
    streaming = asyncio.create_task(ask(client, alice, alpha, "Tell me a story"))
    await asyncio.wait_for(hold.reached.wait(), 10)
    conv = (await client.get("/api/conversations", headers=alice)).json()["items"][0]
    live = (await client.get(f"/api/conversations/{conv['id']}", headers=alice)).json()
    answer_id = live["messages"][-1]["id"]

    r = await client.post(f"/api/chat/{answer_id}/stop", headers=alice)

    assert r.json() == {"message_id": answer_id, "stopped": True, "status": "stopped"}
    sse = await asyncio.wait_for(streaming, 10)
    assert sse.text == "Once upon"
    assert sse.first("done")["status"] == "stopped"
    assert alpha.abandoned == [alpha.requests[0]]  # the upstream stream was closed
    saved = (await conversation(client, alice, sse))["messages"][-1]
    assert (saved["status"], saved["content"]) == ("stopped", "Once upon")

    await ask(client, alice, alpha, "Go on", conversation_id=conv["id"])
    assert alpha.requests[1].messages[1:] == (Message.assistant("Once upon"), Message.user("Go on"))


async def test_failover_to_a_second_provider_only_before_the_first_token(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    alpha = await scripted(
        app,
        [
            [fail(ProviderOverloadedError)],
            [TextDelta("I started "), fail(ProviderUnavailableError)],
        ],
    )
    beta = await scripted(app, [say("Beta ", "answers")], name="beta")
    chain = [{"provider": "beta", "model": "scripted-1"}]

    sse = await ask(client, alice, alpha, "Q1", system="Be brief", failover=chain)

    assert sse.first("failover") == {
        "from_provider": "alpha",
        "from_model": "scripted-1",
        "provider": "beta",
        "model": "scripted-1",
        "code": "overloaded",
    }
    assert sse.text == "Beta answers" and sse.first("done")["provider"] == "beta"
    assert beta.requests[0].messages == alpha.requests[0].messages == (Message.user("Q1"),)
    assert beta.requests[0].system == "Be brief"
    assert (await conversation(client, alice, sse))["messages"][-1]["provider"] == "beta"

    # Once text has streamed the answer is alpha's, even though it breaks: no failover.
    conv_id = sse.first("start")["conversation_id"]
    broken = await ask(client, alice, alpha, "Q2", conversation_id=conv_id)
    assert "failover" not in broken.names
    assert broken.text == "I started "
    assert broken.first("done")["provider"] == "alpha"
    assert broken.first("error")["code"] == "unavailable"
    assert len(beta.requests) == 1
    assert alpha.requests[1].messages == (
        Message.user("Q1"),
        Message.assistant("Beta answers"),
        Message.user("Q2"),
    )


async def test_system_prompt_and_saved_parameters_reach_later_turns(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    alpha = await scripted(app, lambda request: say(f"{len(request.messages)} messages"))
    first = await ask(
        client,
        alice,
        alpha,
        "Q1",
        system="Answer in French",
        temperature=0.2,
        max_tokens=50,
        stop=["END"],
    )
    conv_id = first.first("start")["conversation_id"]
    second = await ask(client, alice, alpha, "Q2", conversation_id=conv_id)

    assert (first.text, second.text) == ("1 messages", "3 messages")
    later = alpha.requests[1]
    assert later.system == "Answer in French"
    assert (later.temperature, later.max_tokens, later.stop) == (0.2, 50, ("END",))
    assert later.reasoning is None


async def test_thinking_is_streamed_and_saved_apart_and_never_sent_back(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    thinker = ModelInfo("thinker-1", "alpha", "Thinker", reasoning=True)
    alpha = await scripted(
        app, [say("Forty-two", thinking=["Let me ", "think"]), say("Yes")], models=[thinker]
    )
    sse = await ask(client, alice, alpha, "Meaning of life?", reasoning="high")
    assert alpha.requests[0].reasoning == "high"
    assert "".join(d["text"] for d in sse.of("thinking")) == "Let me think"
    assert sse.text == "Forty-two"
    answer = (await conversation(client, alice, sse))["messages"][-1]
    assert answer["content"] == "Forty-two"
    assert answer["parts"][0]["kind"] == "thinking"
    assert answer["parts"][0]["text"] == "Let me think"

    conv_id = sse.first("start")["conversation_id"]
    await ask(client, alice, alpha, "Sure?", conversation_id=conv_id)
    assert alpha.requests[1].messages[1] == Message.assistant("Forty-two")


async def test_a_tool_call_nobody_ran_is_answered_as_not_run_on_the_next_turn(
    app: FastAPI, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    call = ToolCallPart("call_1", "lookup", {"q": "weather"})
    alpha = await scripted(
        app, [[ToolCallEnd(0, call), FinishEvent("tool_calls")], say("It is sunny")]
    )
    sse = await ask(client, alice, alpha, "Weather?")
    assert sse.first("done")["finish_reason"] == "tool_calls"
    answer = (await conversation(client, alice, sse))["messages"][-1]
    assert answer["parts"] == [
        {
            "v": 1,
            "kind": "tool_call",
            "id": "call_1",
            "name": "lookup",
            "arguments": {"q": "weather"},
        }
    ]

    await ask(client, alice, alpha, "And?", conversation_id=sse.first("start")["conversation_id"])

    assert alpha.requests[1].messages == (
        Message.user("Weather?"),
        Message("assistant", (call,)),
        Message("user", (ToolResultPart("call_1", "lookup", NOT_RUN, True), TextPart("And?"))),
    )
