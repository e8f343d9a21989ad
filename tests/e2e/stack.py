"""The whole product on loopback for a browser: provider fakes in this process, the real
server as a subprocess pointed at them, with its own temporary data directory.

Run it by hand to click around (`uv run python -m tests.e2e.stack`); the e2e tests use
`Stack` as a fixture and script the fakes' replies per test.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.mistral import FakeMistral
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.server import FakeServer

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"

# Keys a developer may have exported: the server under test must never see real ones.
_SCRUB = (
    "ANTHROPIC_API_KEY",
    "MISTRAL_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENROUTER_API_KEY",
    "DATABASE_URL",
    "REDIS_URL",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout_s}s: {last}")


@dataclass
class Stack:
    claude: FakeServer = field(default_factory=FakeAnthropic)
    mistral: FakeServer = field(default_factory=FakeMistral)
    ollama: FakeServer = field(default_factory=FakeOllama)
    # Reached only once a test saves an OpenAI key (reasoning models' parameter rules).
    openai: FakeServer = field(default_factory=FakeOpenAIChat)
    # Off by default: a fresh install without a local Ollama is the common first visit.
    with_ollama: bool = False
    port: int = 0
    data_dir: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Stack:
        if not (WEB_DIST / "index.html").exists():
            raise RuntimeError("web/dist is missing: run `make web-build` first")
        for fake in self._fakes():
            fake.start()
        self.port = free_port()
        self.data_dir = Path(tempfile.mkdtemp(prefix="polychat-e2e-"))
        env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
        env.update(
            POLYCHAT_DATA_DIR=str(self.data_dir),
            POLYCHAT_WEB_DIR=str(WEB_DIST),
            POLYCHAT_CLAUDE_BASE_URL=self.claude.url,
            POLYCHAT_MISTRAL_BASE_URL=self.mistral.url,
            POLYCHAT_OLLAMA_BASE_URL=self.ollama.url if self.with_ollama else "http://127.0.0.1:9",
            POLYCHAT_OPENAI_BASE_URL=f"{self.openai.url}/v1",
            # Nothing in these tests may leave the machine: unused providers point nowhere.
            POLYCHAT_GEMINI_BASE_URL="http://127.0.0.1:9",
            POLYCHAT_OPENROUTER_BASE_URL="http://127.0.0.1:9/api/v1",
            POLYCHAT_COOKIE_SECURE="never",
            # Every screenshot context signs in once; the per-account limit is not under test.
            POLYCHAT_LOGIN_MAX_ATTEMPTS_PER_ACCOUNT="1000",
            POLYCHAT_LOGIN_MAX_ATTEMPTS_PER_IP="1000",
            POLYCHAT_LOG_LEVEL="WARNING",
        )
        self.log_path = self.data_dir / "server.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "polychat", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_http(f"{self.url}/healthz")
        except RuntimeError:
            self.stop()
            raise
        return self

    def api(self, method: str, path: str, body: object = None, token: str | None = None) -> Any:
        """Call the server's JSON API directly (test setup that is not itself under test)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def _fakes(self) -> list[FakeServer]:
        return [self.claude, self.mistral, self.openai] + (
            [self.ollama] if self.with_ollama else []
        )

    def server_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for fake in self._fakes():
            fake.stop()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - manual use
    stack = Stack().start()
    print(f"Polychat on {stack.url} (Claude fake {stack.claude.url}, key 'test-key')", flush=True)
    try:
        limit = float(os.environ.get("STACK_SECONDS", "3600"))
        time.sleep(limit)
    finally:
        stack.stop()
