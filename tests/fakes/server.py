"""Running a fake: a Starlette app served by uvicorn on 127.0.0.1:<ephemeral> in a thread.

A thread (not the test's event loop) so that a blocked or slow test loop never stalls the
fake, and the same fake serves sync code (SDK checks), async tests, the app under test and
benchmarks alike.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request

from tests.fakes.script import Failure, Reply


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None


@dataclass
class FakeState:
    """What a test controls (queued replies, valid keys) and inspects (requests seen)."""

    valid_keys: set[str] = field(default_factory=lambda: {"test-key"})
    replies: deque[Reply] = field(default_factory=deque)
    default_reply: Reply = field(default_factory=Reply)
    requests: list[RecordedRequest] = field(default_factory=list)
    open_streams: int = 0  # streams whose connection is still open (cancellation tests)
    closed_streams: int = 0
    # When set, the model-list endpoint answers with this failure (catalog fallback tests).
    models_failure: Failure | None = None

    def reset(self) -> None:
        """Forget replies, requests and counters; keys and the default reply stay."""
        self.replies.clear()
        self.requests.clear()
        self.open_streams = 0
        self.closed_streams = 0
        self.models_failure = None

    def next_reply(self) -> Reply:
        return self.replies.popleft() if self.replies else self.default_reply

    async def record(self, request: Request) -> RecordedRequest:
        raw = await request.body()
        body: Any = None
        if raw:
            import json

            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        rec = RecordedRequest(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        self.requests.append(rec)
        return rec


class CutConnection(Exception):
    """Raised inside a streaming body to drop the TCP connection with no terminator: uvicorn
    aborts the response, so the client sees an incomplete chunked body, as on a real cut."""


async def tracked(state: FakeState, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Wrap a streaming body so `open_streams` / `closed_streams` follow its connection: the
    `finally` runs when the stream ends, is cut, or the client disconnects (Starlette cancels
    the body on disconnect)."""
    state.open_streams += 1
    try:
        async for chunk in body:
            yield chunk
    finally:
        state.open_streams -= 1
        state.closed_streams += 1


class FakeServer:
    """Start with `with FakeXxx() as fake:`; `fake.url` is the base URL to give the provider."""

    def __init__(self, app: Starlette, state: FakeState) -> None:
        self.app = app
        self.state = state
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> None:
        self.state.replies.extend(replies)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.requests

    def start(self) -> FakeServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", access_log=False, loop="asyncio"
        )
        self._server = uvicorn.Server(config)
        server = self._server

        def run() -> None:
            asyncio.run(server.serve(sockets=[sock]))

        self._thread = threading.Thread(target=run, name=f"fake-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
