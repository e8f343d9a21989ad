"""The spec's extensibility test: a provider from another package, registered only through
its `polychat.providers` entry point, shows up in the registry and serves requests via the
factory, with no Polychat file changed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from polychat.providers import ProviderFactory, ProviderRegistry
from polychat.providers.base import ChatRequest, Message, TextDelta


@pytest.fixture
def installed_plugin(tmp_path: Path) -> Iterator[None]:
    """What `pip install polychat-echo` leaves behind: a dist-info with entry_points.txt."""
    dist = tmp_path / "polychat_echo-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: polychat-echo\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(
        "[polychat.providers]\necho = tests.plugins.polychat_echo:EchoProvider\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))


def test_plugin_is_absent_without_its_entry_point() -> None:
    assert "echo" not in ProviderRegistry().names()


async def test_entry_point_plugin_is_registered_and_routes(installed_plugin: None) -> None:
    registry = ProviderRegistry()
    assert "echo" in registry.names()
    assert registry.get_class("echo").display_name == "Echo (plugin)"
    assert registry.is_configured("echo")  # needs no key
    factory = ProviderFactory(registry)
    try:
        assert [m.id for m in await factory.list_models("echo")] == ["echo-1"]
        provider = factory.for_model("echo-1")  # routed by the model list it reported
        assert provider.get_name() == "echo"
        request = ChatRequest(model="echo-1", messages=(Message.user("hello plugin"),))
        text = ""
        async for event in provider.stream_message(request):
            if isinstance(event, TextDelta):
                text += event.text
        assert text.strip() == "echo: hello plugin"
        assert (await factory.for_model("echo-1", "echo").send_message(request)).text == (
            "echo: hello plugin"
        )
    finally:
        await factory.aclose_all()
