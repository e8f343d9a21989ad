"""`ProviderSpec`: every fact about a provider that is known without importing its adapter.

A provider's adapter imports its SDK (tens of MB and seconds each), so what the rest of the
app needs to know before a request is ever sent lives in one light object per provider: its
id and name, whether it needs a key and which environment variables supply one, where its
base URL is set, which model ids it claims, its title model and shipped catalog, and where a
person gets a key. The registry, key settings, `Settings`, the factory's routing and the web
UI's provider list are all derived from it; the adapter class reads its `name`,
`display_name`, `requires_key` and `default_base_url` from it too (`BaseProvider.spec`).

This module imports nothing from Polychat, so any module may depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass

ENV_PREFIX = "POLYCHAT_"


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider's facts. `adapter` is the `module:Class` of its `BaseProvider` subclass,
    imported only when an instance is first needed."""

    id: str
    display_name: str
    adapter: str
    requires_key: bool = True
    env_keys: tuple[str, ...] = ()
    """Plain environment variables that hold an instance-wide key, in order of preference
    (`ANTHROPIC_API_KEY`); the first is also read with the `POLYCHAT_` prefix, which wins."""
    default_base_url: str | None = None
    model_prefixes: tuple[str, ...] = ()
    """Model ids starting with one of these are routed here with no provider named."""
    vendor_model_ids: bool = False
    """Routes `vendor/model` ids no provider has listed (OpenRouter's naming)."""
    title_model: str | None = None
    """A cheap, fast model for conversation titles; None: never used for titles."""
    catalog: str | None = None
    """Name of the model catalog shipped in `polychat/providers/catalog/<name>.json`."""
    docs_url: str | None = None
    """Where a person gets a key (or, for a provider without keys, sets it up)."""
    template: bool = False
    """A class for admin-defined instances (custom servers), not a provider by itself."""

    @property
    def base_url_setting(self) -> str:
        """The environment variable of its base URL, e.g. `POLYCHAT_CLAUDE_BASE_URL`."""
        return f"{ENV_PREFIX}{self.id.upper()}_BASE_URL"

    @property
    def key_settings(self) -> tuple[str, ...]:
        """Every environment variable read for its key, first match wins."""
        if not self.env_keys:
            return ()
        return (f"{ENV_PREFIX}{self.env_keys[0]}", *self.env_keys)

    def claims(self, model_id: str) -> int:
        """How strongly its prefixes claim `model_id`: the longest matching prefix's length,
        0 when none matches (the longest claim wins when two specs match)."""
        return max((len(p) for p in self.model_prefixes if model_id.startswith(p)), default=0)
