"""`.env.example` documents every setting, with the default it really has."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import SecretStr

from polychat.config import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
UNPREFIXED_KEYS = {
    "anthropic_api_key",
    "mistral_api_key",
    "openai_api_key",
    "gemini_api_key",
    "openrouter_api_key",
}


def documented() -> dict[str, str]:
    text = ENV_EXAMPLE.read_text()
    return {
        name.lower(): value.strip()
        for name, value in re.findall(r"^# POLYCHAT_([A-Z0-9_]+)=(.*)$", text, re.MULTILINE)
    }


def test_every_setting_is_documented() -> None:
    names = set(documented())
    text = ENV_EXAMPLE.read_text()
    for field in Settings.model_fields:
        if field in UNPREFIXED_KEYS:
            assert f"# {field.upper()}=" in text, field
        else:
            assert field in names, f"POLYCHAT_{field.upper()} missing from .env.example"
    assert names <= set(Settings.model_fields)


def test_documented_defaults_are_the_real_defaults() -> None:
    for name, value in documented().items():
        default = Settings.model_fields[name].default
        if default is None or isinstance(default, SecretStr):
            assert value == "", name
        elif isinstance(default, bool):
            assert value == str(default).lower(), name
        elif isinstance(default, Path):
            assert Path(value) == default, name
        else:
            assert value == str(default), name
