"""What the chat service needs from the rest of the app, as protocols.

The chat layer never imports `keys/` (provider access) or Redis: the app's wiring
(`polychat/services.py`) hands it objects with these shapes, and tests hand it small fakes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.providers.base import BaseProvider


class Resolved(Protocol):
    """A provider instance ready to answer `model` with a key from `key_source`."""

    provider: BaseProvider
    provider_id: str
    model: str
    key_source: str


class Access(Protocol):
    """From (user, model, provider?) to a ready provider (`keys.access.ProviderAccess`). It may
    also offer `resolve_title_provider`, a cheap model for titles; without it the answering
    model writes the title."""

    async def resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None = None
    ) -> Any: ...


class Limits(Protocol):
    """The per-user request rate and daily token quota (`chat.limits.ChatLimits`)."""

    async def check(self, user_id: int) -> None: ...

    async def record(self, user_id: int, tokens: int) -> None: ...


class Bridge(Protocol):
    """Cross-process pieces (Redis): stop signals and replayable frames of remote streams."""

    async def publish_stop(self, message_id: int) -> None: ...

    async def remote_frames(self, message_id: int) -> AsyncIterator[bytes] | None: ...

    async def is_live(self, message_id: int) -> bool: ...
