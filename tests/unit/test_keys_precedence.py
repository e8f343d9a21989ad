"""Which key a user's request uses, and what the user is told about it."""

from __future__ import annotations

from polychat.keys.access import missing_key_message
from polychat.keys.snapshot import (
    InstanceSnapshot,
    KeyMaterial,
    ProviderDefinition,
    Secret,
    UserSnapshot,
    effective_providers,
    key_hint,
    key_name_for,
)
from polychat.providers.builtin import BUILTIN_SPECS
from polychat.providers.registry import ProviderRegistry


def _key(raw: str, source: str) -> KeyMaterial:
    return KeyMaterial(Secret(raw), source, key_hint(raw))  # type: ignore[arg-type]


def test_user_key_beats_admin_key_beats_env_key() -> None:
    claude = ProviderDefinition("claude", "claude", "Anthropic", requires_key=True)
    env = InstanceSnapshot({"claude": claude}, {"claude": _key("env-key-0000", "env")})
    admin = InstanceSnapshot({"claude": claude}, {"claude": _key("admin-key-1111", "admin")})
    mine = UserSnapshot(keys={"claude": _key("user-key-2222", "user")})

    assert effective_providers(env, UserSnapshot())["claude"].key_source == "env"
    assert effective_providers(admin, UserSnapshot())["claude"].key_source == "admin"
    eff = effective_providers(admin, mine)["claude"]
    assert eff.key_source == "user"
    assert eff.key is not None and eff.key.secret.reveal() == "user-key-2222"
    assert eff.usable


def test_admin_can_forbid_user_keys() -> None:
    strict = ProviderDefinition(
        "claude", "claude", "Anthropic", requires_key=True, allow_user_keys=False
    )
    mine = UserSnapshot(keys={"claude": _key("user-key-2222", "user")})
    alone = effective_providers(InstanceSnapshot({"claude": strict}), mine)["claude"]
    assert alone.key is None and alone.user_key_ignored and not alone.configured
    shared = InstanceSnapshot({"claude": strict}, {"claude": _key("admin-key-1111", "admin")})
    assert effective_providers(shared, mine)["claude"].key_source == "admin"


def test_enable_flags_and_keyless_providers() -> None:
    claude = ProviderDefinition("claude", "claude", "Anthropic", requires_key=True)
    ollama = ProviderDefinition("ollama", "ollama", "Ollama", requires_key=False)
    off = ProviderDefinition(
        "mistral", "mistral", "Mistral", requires_key=True, instance_enabled=False
    )
    snap = InstanceSnapshot(
        {"claude": claude, "ollama": ollama, "mistral": off},
        {"mistral": _key("env-mistral-key", "env")},
    )
    view = effective_providers(snap, UserSnapshot(disabled=frozenset({"ollama"})))
    assert not view["claude"].configured and view["claude"].key_source == "none"
    assert view["ollama"].configured and not view["ollama"].enabled
    assert view["mistral"].configured and not view["mistral"].enabled
    again = effective_providers(snap, UserSnapshot())
    assert again["ollama"].usable and again["ollama"].key_source == "none"


def test_secrets_never_show_themselves() -> None:
    secret = Secret("sk-live-abcdefgh12345678")
    assert "sk-live" not in repr(secret) and "sk-live" not in str(secret)
    assert "sk-live" not in repr(_key("sk-live-abcdefgh12345678", "user"))
    assert key_hint("sk-live-abcdefgh12345678") == "…5678"
    assert key_hint("short") == "…rt"
    assert key_hint("abc") == "…"
    assert key_name_for("claude") == "claude_api_key"


def test_missing_key_message_says_what_to_do() -> None:
    assert (
        missing_key_message("mistral", "Mistral AI", user_keys=True, env="MISTRAL_API_KEY")
        == "no key for mistral: set MISTRAL_API_KEY or add one in Settings → Providers"
    )
    assert "ask an administrator" in missing_key_message("lab", "Lab vLLM", user_keys=False)


def test_builtin_specs_are_what_the_classes_say() -> None:
    """The specs that spare importing every SDK must say what the classes say."""
    registry = ProviderRegistry()
    for spec in BUILTIN_SPECS:
        cls = registry.get_class(spec.id)
        assert cls.spec is spec and cls.name == spec.id, spec.id
        assert (cls.display_name, cls.requires_key) == (spec.display_name, spec.requires_key)
        assert cls.default_base_url == spec.default_base_url
    assert {s.id for s in BUILTIN_SPECS} == set(registry.names())  # nothing registered twice
