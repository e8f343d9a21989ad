"""Shared pieces of the chat integration tests: a real server, fakes, an SSE reader.

Chat tests talk to a real uvicorn server over TCP (not ASGITransport), because what they
prove (incremental streaming, a client hanging up mid-answer, re-attach, stop from another
connection) only exists over a real connection.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr

from polychat.app import create_app
from polychat.config import Settings
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.server import FakeServer
from tests.helpers import register

KEY = "test-key"

# provider id -> (path after its fake's URL, whether it takes a key, a model)
PROVIDERS: dict[str, tuple[str, bool, str]] = {
    "claude": ("", True, "claude-sonnet-4-6"),
    "openai": ("/v1", True, "gpt-4o-mini"),
    "mistral": ("", True, "mistral-small-latest"),
    "gemini": ("", True, "gemini-2.5-flash"),
    "ollama": ("", False, "llama3.2:latest"),
}


def fake_for(provider: str) -> FakeServer:
    if provider == "claude":
        from tests.fakes.anthropic import FakeAnthropic

        return FakeAnthropic()
    if provider == "openai":
        from tests.fakes.openai_chat import FakeOpenAIChat

        return FakeOpenAIChat()
    if provider == "mistral":
        from tests.fakes.mistral import FakeMistral

        return FakeMistral()
    if provider == "gemini":
        from tests.fakes.gemini import FakeGemini

        return FakeGemini()
    from tests.fakes.ollama import FakeOllama

    return FakeOllama()


def provider_overrides(fakes: dict[str, FakeServer]) -> dict[str, Any]:
    """Settings overrides pointing each provider at its fake, with the fakes' valid key."""
    urls: dict[str, str] = {}
    keys: dict[str, SecretStr] = {}
    for provider, fake in fakes.items():
        path, needs_key, _model = PROVIDERS[provider]
        urls[provider] = fake.url + path
        if needs_key:
            keys[provider] = SecretStr(KEY)
    return {"provider_base_urls": urls, "provider_api_keys": keys}


def chat_settings(settings: Settings, **overrides: Any) -> Settings:
    """The test's settings plus overrides (a copy: settings are immutable by convention)."""
    values = {"chat_titles": "first_words", **overrides}
    return settings.model_copy(update=values)


class LiveServer:
    """The real app served by uvicorn on 127.0.0.1:<ephemeral> in a thread of its own."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on")
        server = uvicorn.Server(config)
        self._server = server

        def run() -> None:
            asyncio.run(server.serve(sockets=[sock]))

        self._thread = threading.Thread(target=run, name=f"polychat-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)


@contextmanager
def live_server(settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(settings).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class ClaudeAndTwoUsers:
    """A live server whose Claude is a fake, a client for it, and two registered users'
    Authorization headers: what the conversation tests need to prove owner-only access."""

    fake: FakeAnthropic
    http: httpx.AsyncClient
    alice: dict[str, str]
    bob: dict[str, str]


@asynccontextmanager
async def claude_and_two_users(settings: Settings) -> AsyncIterator[ClaudeAndTwoUsers]:
    fake = FakeAnthropic()  # named before `with`: entering returns it typed as any FakeServer
    with fake:
        server = LiveServer(chat_settings(settings, **provider_overrides({"claude": fake})))
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                alice = await register(http, "alice")
                bob = await register(http, "bob")
                yield ClaudeAndTwoUsers(fake, http, alice, bob)
        finally:
            server.stop()


@dataclass
class SSE:
    """A parsed stream: events in order and helpers to read them."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def of(self, name: str) -> list[dict[str, Any]]:
        return [d for e, d in self.events if e == name]

    def first(self, name: str) -> dict[str, Any]:
        found = self.of(name)
        assert found, f"no {name!r} event in {[e for e, _ in self.events]}"
        return found[0]

    @property
    def names(self) -> list[str]:
        return [e for e, _ in self.events]

    @property
    def text(self) -> str:
        return "".join(d["text"] for d in self.of("delta"))


async def iter_sse(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    event, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data += line[6:]
        elif line == "" and data:
            yield event, json.loads(data)
            event, data = "message", ""


async def read_sse(
    client: httpx.AsyncClient, method: str, url: str, *, limit_s: float = 20, **kwargs: Any
) -> tuple[httpx.Response, SSE]:
    """Do the request and read the whole stream (bounded in time)."""
    out = SSE()

    async def go() -> httpx.Response:
        async with client.stream(method, url, **kwargs) as response:
            if response.status_code != 200:
                await response.aread()
                return response
            async for item in iter_sse(response):
                out.events.append(item)
            return response

    response = await asyncio.wait_for(go(), limit_s)
    return response, out


def available_providers() -> list[str]:
    """Providers whose fake exists in this checkout (all five once the provider layer lands)."""
    import importlib.util

    modules = {
        "claude": "tests.fakes.anthropic",
        "openai": "tests.fakes.openai_chat",
        "mistral": "tests.fakes.mistral",
        "gemini": "tests.fakes.gemini",
        "ollama": "tests.fakes.ollama",
    }
    return [p for p, mod in modules.items() if importlib.util.find_spec(mod) is not None]


CHAT_PATH_MARKERS = ("/messages", "/chat", "generatecontent", "/completions")


def chat_requests(fake: FakeServer) -> list[Any]:
    """The bodies of chat requests the fake received (model listings etc. left out)."""
    return [
        r.body
        for r in fake.requests
        if r.method == "POST" and any(m in r.path.lower() for m in CHAT_PATH_MARKERS)
    ]


def texts_in(body: Any) -> list[str]:
    """Every conversation text in a provider request body, in order, whatever the dialect
    (`content` strings, `text` parts, Gemini `parts[].text`)."""
    out: list[str] = []

    def walk(node: Any, key: str | None) -> None:
        if isinstance(node, str):
            if key in ("content", "text"):
                out.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, dict):
            if node.get("role") == "system":  # OpenAI-style system message
                return
            for k, v in node.items():
                if k in ("system", "system_instruction", "systemInstruction"):
                    continue
                walk(v, k)

    for k in ("messages", "contents"):
        if isinstance(body, dict) and k in body:
            walk(body[k], k)
    return out


async def wait_for(predicate: Any, limit_s: float = 10.0, interval: float = 0.05) -> None:
    """Poll an async or plain predicate until true (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for `polychat serve` in a subprocess, mirroring the test's settings."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYCHAT_")}
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        *(
            f"{k}_API_KEY"
            for k in ("ANTHROPIC", "OPENAI", "MISTRAL", "GEMINI", "GOOGLE", "OPENROUTER")
        ),
    ):
        env.pop(name, None)
    env.update(
        POLYCHAT_DATA_DIR=str(settings.data_dir),
        POLYCHAT_WEB_DIR=str(settings.data_dir / "no-web"),
        POLYCHAT_ARGON2_TIME_COST="1",
        POLYCHAT_ARGON2_MEMORY_KIB="1024",
        POLYCHAT_ARGON2_PARALLELISM="1",
        POLYCHAT_CHAT_TITLES="first_words",
        POLYCHAT_LOG_LEVEL="WARNING",
    )
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


class ServerProcess:
    """`python -m polychat serve` as a real process (kill -9 and multi-process tests)."""

    def __init__(self, env: dict[str, str], cwd: str) -> None:
        self.env = env
        self.cwd = cwd
        self.port = free_port()
        self.proc: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_s: float = 60) -> ServerProcess:
        import subprocess
        import sys

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "polychat", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")
                raise RuntimeError(f"server exited: {err[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("server did not become healthy")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except Exception:
                self.proc.kill()
