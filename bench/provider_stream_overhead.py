"""Per-chunk cost of each provider's streaming path, measured against its own fake.

For every harness of the contract suite (tests/providers/harnesses/*.py) the same scripted
reply (CHUNKS text chunks, sent back to back) is read twice from the provider's fake:

- raw: the exact request the adapter made, replayed with a bare `httpx2` stream (the HTTP
  client the SDKs are built on) that only splits the body into lines (the floor: transport
  and the fake's own cost);
- adapter: `provider.stream_message()`, i.e. SDK parsing + our mapping + the retry wrapper,
  consumed event by event as the chat service would.

Reported: events/second for both, and the overhead per chunk in microseconds
((adapter time - raw time) / chunks), best of ROUNDS. The fake runs in a thread of the same
process, so both reads pay for it equally; absolute rates depend on the machine, the
difference is the adapter's cost. Run: `uv run python bench/provider_stream_overhead.py`
(takes well under a minute; `--chunks` / `--rounds` to change the load).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.script import Reply
from tests.fakes.server import FakeServer, RecordedRequest
from tests.providers.harness import ProviderHarness, all_harnesses

from polychat.providers.base import ChatRequest, Message, TextDelta

HOP_BY_HOP = {"host", "content-length", "connection", "accept-encoding"}


async def adapter_run(h: ProviderHarness, fake: FakeServer, chunks: int) -> tuple[float, int]:
    provider = h.build(fake, timeout_s=30.0)
    fake.queue(Reply(text="x" * chunks, chunks=chunks))
    request = ChatRequest(model=h.chat_model, messages=(Message.user("Hi"),))
    try:
        started = time.perf_counter()
        deltas = 0
        async for event in provider.stream_message(request):
            if isinstance(event, TextDelta):
                deltas += 1
        elapsed = time.perf_counter() - started
    finally:
        await provider.aclose()
    return elapsed, deltas


async def raw_run(fake: FakeServer, recorded: RecordedRequest, chunks: int) -> float:
    fake.queue(Reply(text="x" * chunks, chunks=chunks))
    headers = {k: v for k, v in recorded.headers.items() if k not in HOP_BY_HOP}
    async with httpx2.AsyncClient(timeout=30.0) as client:
        started = time.perf_counter()
        async with client.stream(
            recorded.method,
            f"{fake.url}{recorded.path}",
            params=recorded.query,
            headers=headers,
            json=recorded.body,
        ) as response:
            response.raise_for_status()
            async for _line in response.aiter_lines():
                pass
        return time.perf_counter() - started


async def measure(h: ProviderHarness, chunks: int, rounds: int) -> dict[str, float]:
    fake = h.make_fake().start()
    try:
        await adapter_run(h, fake, 16)  # warm up: imports, connection pool
        recorded = h.chat_requests(fake)[-1]
        adapter_times, raw_times = [], []
        for _ in range(rounds):
            elapsed, deltas = await adapter_run(h, fake, chunks)
            if deltas != chunks:
                raise RuntimeError(f"{h.id}: {deltas} text events for {chunks} chunks")
            adapter_times.append(elapsed)
            raw_times.append(await raw_run(fake, recorded, chunks))
    finally:
        fake.stop()
    adapter, raw = min(adapter_times), min(raw_times)
    return {
        "raw_eps": chunks / raw,
        "adapter_eps": chunks / adapter,
        "overhead_us": (adapter - raw) / chunks * 1e6,
        "spread_us": statistics.pstdev(adapter_times) / chunks * 1e6,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated harness ids")
    args = parser.parse_args()
    chosen = [h for h in all_harnesses() if not args.only or h.id in args.only.split(",")]
    print(f"{args.chunks} chunks per stream, best of {args.rounds}\n")
    print(f"{'provider':28} {'raw ev/s':>10} {'adapter ev/s':>13} {'overhead µs/chunk':>18}")
    deadline = time.monotonic() + 55
    for h in chosen:
        if time.monotonic() > deadline:
            print(f"{h.id:28} skipped: time budget spent")
            continue
        r = await measure(h, args.chunks, args.rounds)
        print(
            f"{h.id:28} {r['raw_eps']:>10,.0f} {r['adapter_eps']:>13,.0f}"
            f" {r['overhead_us']:>12.1f} ±{r['spread_us']:.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
