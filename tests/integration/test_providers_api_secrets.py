"""A raw API key never comes back out: not in a response, not in a log line, not on disk."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from polychat.config import Settings
from polychat.providers.base import ChatRequest, Message
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.mistral import FakeMistral
from tests.helpers import register
from tests.integration.provider_env import app_for, db_session, running, user_id

CLAUDE_KEY = "sk-ant-api03-NEVER-SHOWN-claude-7f3a9c"
MISTRAL_KEY = "NEVERSHOWNmistralkey0000f00d"
WRONG_KEY = "sk-ant-api03-NEVER-SHOWN-wrong-b0b0b0"
INSTANCE_KEY = "sk-ant-api03-NEVER-SHOWN-instance-1c1c1c"
UNSAVED_KEY = "sk-ant-api03-NEVER-SHOWN-unsaved-5a5a5a"
SECRETS = (CLAUDE_KEY, MISTRAL_KEY, WRONG_KEY, INSTANCE_KEY, UNSAVED_KEY)
# Distinctive middles: catch a key even if something slices off its prefix or suffix.
FRAGMENTS = ("NEVER-SHOWN", "NEVERSHOWN")


@pytest.fixture
def fakes() -> Iterator[tuple[FakeAnthropic, FakeMistral]]:
    with FakeAnthropic() as claude, FakeMistral() as mistral:
        claude.state.valid_keys = {CLAUDE_KEY, INSTANCE_KEY, UNSAVED_KEY}
        mistral.state.valid_keys = {MISTRAL_KEY}
        yield claude, mistral


def _leaks(blob: str | bytes) -> list[str]:
    data = blob if isinstance(blob, bytes) else blob.encode("utf-8", "replace")
    return [s for s in (*SECRETS, *FRAGMENTS) if s.encode() in data]


async def test_keys_never_leave_in_responses_logs_or_database(
    settings: Settings,
    fakes: tuple[FakeAnthropic, FakeMistral],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    claude, mistral = fakes
    app = app_for(settings, claude=claude.url, mistral=mistral.url)
    bodies: list[bytes] = []
    async with running(app) as client:

        async def call(method: str, path: str, headers: dict[str, str], **kw: object) -> int:
            r = await client.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
            bodies.append(r.content)
            bodies.append(str(r.headers).encode())
            return r.status_code

        admin = await register(client, "admin")
        me = await register(client, "frank")
        flow = [
            ("POST", "/api/providers/claude/key", me, {"json": {"api_key": WRONG_KEY}}),
            ("POST", "/api/providers/claude/test", me, {}),  # fails: the provider's 401
            ("GET", "/api/providers/claude/status", me, {}),
            ("POST", "/api/providers/claude/key", me, {"json": {"api_key": CLAUDE_KEY}}),
            ("POST", "/api/providers/mistral/key", me, {"json": {"api_key": MISTRAL_KEY}}),
            ("POST", "/api/providers/claude/test", me, {}),
            ("POST", "/api/providers/mistral/test", me, {}),
            ("POST", "/api/providers/claude/test", me, {"json": {"api_key": UNSAVED_KEY}}),
            ("POST", "/api/providers/mistral/test", me, {"json": {"api_key": WRONG_KEY}}),
            (
                "POST",
                "/api/providers/claude/key",
                admin,
                {"json": {"api_key": INSTANCE_KEY, "scope": "instance"}},
            ),
            ("POST", "/api/providers/claude/key", me, {"json": {"api_key": WRONG_KEY * 40}}),
            (
                "POST",
                "/api/providers/claude/key",
                me,
                {"json": {"api_key": CLAUDE_KEY, "scope": "galaxy"}},
            ),
            ("GET", "/api/providers", me, {}),
            ("GET", "/api/providers", admin, {}),
            ("GET", "/api/models?all=true", me, {}),
            ("GET", "/api/providers/claude/models", me, {}),
            ("GET", "/api/admin/providers", admin, {}),
        ]
        statuses = [await call(m, p, h, **kw) for m, p, h, kw in flow]
        assert statuses[1] == 200 and b'"success":false' in bodies[2]
        assert statuses[10] == 422 and statuses[11] == 422

        uid = await user_id(client, me)
        async with db_session(settings) as session:
            resolved = await app.state.provider_access.resolve(session, uid, "claude-sonnet-4-6")
        reply = await resolved.provider.send_message(
            ChatRequest(model=resolved.model, messages=(Message.user("hi"),), max_tokens=16)
        )
        assert reply.text
        assert await call("DELETE", "/api/providers/mistral/key", me) == 200

    # The keys did reach the providers (so the flow above really used them)...
    assert any(CLAUDE_KEY in str(q.headers) for q in claude.requests)
    assert any(MISTRAL_KEY in str(q.headers) for q in mistral.requests)
    # ...and came back out nowhere.
    for body in bodies:
        assert _leaks(body) == [], body[:300]
    logged = [
        "\n".join(
            [r.getMessage(), repr(r.args), str(r.exc_text or ""), str(getattr(r, "__dict__", ""))]
        )
        for r in caplog.records
    ]
    assert len(caplog.records) > 10  # DEBUG logging really was on
    for line in logged:
        assert _leaks(line) == [], line[:300]
    assert _leaks(caplog.text) == []

    if settings.is_sqlite:
        for suffix in ("", "-wal", "-shm"):
            path = settings.sqlite_path.with_name(settings.sqlite_path.name + suffix)
            if path.exists():
                assert _leaks(path.read_bytes()) == [], path
    async with db_session(settings) as session:
        for table in ("api_keys", "provider_settings"):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            assert _leaks(repr(rows)) == [], table
        stored = (await session.execute(text("SELECT key_hint FROM api_keys"))).scalars().all()
        assert sorted(stored) == ["…1c1c", "…3a9c"]
