"""Immutable views of provider configuration: what the hot path reads instead of the database.

Two layers, cached separately because they change for different reasons:
`InstanceSnapshot` (admin settings, instance keys, environment keys, custom providers) and
`UserSnapshot` (one user's own keys and on/off switches). `effective_providers` combines
them with the precedence rules; the result is cached per user by `cache.ProviderConfigCache`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

KeySource = Literal["user", "admin", "env", "none"]


class Secret:
    """A decrypted API key that will not show itself in reprs, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def hint(self) -> str:
        return key_hint(self._value)

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def key_hint(raw: str) -> str:
    """The only part of a key ever shown: its last four characters (fewer for tiny keys)."""
    tail = raw[-4:] if len(raw) >= 8 else raw[-2:] if len(raw) >= 4 else ""
    return f"…{tail}" if tail else "…"


def key_name_for(provider: str) -> str:
    """`api_keys.key_name` for a provider, as the spec names it."""
    return f"{provider}_api_key"


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    secret: Secret
    source: Literal["user", "admin", "env"]
    hint: str


@dataclass(frozen=True, slots=True)
class ProviderDefinition:
    """A provider as this instance offers it (built-in or admin-defined custom)."""

    provider_id: str
    class_name: str
    display_name: str
    requires_key: bool
    base_url: str | None = None
    instance_enabled: bool = True
    allow_user_keys: bool = True
    model_allowlist: tuple[str, ...] = ()
    custom: bool = False
    env_key: str | None = None  # the environment variable that would supply its key
    docs_url: str | None = None  # where a person gets a key (the spec's `docs_url`)
    catalog: str | None = None  # its shipped model catalog (the spec's `catalog`)


@dataclass(frozen=True, slots=True)
class InstanceSnapshot:
    providers: Mapping[str, ProviderDefinition]
    keys: Mapping[str, KeyMaterial] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    keys: Mapping[str, KeyMaterial] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EffectiveProvider:
    """One provider as one user sees it right now."""

    definition: ProviderDefinition
    key: KeyMaterial | None
    user_enabled: bool
    user_key_ignored: bool = False

    @property
    def provider_id(self) -> str:
        return self.definition.provider_id

    @property
    def enabled(self) -> bool:
        return self.definition.instance_enabled and self.user_enabled

    @property
    def configured(self) -> bool:
        """Usable credentials exist; keyless providers (Ollama) count once enabled."""
        return self.key is not None or not self.definition.requires_key

    @property
    def usable(self) -> bool:
        return self.enabled and self.configured

    @property
    def key_source(self) -> KeySource:
        return self.key.source if self.key is not None else "none"


def effective_providers(
    instance: InstanceSnapshot, user: UserSnapshot
) -> dict[str, EffectiveProvider]:
    """Apply precedence: user's own key > admin instance key > environment key.

    A user key for a provider whose admin forbade personal keys is ignored (and flagged), so
    turning the switch off takes effect at once without deleting anyone's data.
    """
    out: dict[str, EffectiveProvider] = {}
    for pid, definition in instance.providers.items():
        own = user.keys.get(pid)
        ignored = own is not None and not definition.allow_user_keys
        key = own if own is not None and not ignored else instance.keys.get(pid)
        out[pid] = EffectiveProvider(
            definition=definition,
            key=key,
            user_enabled=pid not in user.disabled,
            user_key_ignored=ignored,
        )
    return out
