"""A lean ASGI response for the chat stream.

Starlette's `StreamingResponse` (on an ASGI 2.3 server such as uvicorn) runs every response
inside an anyio task group with a second task listening for the disconnect, which costs more
per stream than everything else this layer does. Here: the frames are sent as they come, and
one plain task watches `receive()` so a client that has gone away stops the *subscription*
(never the generation, which the hub owns) at the next frame.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class SSEResponse(Response):
    media_type = "text/event-stream"

    def __init__(
        self, frames: AsyncIterator[bytes], headers: Mapping[str, str] | None = None
    ) -> None:
        self.frames = frames
        self.status_code = 200
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watcher = asyncio.get_running_loop().create_task(_until_disconnect(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            async for chunk in self.frames:
                if watcher.done():
                    return  # the client left; the answer goes on without it
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            return
        finally:
            watcher.cancel()
            close = getattr(self.frames, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()


async def _until_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
