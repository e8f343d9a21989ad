"""`.env.example` documents every setting, with the default it really has."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import SecretStr

from polychat.config import PROVIDER_FIELDS, Settings
from polychat.providers.builtin import BUILTIN_SPECS

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def documented() -> dict[str, str]:
    text = ENV_EXAMPLE.read_text()
    return {
        name.lower(): value.strip()
        for name, value in re.findall(r"^# POLYCHAT_([A-Z0-9_]+)=(.*)$", text, re.MULTILINE)
    }


def provider_settings() -> set[str]:
    """The `POLYCHAT_*` names (lower-cased, without the prefix) the built-ins' specs read."""
    return {
        spec.base_url_setting.removeprefix("POLYCHAT_").lower()
        for spec in BUILTIN_SPECS
        if not spec.template
    }


def test_every_setting_is_documented() -> None:
    names = set(documented())
    for field in Settings.model_fields:
        if field not in PROVIDER_FIELDS:
            assert field in names, f"POLYCHAT_{field.upper()} missing from .env.example"
    assert names <= set(Settings.model_fields) | provider_settings()


def test_every_provider_setting_is_documented() -> None:
    """Each built-in's base URL and key variables, as its spec names them."""
    names = set(documented())
    text = ENV_EXAMPLE.read_text()
    assert provider_settings() <= names
    for spec in BUILTIN_SPECS:
        for key in spec.env_keys:
            assert re.search(rf"^# {key}=|\({key} is accepted too\)", text, re.MULTILINE), key


def test_documented_defaults_are_the_real_defaults() -> None:
    for name, value in documented().items():
        if name in provider_settings():
            assert value == "", name  # no provider has a base URL set by default
            continue
        default = Settings.model_fields[name].default
        if default is None or isinstance(default, SecretStr):
            assert value == "", name
        elif isinstance(default, bool):
            assert value == str(default).lower(), name
        elif isinstance(default, Path):
            assert Path(value) == default, name
        else:
            assert value == str(default), name
