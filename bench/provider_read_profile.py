"""Where the CPU goes when the server reads streams through the `openai` provider.

Starts the benchmark's fake upstream (bench/chat_bench_fake.py) as its own process, then reads
`--streams` 64-chunk streams through `OpenAIProvider.stream_message()` (`--concurrency` at a
time) in this process, under cProfile, and prints the CPU per stream and the top functions.
The chat benchmark measures the whole server; this isolates the provider's share of it.

Run: `uv run python bench/provider_read_profile.py [--streams 400] [--no-profile]`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from polychat.providers.base import ChatRequest, Message, ProviderConfig, TextDelta  # noqa: E402
from polychat.providers.openai import OpenAIProvider  # noqa: E402

CHUNKS = 64
TEXT = "".join(f"tok{i:04d} " for i in range(CHUNKS))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_fake(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "chat_bench_fake.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            body = f'{{"text": "{TEXT}", "chunks": {CHUNKS}, "chunk_delay_s": 0}}'.encode()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/__bench/reply", body)
            urllib.request.urlopen(req, timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the fake did not start")


async def read_all(provider: OpenAIProvider, streams: int, concurrency: int) -> int:
    request = ChatRequest("gpt-4o-mini", (Message.user("hi"),))
    remaining = streams
    chars = 0

    async def worker() -> None:
        nonlocal remaining, chars
        while remaining > 0:
            remaining -= 1
            async for event in provider.stream_message(request):
                if isinstance(event, TextDelta):
                    chars += len(event.text)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return chars


async def run(args: argparse.Namespace, port: int) -> None:
    provider = OpenAIProvider(
        ProviderConfig(api_key="test-key", base_url=f"http://127.0.0.1:{port}/v1")
    )
    if args.anyio:  # httpcore2's default backend, for an A/B against the asyncio one
        from httpcore2._backends.auto import AutoBackend

        provider._http._transport._pool._network_backend = AutoBackend()  # type: ignore[attr-defined]
    await read_all(provider, 20, 4)  # warm-up: imports, connections
    profiler = cProfile.Profile() if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    chars = await read_all(provider, args.streams, args.concurrency)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    await provider.aclose()
    assert chars == len(TEXT) * args.streams, "lost text"
    print(
        f"{args.streams} streams x {CHUNKS} chunks, c={args.concurrency}: "
        f"{cpu / args.streams * 1000:.2f} ms CPU per stream, {args.streams / wall:.0f} streams/s"
        + (" (under cProfile)" if profiler else "")
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--anyio", action="store_true", help="httpcore2's default backend")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    fake = start_fake(port)
    try:
        asyncio.run(run(args, port))
    finally:
        fake.terminate()
        fake.wait(10)


if __name__ == "__main__":
    main()
