"""Every setting Polychat reads, in one place.

Settings come from `POLYCHAT_*` environment variables and an optional `.env` file. A few
well-known names are also accepted without the prefix (`DATABASE_URL`, `REDIS_URL` and the
providers' usual key variables) so that Polychat drops into an existing environment. Nothing
else in the code base reads `os.environ`: ask for `Settings` instead.

Per-provider settings are not fields: each provider's spec names them (`POLYCHAT_<ID>_BASE_URL`
and its key variables, see providers/spec.py), and `ProviderEnvSource` reads them for every
provider found, so a plugin's settings work exactly like a built-in's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from polychat.providers.registry import discover_specs
from polychat.providers.spec import ProviderSpec
from polychat.security.keyfiles import decode_key, load_or_create_secret

PROVIDER_FIELDS = ("provider_base_urls", "provider_api_keys")
"""The fields `ProviderEnvSource` fills from each provider's own variables."""


def _env(name: str, *unprefixed: str) -> AliasChoices:
    """Accept `POLYCHAT_<NAME>` first, then each plain alias in order."""
    return AliasChoices(f"POLYCHAT_{name}", *unprefixed)


class Settings(BaseSettings):
    """Polychat configuration; see docs/operations.md and .env.example for every field."""

    model_config = SettingsConfigDict(
        env_prefix="POLYCHAT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- storage ---
    data_dir: Path = Path("./data")
    database_url: str | None = Field(
        default=None, validation_alias=_env("DATABASE_URL", "DATABASE_URL")
    )
    redis_url: str | None = Field(default=None, validation_alias=_env("REDIS_URL", "REDIS_URL"))
    # Prefix of every Redis key Polychat writes, so several instances can share one Redis.
    redis_prefix: str = "polychat:"
    run_migrations: bool = True
    backup_before_migrate: bool = True
    sqlite_busy_timeout_ms: int = 5000
    db_pool_size: int = 10
    db_echo: bool = False

    # --- HTTP ---
    host: str = "127.0.0.1"
    port: int = 8080
    forwarded_allow_ips: str = "127.0.0.1"
    web_dir: Path = Path("web/dist")
    docs_enabled: bool = True

    # --- logging ---
    log_level: str = "INFO"
    log_json: bool = False

    # --- auth ---
    secret_key: SecretStr | None = None
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    registration_open: bool = True
    password_min_length: int = 10
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    login_max_attempts_per_ip: int = 20
    login_max_attempts_per_account: int = 5
    login_window_seconds: int = 300

    # --- chat (polychat.chat.options.ChatOptions reads these once at start) -------------------
    chat_titles: Literal["generate", "first_words"] = "generate"
    chat_failover: str = ""  # default failover chain: "claude:claude-haiku-4-5,openai:gpt-4o-mini"
    chat_checkpoint_interval_s: float = 1.0
    chat_stream_linger_s: float = 30.0
    chat_rate_limit_per_minute: int = 0  # default per-user limit; 0 = none; admins override
    chat_daily_token_quota: int = 0  # default per-user daily tokens; 0 = none; admins override

    # --- secrets at rest ---
    encryption_key: SecretStr | None = None
    # Older master keys that must stay readable (comma-separated), e.g. during a rotation on
    # hosts that do not share the data dir's keyring file; see docs/operations.md.
    encryption_keys_old: SecretStr | None = None

    # --- providers, by id: read from each spec's variables by `ProviderEnvSource` ---
    # Base URLs (tests point these at fakes; users at proxies): POLYCHAT_<ID>_BASE_URL.
    provider_base_urls: dict[str, str] = Field(default_factory=dict)
    # Instance-wide keys from the usual variables (ANTHROPIC_API_KEY, ...).
    provider_api_keys: dict[str, SecretStr] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        providers = ProviderEnvSource(settings_cls, init_settings, env_settings, dotenv_settings)
        return init_settings, providers, env_settings, dotenv_settings, file_secret_settings

    # --- derived values ---

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "polychat.db"

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy async URL: `DATABASE_URL` normalised to an async driver, or the
        SQLite file in the data directory."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{self.sqlite_path.resolve()}"
        for plain, async_ in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return async_ + url[len(plain) :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def ensure_data_dir(self) -> Path:
        """Create the data directory private to this user (0700) if it does not exist yet;
        an existing directory keeps the permissions its operator chose."""
        if not self.data_dir.exists():
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.data_dir

    @cached_property
    def _jwt_secret(self) -> bytes:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return load_or_create_secret(self.ensure_data_dir() / "jwt_secret", 64)

    def jwt_secret(self) -> bytes:
        """The JWT signing secret: `POLYCHAT_SECRET_KEY`, or one generated once into the data
        directory (mode 0600) and reused, so tokens survive restarts."""
        return self._jwt_secret

    @cached_property
    def _master_key(self) -> bytes:
        if self.encryption_key is not None:
            return decode_key(self.encryption_key.get_secret_value())
        return load_or_create_secret(self.ensure_data_dir() / "encryption_key", 32)

    def encryption_master_key(self) -> bytes:
        """The 32-byte master key that encrypts API keys at rest: `POLYCHAT_ENCRYPTION_KEY`
        (base64/base64url of 32 bytes, or any passphrase, which is hashed to 32 bytes), or one
        generated once into the data directory (mode 0600). Losing it makes stored keys
        unreadable: back it up with the database."""
        return self._master_key

    def provider_base_url(self, provider: str) -> str | None:
        """The base URL `POLYCHAT_<PROVIDER>_BASE_URL` sets, if any."""
        return self.provider_base_urls.get(provider) or None

    def provider_env_key(self, provider: str) -> str | None:
        """The instance-wide key the environment supplies for `provider`, if any."""
        value = self.provider_api_keys.get(provider)
        return value.get_secret_value() if value is not None else None


class ProviderEnvSource(PydanticBaseSettingsSource):
    """Fills `provider_base_urls` and `provider_api_keys` from the variables each provider's
    spec names, the environment winning over `.env` as for every other setting. A field given
    to `Settings(...)` directly is left alone (tests pass `{}` to shut the environment out)."""

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        init: PydanticBaseSettingsSource,
        env: PydanticBaseSettingsSource,
        dotenv: PydanticBaseSettingsSource,
        specs: Iterable[ProviderSpec] | None = None,
    ) -> None:
        super().__init__(settings_cls)
        self._given = set(init.init_kwargs) if isinstance(init, InitSettingsSource) else set()
        self._sources: list[Mapping[str, str | None]] = [
            s.env_vars for s in (env, dotenv) if isinstance(s, EnvSettingsSource)
        ]
        self._specs = list(specs) if specs is not None else discover_specs()
        self._case_sensitive = bool(settings_cls.model_config.get("case_sensitive"))

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything happens in __call__

    def _first(self, names: Iterable[str]) -> str | None:
        for source in self._sources:
            for name in names:
                value = source.get(name if self._case_sensitive else name.lower())
                if value:
                    return value
        return None

    def __call__(self) -> dict[str, Any]:
        urls: dict[str, str] = {}
        keys: dict[str, str] = {}
        for spec in self._specs:
            url = self._first((spec.base_url_setting,))
            if url:
                urls[spec.id] = url
            key = self._first(spec.key_settings)
            if key:
                keys[spec.id] = key
        out: dict[str, Any] = {}
        if "provider_base_urls" not in self._given:
            out["provider_base_urls"] = urls
        if "provider_api_keys" not in self._given:
            out["provider_api_keys"] = keys
        return out
