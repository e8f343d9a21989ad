"""The benchmark's upstream: the OpenAI Chat Completions fake (tests/fakes/openai_chat.py) as a
process of its own, so it can be pinned to a core away from the server under test.

`python bench/chat_bench_fake.py --port N` serves it on 127.0.0.1:N (uvloop, main thread).
`POST /__bench/reply {"chunks", "chunk_delay_s", "text"}` changes the reply every request gets,
so one fake serves all phases of the benchmark (back-to-back chunks, then paced ones).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Reply
from tests.fakes.server import RecordedRequest


def build(record: bool = False) -> FakeOpenAIChat:
    fake = FakeOpenAIChat()
    state = fake.state

    async def set_reply(request: Request) -> JSONResponse:
        body = await request.json()
        state.default_reply = Reply(
            text=str(body["text"]),
            chunks=int(body["chunks"]),
            chunk_delay_s=float(body.get("chunk_delay_s", 0.0)),
        )
        state.requests.clear()
        return JSONResponse({"ok": True})

    fake.app.router.routes.append(Route("/__bench/reply", set_reply, methods=["POST"]))
    if not record:
        # Keeping every request body would grow without bound over a long run.
        original = state.record

        async def record_and_forget(request: Request) -> RecordedRequest:
            rec = await original(request)
            state.requests.clear()
            return rec

        state.record = record_and_forget  # type: ignore[method-assign]
    return fake


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    fake = build()
    uvicorn.run(
        fake.app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        backlog=4096,
    )


if __name__ == "__main__":
    main()
