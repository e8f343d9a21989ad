"""A server killed mid-answer (SIGKILL, no shutdown hook): on restart the answer is
`interrupted` with the text (and thinking) of its last checkpoint, and nothing else is
damaged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.script import Reply
from tests.helpers import register
from tests.integration.chat_helpers import KEY, ServerProcess, iter_sse, read_sse, server_env

pytestmark = pytest.mark.db
MODEL = "claude-sonnet-4-6"


async def test_kill_mid_stream_then_restart_marks_interrupted(
    settings: Settings, tmp_path: Path
) -> None:
    with FakeAnthropic() as fake:
        env = server_env(settings, POLYCHAT_CLAUDE_BASE_URL=fake.url, ANTHROPIC_API_KEY=KEY)
        first = await asyncio.to_thread(ServerProcess(env, str(tmp_path)).start)
        try:
            async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
                headers = await register(http, "alice")
                fake.queue(Reply(text="A finished answer."))
                done = await http.post(
                    "/api/chat", json={"model": MODEL, "content": "earlier"}, headers=headers
                )
                assert done.status_code == 200
                text = "".join(f"t{i:03d} " for i in range(150))
                thought = "Plan it first. Then write it slowly."
                fake.queue(Reply(text=text, chunks=150, chunk_delay_s=0.03, thinking=thought))
                async with http.stream(
                    "POST",
                    "/api/chat/stream",
                    json={"model": MODEL, "content": "a long one", "reasoning": "medium"},
                    headers=headers,
                ) as response:
                    events = iter_sse(response)
                    start = (await anext(events))[1]
                    received = ""
                    async for name, data in events:
                        if name == "delta":
                            received += data["text"]
                        if len(received) > 200:
                            break
                    await asyncio.sleep(1.5)  # at least one checkpoint (~1 s) has run
                    first.kill()
        finally:
            first.kill()

        second = await asyncio.to_thread(ServerProcess(env, str(tmp_path)).start)
        try:
            async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
                r = await http.post(
                    "/api/auth/login",
                    json={"username": "alice", "password": "correct horse battery staple"},
                )
                headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
                conv = (
                    await http.get(
                        f"/api/conversations/{start['conversation_id']}", headers=headers
                    )
                ).json()
                user_msg, answer = conv["messages"]
                assert user_msg["content"] == "a long one" and user_msg["status"] == "complete"
                assert answer["id"] == start["assistant_message_id"]
                assert answer["status"] == "interrupted"
                assert answer["error"]["code"] == "interrupted"
                # The last checkpoint's text: non-empty, a prefix of what was being written.
                assert len(answer["content"]) >= 200
                assert text.startswith(answer["content"]) and answer["content"] != text
                # The thinking, all streamed before that text, was checkpointed with it.
                assert answer["parts"][0]["kind"] == "thinking"
                assert answer["parts"][0]["text"] == thought
                assert isinstance(answer["parts"][0]["duration_ms"], int)
                # The earlier conversation is untouched.
                other = (
                    await http.get(
                        f"/api/conversations/{done.json()['conversation_id']}", headers=headers
                    )
                ).json()
                assert [m["status"] for m in other["messages"]] == ["complete", "complete"]
                assert other["messages"][1]["content"] == "A finished answer."
                # Re-attaching to the dead answer gives what was saved and says how it ended.
                _, sse = await read_sse(
                    http, "GET", f"/api/chat/{answer['id']}/stream", headers=headers
                )
                assert sse.text == answer["content"]
                assert sse.names[:3] == ["start", "thinking", "delta"]
                assert sse.first("thinking")["text"] == thought
                assert sse.first("error")["code"] == "interrupted"
                assert sse.first("done")["status"] == "interrupted"
                # And the restarted server answers new turns in the same conversation.
                fake.queue(Reply(text="back again"))
                r = await http.post(
                    "/api/chat",
                    json={
                        "model": MODEL,
                        "content": "still there?",
                        "conversation_id": start["conversation_id"],
                    },
                    headers=headers,
                )
                assert r.status_code == 200 and r.json()["content"] == "back again"
                # The saved toggle still applies; the interrupted answer's thinking stays home.
                sent = fake.requests[-1].body
                assert sent["thinking"]["type"] in ("enabled", "adaptive")
                assert thought not in str(sent["messages"])
        finally:
            second.terminate()
