"""Fixtures of the provider suites: one started fake per harness for the whole session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from polychat.providers.base import BaseProvider
from tests.fakes.server import FakeServer
from tests.providers.harness import ProviderHarness


@pytest.fixture(scope="session")
def fake_pool() -> Iterator[dict[str, FakeServer]]:
    pool: dict[str, FakeServer] = {}
    yield pool
    for fake in pool.values():
        fake.stop()


@pytest.fixture
def fake(h: ProviderHarness, fake_pool: dict[str, FakeServer]) -> FakeServer:
    """The harness's fake, started on first use, with a clean script and request log."""
    server = fake_pool.get(h.id)
    if server is None:
        server = h.make_fake().start()
        fake_pool[h.id] = server
    server.state.reset()
    return server


@pytest.fixture
async def provider(h: ProviderHarness, fake: FakeServer) -> AsyncIterator[BaseProvider]:
    instance = h.build(fake)
    try:
        yield instance
    finally:
        await instance.aclose()
