"""What provider access costs the chat hot path: `ProviderAccess.resolve` per request.

Runs the real app (SQLite in a temp dir) in-process, stores a user key through the API, then
times `resolve` three ways: warm (memoized), after a config change (cache reload: SQL +
decryption), and the number of SQL statements a warm resolve issues (must be 0).

    uv run python bench/provider_access_bench.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from polychat.app import create_app
from polychat.config import Settings


async def run(calls: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="polychat-bench-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data,
        database_url=None,
        redis_url=None,
        web_dir=data / "none",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )
    app = create_app(settings)
    async with (
        LifespanManager(app, startup_timeout=60) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://bench"
        ) as client,
    ):
        r = await client.post(
            "/api/auth/register",
            json={
                "username": "bench",
                "email": "b@example.com",
                "password": "correct horse battery staple",
            },
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        await client.post(
            "/api/providers/openai/key", json={"api_key": "sk-bench-000000"}, headers=headers
        )
        uid = (await client.get("/api/users/profile", headers=headers)).json()["id"]
        access = app.state.provider_access
        statements: list[Any] = []
        event.listen(
            app.state.engine.sync_engine,
            "before_cursor_execute",
            lambda *a: statements.append(a[2]),
        )
        async with app.state.sessionmaker() as session:
            await access.resolve(session, uid, "gpt-4o")
            statements.clear()
            start = time.perf_counter()
            for _ in range(calls):
                await access.resolve(session, uid, "gpt-4o")
            warm = (time.perf_counter() - start) / calls * 1e6
            warm_sql = len(statements)

            reloads = 200
            start = time.perf_counter()
            for _ in range(reloads):
                await access.invalidate(uid)
                await access.resolve(session, uid, "gpt-4o")
            cold = (time.perf_counter() - start) / reloads * 1e6
    print(f"warm resolve:           {warm:8.1f} us/call ({calls} calls, {warm_sql} SQL)")
    print(f"resolve after a change: {cold:8.1f} us/call (user view reloaded, key decrypted)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    asyncio.run(run(parser.parse_args().calls))


if __name__ == "__main__":
    main()
