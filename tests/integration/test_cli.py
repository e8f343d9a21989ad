"""The `polychat` command as an operator uses it."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from polychat.app import create_app
from polychat.cli import main
from polychat.config import Settings
from polychat.db.migrate import head_revision
from tests.helpers import bearer, login, register, register_tokens

pytestmark = pytest.mark.db

ADMIN_PASSWORD = "operator chosen passphrase"


@pytest.fixture
def cli_env(
    empty_database_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Point the CLI's own `Settings()` (read from the environment) at the test database."""
    monkeypatch.chdir(empty_database_settings.data_dir.parent)
    monkeypatch.setenv("POLYCHAT_DATA_DIR", str(empty_database_settings.data_dir))
    monkeypatch.setenv("POLYCHAT_DATABASE_URL", empty_database_settings.database_url or "")
    monkeypatch.setenv("POLYCHAT_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("POLYCHAT_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("POLYCHAT_ARGON2_PARALLELISM", "1")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield empty_database_settings
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_migrate_command(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert f"database at {head_revision()} (was empty)" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert f"database at {head_revision()} (was {head_revision()})" in capsys.readouterr().out


def test_backup_command(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    main(["migrate"])
    capsys.readouterr()
    code = main(["backup"])
    out, err = capsys.readouterr()
    if cli_env.is_sqlite:
        assert code == 0
        backup = Path(out.strip())
        assert backup.parent == cli_env.data_dir and backup.stat().st_size > 0
    else:
        assert code == 1 and "pg_dump" in err


async def test_create_admin_then_log_in(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    args = ["create-admin", "--username", "root", "--email", "root@example.com", "--password-stdin"]
    code = await asyncio.to_thread(main, args)  # the CLI runs its own event loop
    assert code == 0 and "created administrator root" in capsys.readouterr().out

    app = create_app(cli_env)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c,
    ):
        response = await login(c, "root", ADMIN_PASSWORD)
    assert response.status_code == 200
    assert response.json()["user"]["is_admin"] is True


def test_create_admin_refuses_a_weak_password(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code = main(
        ["create-admin", "--username", "root", "--email", "r@example.com", "--password-stdin"]
    )
    assert code == 1
    assert "at least 10 characters" in capsys.readouterr().err


async def test_reset_password_keeps_the_role_and_signs_the_user_out(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await asyncio.to_thread(main, ["migrate"])
    app = create_app(cli_env)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c,
    ):
        await register(c, "root")
        before = await register_tokens(c, "mallory")
        capsys.readouterr()

        monkeypatch.setattr(sys, "stdin", io.StringIO("a brand new passphrase\n"))
        code = await asyncio.to_thread(main, ["reset-password", "MALLORY", "--password-stdin"])
        assert code == 0 and "password of mallory reset" in capsys.readouterr().out

        old_access = await c.get("/api/users/profile", headers=bearer(before["access_token"]))
        old_refresh = await c.post(
            "/api/auth/refresh", json={"refresh_token": before["refresh_token"]}
        )
        assert old_access.status_code == 401 and old_refresh.status_code == 401
        assert (await login(c, "mallory")).status_code == 401  # the old password is gone
        fresh = await login(c, "mallory", "a brand new passphrase")
        assert fresh.status_code == 200
        assert fresh.json()["user"]["is_admin"] is False  # a reset never promotes

        code = await asyncio.to_thread(main, ["reset-password", "root"])
        out = capsys.readouterr().out
        assert code == 0
        generated = out.split("new password (shown once): ", 1)[1].strip()
        assert len(generated) >= 20
        admin = await login(c, "root", generated)
        assert admin.status_code == 200 and admin.json()["user"]["is_admin"] is True


def test_reset_password_refuses_an_unknown_user_and_a_weak_password(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["migrate"])
    assert main(["reset-password", "nobody"]) == 1
    assert "no user named nobody" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    main(["create-admin", "--username", "root", "--email", "r@example.com", "--password-stdin"])
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["reset-password", "root", "--password-stdin"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_answers_healthz(cli_env: Settings, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "POLYCHAT_DATA_DIR": str(cli_env.data_dir),
        "POLYCHAT_DATABASE_URL": cli_env.database_url or "",
        "POLYCHAT_PORT": str(port),
        "POLYCHAT_WEB_DIR": str(tmp_path / "no-web"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "polychat", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Generous: a cold interpreter start on a loaded 2-core CI box can take many seconds.
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert status == 200, proc.stdout.read().decode() if proc.poll() is not None else ""
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if cli_env.database_url is None:
        assert (cli_env.data_dir / "polychat.db").exists()
        assert (cli_env.data_dir / "jwt_secret").exists()
