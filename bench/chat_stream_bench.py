"""Chat streaming benchmark: Polychat against a fake upstream vs the fake directly, one run.

Setup (DESIGN.md "How the targets are measured"): the fake OpenAI upstream
(bench/chat_bench_fake.py -> tests/fakes/openai_chat.py) and this load generator share core 0;
the Polychat server (`python -m polychat serve`, one process, SQLite, every answer saved) is
pinned to core 1 and reaches the fake through the `openai` provider. Every figure is a
difference or ratio against the fake measured directly in the same run.

Phases:
1. idle RSS of the server right after start-up; warm-up (also loads the provider SDK);
2. time to first token (TTFT) at 1 stream, chunks back to back, direct and via the app
   interleaved request by request;
3. TTFT at 16 / 64 / 256 concurrent streams, chunks paced 20 ms apart;
4. throughput: complete, saved 64-chunk streams per second (chunks back to back), with the
   server's CPU seconds per 1,000 streams;
5. N concurrent streams on the one process (default 1,000; paced) with no chunk lost;
6. a check in the database that every answer was saved whole.

A stream counts as lost-chunk-free when it got exactly 64 `delta` events, their text equals
the upstream's, and it ended with `done` status `complete`.

Run: `uv run python bench/chat_stream_bench.py` (about 3-4 minutes; `--quick` for ~1 min;
`--json out.json` to keep the numbers). Linux only (taskset, /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHUNKS = 64
TEXT = "".join(f"tok{i:04d} " for i in range(CHUNKS))  # 64 chunks of 8 characters
MODEL = "gpt-4o-mini"
KEY = "test-key"
CLK_TCK = os.sysconf("SC_CLK_TCK")

_DIRECT_CONTENT = re.compile(rb'"content":"([^"]+)"')
_APP_DELTA = re.compile(rb"event: delta\ndata: (\{.*?\})\n")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------------------------


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _taskset(core: int | None) -> list[str]:
    if core is None or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(core)]


def wait_http(url: str, limit_s: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:  # answered: up, whatever it thinks of us
            if error.code < 500:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@dataclass
class Procs:
    fake: subprocess.Popen[bytes]
    server: subprocess.Popen[bytes]
    fake_port: int
    server_port: int
    data_dir: Path

    def stop(self) -> None:
        for proc in (self.server, self.fake):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def start_processes(fake_core: int | None, server_core: int | None) -> Procs:
    data_dir = Path(tempfile.mkdtemp(prefix="polychat-bench-"))
    fake_port, server_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYCHAT_")}
    for name in ("DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        env.pop(name, None)
    fake = subprocess.Popen(
        [*_taskset(fake_core), sys.executable, str(ROOT / "bench" / "chat_bench_fake.py"),
         "--port", str(fake_port)],
        cwd=ROOT, env=env,
    )  # fmt: skip
    env.update(
        POLYCHAT_DATA_DIR=str(data_dir),
        POLYCHAT_WEB_DIR=str(data_dir / "no-web"),
        POLYCHAT_OPENAI_BASE_URL=f"http://127.0.0.1:{fake_port}/v1",
        OPENAI_API_KEY=KEY,
        POLYCHAT_CHAT_TITLES="first_words",
        POLYCHAT_LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen(
        [*_taskset(server_core), sys.executable, "-m", "polychat", "serve",
         "--port", str(server_port)],
        cwd=data_dir, env=env,
    )  # fmt: skip
    procs = Procs(fake, server, fake_port, server_port, data_dir)
    try:
        wait_http(f"http://127.0.0.1:{fake_port}/v1/models")
        wait_http(f"http://127.0.0.1:{server_port}/healthz")
    except Exception:
        procs.stop()
        raise
    return procs


# --------------------------------------------------------------------------------------------
# a minimal HTTP/1.1 streaming client (the load generator must cost less than what it measures)
# --------------------------------------------------------------------------------------------


@dataclass
class StreamResult:
    ok: bool
    ttft: float  # seconds to the first text chunk
    total: float
    chunks: int
    error: str = ""


async def _request(port: int, path: str, body: bytes, token: str | None) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    )
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    try:
        return await reader.read()
    finally:
        writer.close()


async def stream(
    port: int, path: str, body: bytes, token: str | None, is_app: bool
) -> StreamResult:
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        return StreamResult(False, 0, 0, 0, f"connect: {exc}")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    )
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    ttft = 0.0
    parts: list[bytes] = []
    marker = b"event: delta" if is_app else b'"content":"'
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if not ttft and marker in data and (is_app or _DIRECT_CONTENT.search(data)):
                ttft = time.perf_counter() - t0
            parts.append(data)
    except OSError as exc:
        return StreamResult(False, ttft, time.perf_counter() - t0, 0, f"read: {exc}")
    finally:
        writer.close()
    total = time.perf_counter() - t0
    raw = b"".join(parts)
    if not raw.startswith(b"HTTP/1.1 200"):
        return StreamResult(False, ttft, total, 0, raw[:200].decode(errors="replace"))
    if is_app:
        texts = [
            json.loads(m)["text"] for m in re.findall(rb"event: delta\ndata: (\{.*?\})\n", raw)
        ]
        complete = b'"status":"complete"' in raw and b"event: done" in raw
    else:
        texts = [m.decode() for m in _DIRECT_CONTENT.findall(raw)]
        complete = b"[DONE]" in raw
    ok = complete and len(texts) == CHUNKS and "".join(texts) == TEXT
    return StreamResult(ok, ttft, total, len(texts), "" if ok else "lost or mangled chunks")


# --------------------------------------------------------------------------------------------
# phases
# --------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    results: list[StreamResult] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> list[StreamResult]:
        return [r for r in self.results if r.ok]

    @property
    def lost(self) -> int:
        """Streams that were answered (HTTP 200) but not whole: missing or mangled chunks."""
        return sum(1 for r in self.results if not r.ok and r.error == "lost or mangled chunks")

    @property
    def failed(self) -> int:
        """Requests refused or failed before streaming (non-200, connection errors)."""
        return len(self.results) - len(self.ok) - self.lost

    def pct(self, p: float) -> float:
        values = sorted(r.ttft for r in self.ok)
        if not values:
            return float("nan")
        k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
        return values[k] * 1000


class Bench:
    def __init__(self, procs: Procs, token: str) -> None:
        self.procs = procs
        self.token = token
        self.app_body = json.dumps({"model": MODEL, "content": "hi"}).encode()
        self.direct_body = json.dumps(
            {
                "model": MODEL,
                "stream": True,
                "stream_options": {"include_usage": True},
                "messages": [{"role": "user", "content": "hi"}],
            }
        ).encode()

    def app(self) -> Awaitable[StreamResult]:
        return stream(self.procs.server_port, "/api/chat/stream", self.app_body, self.token, True)

    def direct(self) -> Awaitable[StreamResult]:
        return stream(self.procs.fake_port, "/v1/chat/completions", self.direct_body, KEY, False)

    async def set_reply(self, delay_s: float) -> None:
        body = json.dumps({"text": TEXT, "chunks": CHUNKS, "chunk_delay_s": delay_s}).encode()
        await _request(self.procs.fake_port, "/__bench/reply", body, None)

    async def closed_loop(
        self, make: Callable[[], Awaitable[StreamResult]], concurrency: int, total: int,
        limit_s: float, ramp_s: float = 0.0,
    ) -> Phase:  # fmt: skip
        """`concurrency` workers, each running streams back to back until `total` are done.
        `ramp_s` staggers the workers' first requests over that many seconds, so the phase
        measures `concurrency` overlapping streams rather than one thundering herd."""
        phase = Phase("")
        remaining = total
        deadline = time.perf_counter() + limit_s

        async def worker(i: int) -> None:
            nonlocal remaining
            if ramp_s:
                await asyncio.sleep(ramp_s * i / concurrency)
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                phase.results.append(await make())

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        phase.wall_s = time.perf_counter() - t0
        return phase


def _percent(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.pin:
        os.sched_setaffinity(0, {0})
    procs = start_processes(0 if args.pin else None, 1 if args.pin else None)
    out: dict[str, Any] = {"chunks": CHUNKS, "pinned": args.pin, "cores": os.cpu_count()}
    pid = procs.server.pid
    try:
        await asyncio.sleep(1.0)
        out["rss_idle_start_mb"] = round(proc_rss_mb(pid), 1)
        reg = json.dumps(
            {"username": "bench", "email": "bench@example.com", "password": "benchmark-pass-1"}
        ).encode()
        raw = await _request(procs.server_port, "/api/auth/register", reg, None)
        token = json.loads(raw.split(b"\r\n\r\n", 1)[1])["access_token"]
        bench = Bench(procs, token)
        await bench.set_reply(0.0)

        # warm-up: the provider SDK import, connection pools, the price table
        warm = await bench.closed_loop(bench.app, 4, args.warmup, 120)
        await bench.closed_loop(bench.direct, 4, args.warmup, 60)
        if warm.lost:
            raise RuntimeError(f"warm-up failed: {warm.results[0].error}")
        await asyncio.sleep(1.5)
        out["rss_idle_warm_mb"] = round(proc_rss_mb(pid), 1)
        peak_rss = out["rss_idle_warm_mb"]

        # TTFT at 1 stream, back to back chunks, direct and app interleaved
        one_app, one_direct = Phase("app c=1"), Phase("direct c=1")
        for _ in range(args.single):
            one_direct.results.append(await bench.direct())
            one_app.results.append(await bench.app())
        out["c1"] = {
            "direct_p50_ms": one_direct.pct(50),
            "app_p50_ms": one_app.pct(50),
            "direct_p99_ms": one_direct.pct(99),
            "app_p99_ms": one_app.pct(99),
            "added_p50_ms": one_app.pct(50) - one_direct.pct(50),
            "added_p99_ms": one_app.pct(99) - one_direct.pct(99),
            "lost": one_app.lost,
            "failed": one_app.failed,
            "streams": len(one_app.results),
        }

        # TTFT at 16 / 64 / 256, chunks paced 20 ms
        await bench.set_reply(0.020)
        out["paced"] = {}
        for c in args.levels:
            total = max(c * args.waves, c)
            ramp = CHUNKS * 0.020  # one stream's length: steady overlap, not a herd
            direct = await bench.closed_loop(bench.direct, c, total, args.phase_limit, ramp)
            app = await bench.closed_loop(bench.app, c, total, args.phase_limit, ramp)
            peak_rss = max(peak_rss, proc_rss_mb(pid))
            out["paced"][c] = {
                "direct_p50_ms": direct.pct(50),
                "app_p50_ms": app.pct(50),
                "direct_p99_ms": direct.pct(99),
                "app_p99_ms": app.pct(99),
                "added_p50_ms": app.pct(50) - direct.pct(50),
                "added_p99_ms": app.pct(99) - direct.pct(99),
                "lost": app.lost,
                "failed": app.failed,
                "streams": len(app.results),
            }

        # throughput, back to back chunks
        await bench.set_reply(0.0)
        direct = await bench.closed_loop(bench.direct, args.tp_concurrency, 10**9, args.tp_seconds)
        cpu0 = proc_cpu_s(pid)
        app = await bench.closed_loop(bench.app, args.tp_concurrency, 10**9, args.tp_seconds)
        cpu = proc_cpu_s(pid) - cpu0
        peak_rss = max(peak_rss, proc_rss_mb(pid))
        out["throughput"] = {
            "direct_streams_s": len(direct.ok) / direct.wall_s,
            "app_streams_s": len(app.ok) / app.wall_s,
            "app_cpu_s_per_1000": cpu / max(1, len(app.ok)) * 1000,
            "app_cpu_util": cpu / app.wall_s,
            "lost": app.lost,
            "failed": app.failed,
            "streams": len(app.results),
            "concurrency": args.tp_concurrency,
        }

        # many concurrent streams on one process, paced so they really overlap
        await bench.set_reply(args.many_delay)
        sampler_stop = asyncio.Event()
        samples: list[float] = []

        async def sample() -> None:
            while not sampler_stop.is_set():
                samples.append(proc_rss_mb(pid))
                await asyncio.sleep(0.25)

        sampler = asyncio.create_task(sample())
        many = await bench.closed_loop(
            bench.app, args.many, args.many, args.phase_limit * 3, args.many_ramp
        )
        sampler_stop.set()
        await sampler
        peak_rss = max([peak_rss, *samples])
        out["many"] = {
            "concurrency": args.many,
            "streams": len(many.results),
            "complete": len(many.ok),
            "lost": many.lost,
            "failed": many.failed,
            "pacing_s": args.many_delay,
            "ramp_s": args.many_ramp,
            "errors": sorted({r.error[:80] for r in many.results if not r.ok})[:3],
            "p50_ttft_ms": many.pct(50),
            "p99_ttft_ms": many.pct(99),
            "wall_s": many.wall_s,
        }
        out["rss_peak_mb"] = round(peak_rss, 1)
        await asyncio.sleep(2.0)  # let the last writes land
        out["rss_after_mb"] = round(proc_rss_mb(pid), 1)
        out["saved"] = saved_check(procs.data_dir)
        return out
    finally:
        procs.stop()
        shutil.rmtree(procs.data_dir, ignore_errors=True)


def saved_check(data_dir: Path) -> dict[str, int]:
    """Every answer in the database: complete ones must hold the whole text."""
    db = sqlite3.connect(data_dir / "polychat.db")
    try:
        rows = db.execute(
            "SELECT status, content = ?, COUNT(*) FROM messages WHERE role='assistant' "
            "GROUP BY status, content = ?",
            (TEXT, TEXT),
        ).fetchall()
        usage = db.execute("SELECT COUNT(*) FROM usage_tracking").fetchone()[0]
    finally:
        db.close()
    out = {"usage_rows": int(usage)}
    for status, whole, count in rows:
        key = f"{status}_{'whole' if whole else 'partial'}"
        out[key] = out.get(key, 0) + int(count)
    return out


def table(r: dict[str, Any]) -> str:
    def f(x: float) -> str:
        return f"{x:8.2f}"

    lines = [
        f"Polychat chat streaming benchmark ({r['chunks']}-chunk streams; cores: {r['cores']};"
        f" pinned: {r['pinned']})",
        "",
        "TTFT (ms)            direct p50  app p50  added p50 | direct p99  app p99  added p99"
        "  lost chunks",
    ]
    rows = [("c=1, back to back", r["c1"])] + [
        (f"c={c}, 20 ms pacing", v) for c, v in r["paced"].items()
    ]
    for name, v in rows:
        lines.append(
            f"{name:<20} {f(v['direct_p50_ms'])} {f(v['app_p50_ms'])} {f(v['added_p50_ms'])}  |"
            f" {f(v['direct_p99_ms'])} {f(v['app_p99_ms'])} {f(v['added_p99_ms'])}"
            f"  {v['lost']}/{v['streams']}" + (f" (failed {v['failed']})" if v["failed"] else "")
        )
    t = r["throughput"]
    lines += [
        "",
        f"throughput (c={t['concurrency']}, back to back): app {t['app_streams_s']:.1f} streams/s"
        f" (server on one core, CPU use {t['app_cpu_util']:.0%}), fake directly"
        f" {t['direct_streams_s']:.1f} streams/s; streams with lost chunks {t['lost']}/"
        f"{t['streams']}, failed {t['failed']}",
        f"server CPU: {t['app_cpu_s_per_1000']:.1f} CPU-seconds per 1,000 streams",
        f"{r['many']['concurrency']} concurrent streams ({r['many']['pacing_s'] * 1000:.0f} ms"
        f" pacing, started over {r['many']['ramp_s']:.0f} s): {r['many']['complete']} complete,"
        f" with lost chunks {r['many']['lost']}, failed {r['many']['failed']},"
        f" TTFT p50 {r['many']['p50_ttft_ms']:.0f} ms"
        f" p99 {r['many']['p99_ttft_ms']:.0f} ms, {r['many']['wall_s']:.1f} s"
        + (f"; errors: {r['many']['errors']}" if r["many"]["errors"] else ""),
        f"RSS: idle at start {r['rss_idle_start_mb']} MB, idle after warm-up"
        f" {r['rss_idle_warm_mb']} MB, peak under load {r['rss_peak_mb']} MB,"
        f" after {r['rss_after_mb']} MB",
        f"saved in the database: {r['saved']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer streams (~1 minute)")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not use taskset")
    parser.add_argument("--many", type=int, default=1000, help="concurrent streams phase")
    parser.add_argument(
        "--many-delay", type=float, default=1.0, help="chunk pacing in that phase (s)"
    )
    parser.add_argument(
        "--many-ramp", type=float, default=20.0, help="start those streams over this many s"
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    if (os.cpu_count() or 1) < 2:
        args.pin = False
    args.warmup = 30 if args.quick else 60
    args.single = 60 if args.quick else 200
    args.levels = [16, 64, 256]
    args.waves = 1 if args.quick else 2
    args.phase_limit = 30.0 if args.quick else 60.0
    args.tp_concurrency = 16
    args.tp_seconds = 5.0 if args.quick else 15.0
    if args.quick:
        args.many = min(args.many, 300)
    result = asyncio.run(run(args))
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
