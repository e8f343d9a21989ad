"""Provider specs: light to load, and what routing and settings are derived from."""

from __future__ import annotations

import json
import subprocess
import sys

from polychat.providers.builtin import BUILTIN_SPECS, CLAUDE, MISTRAL, OPENAI
from polychat.providers.spec import ProviderSpec

SDK_MODULES = ("anthropic", "openai", "mistralai", "google.genai", "ollama")


def test_loading_every_spec_and_the_settings_imports_no_sdk() -> None:
    """Discovering providers (as the app and `Settings` do at start) must not import any
    SDK: that would cost every process seconds and tens of MB for providers never used."""
    code = (
        "import json, sys\n"
        "from polychat.config import Settings\n"
        "from polychat.providers import ProviderRegistry\n"
        "registry = ProviderRegistry()\n"
        "Settings(_env_file=None)\n"
        "print(json.dumps({'names': registry.names(),"
        f" 'sdks': [m for m in {SDK_MODULES!r} if m in sys.modules]}}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["names"] == sorted(s.id for s in BUILTIN_SPECS)
    assert seen["sdks"] == []


def test_key_and_base_url_settings_follow_the_id_and_env_keys() -> None:
    assert CLAUDE.base_url_setting == "POLYCHAT_CLAUDE_BASE_URL"
    assert CLAUDE.key_settings == ("POLYCHAT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY")
    keyless = ProviderSpec("local", "Local", adapter="x:Y", requires_key=False)
    assert keyless.key_settings == ()


def test_the_longest_prefix_claims_a_model() -> None:
    assert OPENAI.claims("o3-mini") == 2
    assert MISTRAL.claims("open-mistral-nemo") == len("open-mistral-")
    assert CLAUDE.claims("gpt-4o") == 0
