"""Issue 11's proof that a provider is one file: a package made here, in a temporary
directory (a dist-info whose entry point names a spec, and one module holding the spec and
the adapter), appears everywhere a built-in does — the providers list with its facts, the
model list, the key settings (a saved key and an environment key both reach it) — with no
Polychat file touched."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from polychat.config import Settings
from tests.helpers import register
from tests.integration.provider_env import app_for, providers_by_id, running

pytestmark = pytest.mark.db

MODULE = "polychat_acme_plugin"
ADAPTER = '''
"""Acme: a provider a newcomer wrote, spec and adapter in one file."""

from collections.abc import AsyncIterator
from typing import ClassVar

from polychat.providers.base import (
    BaseProvider, Capabilities, ChatRequest, ChatResponse, FinishEvent, KeyValidation,
    ModelInfo, StreamEvent, TextDelta, TextPart, Usage,
)
from polychat.providers.spec import ProviderSpec

SPEC = ProviderSpec(
    id="acme",
    display_name="Acme AI",
    adapter="polychat_acme_plugin:AcmeProvider",
    env_keys=("ACME_API_KEY",),
    default_base_url="https://api.acme.invalid",
    model_prefixes=("acme-",),
    docs_url="https://acme.invalid/keys",
)


class AcmeProvider(BaseProvider):
    spec: ClassVar[ProviderSpec] = SPEC

    def get_default_model(self) -> str:
        return "acme-1"

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        return Capabilities()

    async def get_models(self) -> list[ModelInfo]:
        return [ModelInfo("acme-1", self.instance_id, "Acme One", is_default=True)]

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        return KeyValidation(bool(api_key or self.config.api_key), self.instance_id, 0.0)

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        return ChatResponse("a", self.instance_id, request.model, (TextPart("hi"),), Usage(),
                            "stop")

    async def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        yield TextDelta("hi")
        yield FinishEvent("stop", Usage())
'''


@pytest.fixture
def acme_installed(tmp_path: Path) -> Iterator[None]:
    """What `pip install polychat-acme` leaves behind: one module and its dist-info."""
    (tmp_path / f"{MODULE}.py").write_text(textwrap.dedent(ADAPTER))
    dist = tmp_path / "polychat_acme-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: polychat-acme\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(f"[polychat.providers]\nacme = {MODULE}:SPEC\n")
    sys.path.insert(0, str(tmp_path))
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(MODULE, None)


async def test_a_provider_from_a_package_is_listed_with_its_models_and_takes_a_key(
    acme_installed: None, settings: Settings
) -> None:
    async with running(app_for(settings)) as client:
        me = await register(client, "newcomer")
        acme = (await providers_by_id(client, me))["acme"]
        assert acme["display_name"] == "Acme AI"
        assert acme["docs_url"] == "https://acme.invalid/keys"
        assert (acme["requires_key"], acme["configured"], acme["status"]) == (
            True,
            False,
            "unconfigured",
        )

        r = await client.get("/api/providers/acme/models", headers=me)
        assert r.status_code == 200 and [m["id"] for m in r.json()["models"]] == []

        r = await client.post("/api/providers/acme/key", json={"api_key": "acme-secret-1234"},
                              headers=me)  # fmt: skip
        assert r.status_code == 200, r.text
        saved = r.json()
        assert (saved["configured"], saved["key_source"], saved["key_hint"]) == (
            True,
            "user",
            "…1234",
        )
        assert (await client.post("/api/providers/acme/test", headers=me)).json()["success"]

        r = await client.get("/api/models", headers=me)
        assert r.status_code == 200
        acme_models = [m for m in r.json()["models"] if m["provider"] == "acme"]
        assert [(m["id"], m["display_name"], m["provider_display_name"]) for m in acme_models] == [
            ("acme-1", "Acme One", "Acme AI")
        ]
        assert "acme" in {g["provider"] for g in r.json()["providers"]}


async def test_its_environment_key_and_base_url_are_read_like_a_builtins(
    acme_installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_API_KEY", "acme-from-env-5678")
    monkeypatch.setenv("POLYCHAT_ACME_BASE_URL", "http://127.0.0.1:9/acme")
    read = Settings(_env_file=None)  # type: ignore[call-arg]
    assert read.provider_env_key("acme") == "acme-from-env-5678"
    assert read.provider_base_url("acme") == "http://127.0.0.1:9/acme"
