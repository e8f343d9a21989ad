"""Settings: names, aliases, URL normalisation and the generated secrets."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from polychat.config import Settings
from polychat.security.keyfiles import decode_key, load_or_create_secret


def test_prefixed_and_plain_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "GEMINI_API_KEY", "MISTRAL_BASE_URL"):
        monkeypatch.delenv(f"POLYCHAT_{name}", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/1")
    monkeypatch.setenv("POLYCHAT_PORT", "9000")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    monkeypatch.setenv("POLYCHAT_OPENAI_BASE_URL", "http://127.0.0.1:1234/v1")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.effective_database_url == "postgresql+asyncpg://u:p@db:5432/app"
    assert settings.redis_url == "redis://cache:6379/1"
    assert settings.port == 9000
    assert settings.provider_env_key("gemini") == "google-key"
    assert settings.provider_base_url("openai") == "http://127.0.0.1:1234/v1"
    assert settings.provider_base_url("mistral") is None


def test_prefixed_name_wins_over_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://plain/db")
    monkeypatch.setenv("POLYCHAT_DATABASE_URL", "postgresql://prefixed/db")
    assert Settings(_env_file=None).database_url == "postgresql://prefixed/db"  # type: ignore[call-arg]


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("POLYCHAT_LOG_LEVEL", "ANTHROPIC_API_KEY", "POLYCHAT_ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    env = tmp_path / ".env"
    env.write_text("POLYCHAT_LOG_LEVEL=DEBUG\nANTHROPIC_API_KEY=sk-ant-from-dotenv\n")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.log_level == "DEBUG"
    assert settings.provider_env_key("claude") == "sk-ant-from-dotenv"
    assert "sk-ant-from-dotenv" not in repr(settings)


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "d", database_url=None)  # type: ignore[call-arg]
    assert settings.is_sqlite
    assert (
        settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'd' / 'polychat.db'}"
    )


def test_generated_secrets_are_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key=None, encryption_key=None)  # type: ignore[call-arg]
    jwt_secret = settings.jwt_secret()
    master = settings.encryption_master_key()
    assert len(jwt_secret) == 64 and len(master) == 32
    for name in ("jwt_secret", "encryption_key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    again = Settings(_env_file=None, data_dir=tmp_path, secret_key=None, encryption_key=None)  # type: ignore[call-arg]
    assert again.jwt_secret() == jwt_secret
    assert again.encryption_master_key() == master


def test_configured_secrets_win(tmp_path: Path) -> None:
    raw = bytes(range(32))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        secret_key="configured-signing-secret-of-some-length",
        encryption_key=base64.b64encode(raw).decode(),
    )
    assert settings.jwt_secret() == b"configured-signing-secret-of-some-length"
    assert settings.encryption_master_key() == raw
    assert not (tmp_path / "jwt_secret").exists()


def test_decode_key_accepts_base64_or_a_passphrase() -> None:
    raw = bytes(range(32))
    assert decode_key(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
    derived = decode_key("correct horse battery staple")
    assert len(derived) == 32 and derived == decode_key("correct horse battery staple")


def test_empty_secret_file_is_an_error_not_a_silent_new_key(tmp_path: Path) -> None:
    (tmp_path / "jwt_secret").write_text("")
    with pytest.raises(ValueError, match="empty"):
        load_or_create_secret(tmp_path / "jwt_secret", 64)


def test_new_data_dir_is_private(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "new" / "data")  # type: ignore[call-arg]
    settings.ensure_data_dir()
    assert stat.S_IMODE((tmp_path / "new" / "data").stat().st_mode) == 0o700
