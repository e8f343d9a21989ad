"""How long an upgrade from the single-provider app takes, and how much memory it needs.

For each size, builds a database at revision 0001 as the old app left it (conversations of
`--messages` rows each, alternating user/assistant with realistic lengths, a system row first
in one conversation out of ten, two users), then upgrades it to head in a child process, as
`polychat migrate` would (on SQLite this includes the automatic backup copy), and prints the
child's wall time and peak RSS (its own `ru_maxrss`, read at its end). Equal peaks at 50,000
and 200,000 messages show the upgrade's memory does not grow with the database.

SQLite by default (a temp file); `--database-url postgresql+asyncpg://user@host/name` uses
PostgreSQL instead: a private database is created beside the one named and dropped after.

    uv run --frozen python bench/migration_bench.py [--sizes 1000,50000,200000] [--messages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from polychat.config import Settings
from polychat.db.engine import create_engine
from polychat.db.migrate import migrate

WORDS = (
    "river", "stone", "garden", "light", "window", "paper", "morning", "coffee", "engine",
    "signal", "forest", "market", "letter", "summer", "winter", "orange", "silver", "harbour",
    "bridge", "number", "answer", "question", "system", "python", "database", "server",
    "memory", "network", "function", "example", "problem", "reason", "travel", "`code`",
)  # fmt: skip
T0 = datetime(2024, 1, 1, tzinfo=UTC)
TS = sa.DateTime(timezone=True)
# The 0001 tables as the old app wrote them (no column a later revision adds).
USERS = sa.table(
    "users", *(sa.column(c) for c in ("id", "username", "email", "password_hash", "created_at"))
)
CONVERSATIONS = sa.table(
    "conversations",
    *(sa.column(c) for c in ("id", "user_id", "title", "model", "created_at", "updated_at")),
)
MESSAGES = sa.table(
    "messages",
    sa.column("id"),
    sa.column("conversation_id"),
    sa.column("role"),
    sa.column("content"),
    sa.column("created_at", TS),
)
CHUNK = 5_000


def prose(rng: random.Random, low: int, high: int) -> str:
    target = rng.randint(low, high)
    out: list[str] = []
    size = 0
    while size < target:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def settings_for(data_dir: Path, url: str | None) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, database_url=url, log_level="WARNING")


async def build_legacy(settings: Settings, conversations: int, per_conversation: int) -> int:
    """A database at 0001 with `conversations` x `per_conversation` message rows."""
    await migrate(settings, "0001")
    engine = create_engine(settings)
    rng = random.Random(11)
    total = 0
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(USERS),
                [
                    {"id": u, "username": f"user{u}", "email": f"user{u}@example.com",
                     "password_hash": "$2a$10$" + "x" * 53, "created_at": T0}
                    for u in (1, 2)
                ],
            )  # fmt: skip
            for start in range(1, conversations + 1, CHUNK):
                ids = range(start, min(start + CHUNK, conversations + 1))
                await conn.execute(
                    sa.insert(CONVERSATIONS),
                    [
                        {"id": c, "user_id": 1 + c % 2, "title": prose(rng, 10, 40),
                         "model": "claude-3-5-sonnet-20241022", "created_at": T0,
                         "updated_at": T0}
                        for c in ids
                    ],
                )  # fmt: skip
            batch: list[dict[str, Any]] = []
            for c in range(1, conversations + 1):
                when = T0 + timedelta(minutes=c)
                for i in range(per_conversation):
                    if i == 0 and c % 10 == 0:
                        role, text = "system", prose(rng, 100, 400)
                    elif i % 2 == 0:
                        role, text = "user", prose(rng, 80, 300)
                    else:
                        role, text = "assistant", prose(rng, 300, 1200)
                    total += 1
                    at = when + timedelta(seconds=i)
                    batch.append({"id": total, "conversation_id": c, "role": role,
                                  "content": text, "created_at": at})  # fmt: skip
                    if len(batch) == CHUNK:
                        await conn.execute(sa.insert(MESSAGES), batch)
                        batch = []
            if batch:
                await conn.execute(sa.insert(MESSAGES), batch)
    finally:
        await engine.dispose()
    return total


def child(data_dir: str, url: str | None) -> None:
    """Runs in the child: upgrade to head, then print seconds and this process's peak RSS."""
    settings = settings_for(Path(data_dir), url)
    started = time.perf_counter()
    asyncio.run(migrate(settings))
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kib": peak_kib}))


async def pg_admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def measure(size: int, per_conversation: int, base_url: str | None) -> dict[str, Any]:
    conversations = size // per_conversation
    with tempfile.TemporaryDirectory(prefix="polychat-migration-bench-") as tmp:
        url = None
        if base_url is not None:
            name = f"polychat_migration_bench_{uuid.uuid4().hex[:8]}"
            asyncio.run(pg_admin(base_url, f'CREATE DATABASE "{name}"'))
            url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
        try:
            started = time.perf_counter()
            rows = asyncio.run(
                build_legacy(settings_for(Path(tmp), url), conversations, per_conversation)
            )
            built = time.perf_counter() - started
            db_file = Path(tmp) / "polychat.db"
            db_mb = db_file.stat().st_size / 1e6 if db_file.exists() else None
            done = subprocess.run(
                [sys.executable, __file__, "--child", tmp, *([url] if url else [])],
                check=True,
                capture_output=True,
                text=True,
            )
            result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            if base_url is not None:
                asyncio.run(pg_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return {"messages": rows, "conversations": conversations, "build_s": built, "db_mb": db_mb,
            **result}  # fmt: skip


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,50000,200000", help="messages, comma-separated")
    parser.add_argument("--messages", type=int, default=20, help="messages per conversation")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{engine}: upgrade 0001 -> head in a child process ({args.messages} per conversation)")
    heads = ("messages", 9), ("convs", 7), ("db MB", 7), ("build s", 8), ("upgrade s", 10)
    print(" ".join(f"{h:>{w}}" for h, w in heads), f"{'peak RSS MiB':>13}")
    for size in (int(s) for s in args.sizes.split(",")):
        r = measure(size, args.messages, args.database_url)
        db_mb = f"{r['db_mb']:.0f}" if r["db_mb"] is not None else "-"
        print(
            f"{r['messages']:>9} {r['conversations']:>7} {db_mb:>7} {r['build_s']:>8.1f} "
            f"{r['seconds']:>10.1f} {r['peak_kib'] / 1024:>13.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
