"""What `GET /api/conversations/search` costs on a big history: p50/p95 of one page.

Migrates a temp SQLite database (or the PostgreSQL one `--database-url` names: use an empty
scratch database), seeds one user with `--conversations` chats of `--messages` messages each
(~300 characters of varied prose per message, plus a second user of the same size whose rows
must never be read), then times `search.search_conversations` — the exact statement the
route runs — for a few kinds of query:

- common: a word in most messages (the page fills after a few chats);
- rare: a word in one old message (every message of the user is read);
- absent: no match at all (worst case: a full scan of the user's messages);
- title: a word in a few titles only (messages are scanned too: a title and a message can
  both match).

    uv run --frozen python bench/search_bench.py [--conversations 2000] [--messages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from polychat.chat import search
from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.migrate import migrate
from polychat.db.models import Conversation, Message, User
from polychat.db.types import utcnow

WORDS = (
    "river stone garden light window paper morning coffee engine signal forest market "
    "letter summer winter orange silver harbour bridge number answer question system "
    "python database server memory network function example problem reason travel"
).split()


def prose(rng: random.Random, chars: int = 300) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


async def seed(settings: Settings, conversations: int, messages: int) -> int:
    engine = create_engine(settings)
    rng = random.Random(7)
    now = utcnow()
    try:
        async with engine.begin() as conn:
            user_ids = []
            for name in ("bench", "other"):
                result = await conn.execute(
                    insert(User)
                    .values(username=name, email=f"{name}@example.com", password_hash="x")
                    .returning(User.id)
                )
                user_ids.append(result.scalar_one())
            for uid in user_ids:
                for c in range(conversations):
                    when = now - timedelta(minutes=conversations - c)
                    title = f"Chat {c}" + (" about tapestry" if c % 500 == 0 else "")
                    conv_id = (
                        await conn.execute(
                            insert(Conversation)
                            .values(
                                user_id=uid,
                                title=title,
                                model="m",
                                created_at=when,
                                updated_at=when,
                            )
                            .returning(Conversation.id)
                        )
                    ).scalar_one()
                    rows = []
                    for m in range(messages):
                        text = prose(rng)
                        if uid == user_ids[0] and c == 3 and m == 11:
                            text += " the quokka appears once"
                        rows.append(
                            {
                                "conversation_id": conv_id,
                                "role": "user" if m % 2 == 0 else "assistant",
                                "content": text,
                                "model": "m",
                                "status": "complete",
                                "created_at": when,
                            }
                        )
                    await conn.execute(insert(Message), rows)
        return int(user_ids[0])
    finally:
        await engine.dispose()


async def measure(settings: Settings, user_id: int, runs: int) -> None:
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    queries = {
        "common (word in most messages)": "harbour",
        "rare (one old message)": "quokka",
        "absent (no match: full scan)": "zzyzx",
        "title (a few titles)": "tapestry",
    }
    try:
        print(f"{'query':34} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8}")
        for label, words in queries.items():
            times: list[float] = []
            hits = 0
            for _ in range(runs):
                async with sessions() as session:
                    start = time.perf_counter()
                    page, _more = await search.search_conversations(
                        session, user_id, words, after=None, limit=20
                    )
                    times.append((time.perf_counter() - start) * 1000)
                    hits = len(page)
            times.sort()
            p50 = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"{label:34} {hits:>5} {p50:>8.1f} {p95:>8.1f}")
    finally:
        await engine.dispose()


async def run(conversations: int, messages: int, runs: int, database_url: str | None) -> None:
    data = Path(tempfile.mkdtemp(prefix="polychat-search-bench-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data,
        database_url=database_url,
        redis_url=None,
        web_dir=data / "none",
    )
    await migrate(settings)
    start = time.perf_counter()
    user_id = await seed(settings, conversations, messages)
    total = conversations * messages
    print(
        f"seeded 2 users x {conversations} conversations x {messages} messages "
        f"({total:,} messages each) in {time.perf_counter() - start:.1f} s "
        f"on {settings.effective_database_url.split(':', 1)[0]}; {runs} runs per query"
    )
    await measure(settings, user_id, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="default: a temp SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args.conversations, args.messages, args.runs, args.database_url))


if __name__ == "__main__":
    main()
