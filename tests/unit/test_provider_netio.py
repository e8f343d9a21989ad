"""The asyncio network backend under the providers' HTTP client, against real sockets on
127.0.0.1: what an adapter sees (bodies, keep-alive reuse, timeouts, refused and cut
connections, TLS) must be what httpx's default backend gives."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpcore2
import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from polychat.providers._common import http_client
from polychat.providers._netio import AsyncioBackend
from polychat.providers.base import ProviderConfig

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler, ssl_ctx: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_ctx)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)


def response(body: bytes, *, close: bool = False) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n"
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


def client(timeout_s: float = 5.0) -> httpx2.AsyncClient:
    return http_client(ProviderConfig(timeout_s=timeout_s, connect_timeout_s=2.0))


async def test_the_client_uses_it_and_reuses_a_kept_alive_connection() -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        for _ in range(3):
            await read_request(reader)
            writer.write(response(b"hello"))
            await writer.drain()
        writer.close()

    async with serve(handler) as port, client() as http:
        assert isinstance(http._transport._pool._network_backend, AsyncioBackend)  # type: ignore[attr-defined]
        bodies = [(await http.get(f"http://127.0.0.1:{port}/")).text for _ in range(3)]
    assert bodies == ["hello"] * 3
    assert connections == 1


async def test_a_big_streamed_body_arrives_whole_in_order() -> None:
    body = bytes(range(256)) * 8192  # 2 MiB: the socket is paused and resumed on the way

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(body))
        await writer.drain()
        writer.close()

    got = b""
    async with (
        serve(handler) as port,
        client() as http,
        http.stream("GET", f"http://127.0.0.1:{port}/") as resp,
    ):
        async for part in resp.aiter_raw():
            if not got:
                await asyncio.sleep(0.3)  # let far more than the high-water mark pile up
            got += part
    assert got == body


async def test_a_server_closing_an_idle_connection_is_noticed_before_reuse() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(b"once"))
        await writer.drain()
        writer.close()  # no Connection: close header: the client only sees the socket close

    async with serve(handler) as port, client() as http:
        first = await http.get(f"http://127.0.0.1:{port}/")
        await asyncio.sleep(0.1)
        second = await http.get(f"http://127.0.0.1:{port}/")
    assert (first.text, second.text) == ("once", "once")


async def test_a_silent_server_is_a_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(2)
        writer.close()

    async with serve(handler) as port, client(timeout_s=0.2) as http:
        with pytest.raises(httpx2.ReadTimeout):
            await http.get(f"http://127.0.0.1:{port}/")


async def test_a_body_cut_short_is_a_protocol_error_and_refused_is_connect_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
        await writer.drain()
        writer.close()

    async with serve(handler) as port, client() as http:
        with pytest.raises(httpx2.RemoteProtocolError):
            await http.get(f"http://127.0.0.1:{port}/")
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        free = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(httpx2.ConnectError):
            await http.get(f"http://127.0.0.1:{free}/")


def _tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert_file, key_file)
    client_ctx = ssl.create_default_context(cafile=str(cert_file))
    return server_ctx, client_ctx


async def test_tls_through_start_tls(tmp_path: Path) -> None:
    server_ctx, client_ctx = _tls_contexts(tmp_path)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(b"secret", close=True))
        await writer.drain()
        writer.close()

    pool = httpcore2.AsyncConnectionPool(ssl_context=client_ctx, network_backend=AsyncioBackend())
    async with serve(handler, server_ctx) as port, pool:
        resp = await pool.request("GET", f"https://127.0.0.1:{port}/")
    assert (resp.status, resp.content) == (200, b"secret")

    untrusted = httpcore2.AsyncConnectionPool(network_backend=AsyncioBackend())
    async with serve(handler, server_ctx) as port, untrusted:
        with pytest.raises(httpcore2.ConnectError):
            await untrusted.request("GET", f"https://127.0.0.1:{port}/")


def test_under_uvloop_as_the_server_runs_it(tmp_path: Path) -> None:
    """`polychat serve` runs on uvloop, whose transports are not asyncio.Transport subclasses."""
    uvloop = pytest.importorskip("uvloop")
    server_ctx, client_ctx = _tls_contexts(tmp_path)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(2):
            await read_request(reader)
            writer.write(response(b"from uvloop"))
            await writer.drain()
        writer.close()

    async def scenario() -> list[bytes]:
        out = []
        async with serve(handler) as port, client() as http:
            for _ in range(2):
                out.append((await http.get(f"http://127.0.0.1:{port}/")).content)
        pool = httpcore2.AsyncConnectionPool(
            ssl_context=client_ctx, network_backend=AsyncioBackend()
        )
        async with serve(handler, server_ctx) as port, pool:
            out.append((await pool.request("GET", f"https://127.0.0.1:{port}/")).content)
        return out

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(scenario()) == [b"from uvloop"] * 3


async def test_consecutive_openai_answers_share_one_connection() -> None:
    """After [DONE] the body is read to its end, so the next answer reuses the connection
    instead of paying a new connect (and name lookup) per answer."""
    from polychat.providers.base import ChatRequest, Message, TextDelta
    from polychat.providers.openai import OpenAIProvider
    from tests.fakes.openai_chat import FakeOpenAIChat
    from tests.fakes.script import Reply

    with FakeOpenAIChat() as fake:
        fake.state.default_reply = Reply(text="one two three", chunks=3)
        provider = OpenAIProvider(ProviderConfig(api_key="test-key", base_url=f"{fake.url}/v1"))
        try:
            request = ChatRequest("gpt-4o-mini", (Message.user("hi"),))
            texts = []
            for _ in range(3):
                events = [e async for e in provider.stream_message(request)]
                texts.append("".join(e.text for e in events if isinstance(e, TextDelta)))
            pool = provider._http._transport._pool  # type: ignore[attr-defined]
            assert texts == ["one two three"] * 3
            assert len(pool.connections) == 1
        finally:
            await provider.aclose()
