"""The stream hub: replay-then-live subscriptions, stop, linger (no app, no database)."""

from __future__ import annotations

import asyncio
import contextlib

from polychat.chat.hub import Generation, StreamHub
from polychat.chat.sse import delta_frame, frame, parse_frames


def _gen(message_id: int = 1) -> Generation:
    return Generation(
        message_id=message_id,
        conversation_id=1,
        user_id=1,
        user_message_id=1,
        provider="openai",
        model="gpt-4o-mini",
    )


def test_delta_frame_equals_generic_frame() -> None:
    for text in ["plain", 'quote " and \\ backslash', "line\nbreak", "émoji 🎉", ""]:
        assert delta_frame(text) == frame("delta", {"text": text})
        assert parse_frames(delta_frame(text)) == [("delta", {"text": text})]


async def test_late_subscriber_replays_everything_then_follows_live() -> None:
    gen = _gen()
    gen.push(frame("start", {"id": 1}))
    gen.push_text("Hel", delta_frame("Hel"))
    gen.push_text("lo", delta_frame("lo"))

    received: list[bytes] = []

    async def follow() -> None:
        async for chunk in gen.subscribe():
            received.append(chunk)

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.01)
    # The backlog arrives joined in one write.
    assert len(received) == 1
    gen.push_text(" world", delta_frame(" world"))
    await asyncio.sleep(0.01)
    gen.finish("complete", frame("done", {"status": "complete"}))
    await asyncio.wait_for(task, 1)
    events = parse_frames(b"".join(received))
    assert [e for e, _ in events] == ["start", "delta", "delta", "delta", "done"]
    assert "".join(d["text"] for e, d in events if e == "delta") == "Hello world"
    assert gen.text_so_far == "Hello world"


async def test_cancelled_subscriber_does_not_disturb_the_others() -> None:
    gen = _gen()
    got: list[bytes] = []

    async def follow(sink: list[bytes]) -> None:
        async for chunk in gen.subscribe():
            sink.append(chunk)

    leaving = asyncio.create_task(follow([]))
    staying = asyncio.create_task(follow(got))
    await asyncio.sleep(0.01)
    leaving.cancel()  # the browser went away
    await asyncio.sleep(0.01)
    gen.push_text("a", delta_frame("a"))
    gen.finish("complete", frame("done", {}))
    await asyncio.wait_for(staying, 1)
    assert parse_frames(b"".join(got))[0] == ("delta", {"text": "a"})


async def test_stop_cancels_the_reader_promptly_and_hub_keeps_it_replayable() -> None:
    hub = StreamHub(linger_s=0.05)
    gen = _gen(7)
    upstream_closed = asyncio.Event()

    async def hanging_upstream() -> None:
        try:
            await asyncio.sleep(3600)  # a provider that never answers
        finally:
            upstream_closed.set()

    async def runner() -> str:
        gen.consumer = asyncio.create_task(hanging_upstream())
        with contextlib.suppress(asyncio.CancelledError):
            await gen.consumer
        gen.finish("stopped", frame("done", {"status": "stopped"}))
        return "ran"

    task = hub.start(gen, runner())
    await asyncio.sleep(0.01)
    assert hub.get(7) is gen and hub.running() == [gen]
    started = asyncio.get_running_loop().time()
    assert hub.stop(7) is True
    assert await gen.wait_finished(1.0)
    assert asyncio.get_running_loop().time() - started < 1.0
    assert upstream_closed.is_set()
    assert await task == "ran"
    assert gen.status == "stopped"
    assert hub.stop(7) is False  # already over
    assert hub.get(7) is gen  # lingers for a replay
    await asyncio.sleep(0.1)
    assert hub.get(7) is None


async def test_wait_finished_times_out_while_streaming() -> None:
    gen = _gen()
    assert await gen.wait_finished(0.02) is False
