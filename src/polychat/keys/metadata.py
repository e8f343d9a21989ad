"""Display name and key requirement of built-in providers, known without importing them.

Importing a provider module imports its SDK (tens of MB and seconds each). Listing providers
or resolving a chat request for Claude must not pull in Gemini's, so the few facts the
settings screens need about built-ins live here; a unit test keeps this table equal to the
classes' own attributes. Plugins (anything not in the table) are imported to ask them.
"""

from __future__ import annotations

from polychat.providers.registry import ProviderRegistry

BUILTIN_METADATA: dict[str, tuple[str, bool]] = {
    # class name: (display_name, requires_key)
    "claude": ("Anthropic Claude", True),
    "openai": ("OpenAI", True),
    "mistral": ("Mistral AI", True),
    "gemini": ("Google Gemini", True),
    "ollama": ("Ollama", False),
    "openrouter": ("OpenRouter", True),
    "openai_compatible": ("OpenAI-compatible server", False),
}


def provider_metadata(registry: ProviderRegistry, class_name: str) -> tuple[str, bool]:
    known = BUILTIN_METADATA.get(class_name)
    if known is not None:
        return known
    cls = registry.get_class(class_name)
    return cls.display_name, cls.requires_key
