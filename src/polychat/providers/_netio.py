"""A lean asyncio network backend for httpcore2, under the SDKs' HTTP client.

Why: a streamed answer is one socket read per chunk, and httpcore2's default (anyio) backend
opens a cancel scope (`anyio.fail_after`) and resolves the running async library on every
read: ~9 % of the server's event-loop CPU in the chat benchmark, more than h11's parsing. Here a
read that finds data already buffered returns it at once, and a read that must wait arms one
`call_later` timer. Same contract as the anyio backend: httpcore2's `ReadTimeout`/`ReadError`/
`WriteTimeout`/`WriteError`/`ConnectTimeout`/`ConnectError`, `b""` at end of stream, TLS via
`loop.start_tls` (https upstreams and CONNECT tunnels), `is_readable` for stale keep-alives.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any, cast

import httpcore2
from httpcore2 import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)

# Pause the socket when this much is buffered and unread, as asyncio's own streams do.
_HIGH_WATER = 256 * 1024


class _Protocol(asyncio.Protocol):
    """Buffers what arrives and wakes the one reader or writer waiting on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.drain_waiter: asyncio.Future[None] | None = None
        self.write_paused = False
        self.read_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports have the interface without subclassing asyncio.Transport.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer = self.buffer + data if self.buffer else data
        if len(self.buffer) > _HIGH_WATER and not self.read_paused and self.transport:
            self.read_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self.write_paused = False
        self._wake_writer(exc)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._wake_writer(None)

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_writer(self, exc: Exception | None) -> None:
        waiter = self.drain_waiter
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)


def _expire(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


async def _wait(protocol: _Protocol, future: asyncio.Future[None], limit_s: float | None) -> None:
    timer = None if limit_s is None else protocol.loop.call_later(limit_s, _expire, future)
    try:
        await future
    finally:
        if timer is not None:
            timer.cancel()


class AsyncioStream(httpcore2.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    # `timeout` parameters: httpcore2's interface, not a choice (hence the noqa).
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        p = self._protocol
        if not p.buffer:
            if p.eof:
                if p.error is not None:
                    raise ReadError(str(p.error) or type(p.error).__name__)
                return b""
            p.waiter = p.loop.create_future()
            try:
                await _wait(p, p.waiter, timeout)
            except TimeoutError:
                raise ReadTimeout("timed out reading from the server") from None
            finally:
                p.waiter = None
            if not p.buffer:
                if p.error is not None:
                    raise ReadError(str(p.error) or type(p.error).__name__)
                return b""
        data = p.buffer
        if len(data) > max_bytes:
            data, p.buffer = data[:max_bytes], data[max_bytes:]
        else:
            p.buffer = b""
        if p.read_paused and len(p.buffer) <= _HIGH_WATER // 4:
            p.read_paused = False
            self._transport.resume_reading()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        p = self._protocol
        if self._transport.is_closing():
            raise WriteError("the connection is closed")
        self._transport.write(buffer)
        if p.write_paused:
            p.drain_waiter = p.loop.create_future()
            try:
                await _wait(p, p.drain_waiter, timeout)
            except TimeoutError:
                raise WriteTimeout("timed out writing to the server") from None
            except OSError as exc:
                raise WriteError(str(exc)) from exc
            finally:
                p.drain_waiter = None

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore2.AsyncNetworkStream:
        loop = self._protocol.loop
        try:
            transport = await asyncio.wait_for(
                loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                ),
                timeout,
            )
        except TimeoutError:
            self._transport.close()
            raise ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.close()
            raise ConnectError(str(exc)) from exc
        if transport is None:  # pragma: no cover - only when the loop was closed meanwhile
            raise ConnectError("the TLS handshake did not complete")
        self._protocol.transport = transport
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle keep-alive connection with something to read was closed by the server.
            return bool(self._protocol.buffer) or self._protocol.eof
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info in ("ssl_object", "socket"):
            return self._transport.get_extra_info(info)
        return None


class AsyncioBackend(httpcore2.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[httpcore2._types.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol(loop)
        try:
            transport, _ = await asyncio.wait_for(
                loop.create_connection(
                    lambda: protocol,
                    host,
                    port,
                    local_addr=None if local_address is None else (local_address, 0),
                ),
                timeout,
            )
        except TimeoutError:
            raise ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise ConnectError(str(exc)) from exc
        sock: socket.socket | None = transport.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[httpcore2._types.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol(loop)
        try:
            transport, _ = await asyncio.wait_for(
                loop.create_unix_connection(lambda: protocol, path), timeout
            )
        except TimeoutError:
            raise ConnectTimeout(f"timed out connecting to {path}") from None
        except OSError as exc:
            raise ConnectError(str(exc)) from exc
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
