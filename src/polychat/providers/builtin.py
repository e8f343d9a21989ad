"""The built-in providers' specs: everything Polychat knows about each before importing it.

Each is registered under the `polychat.providers` entry-point group in `pyproject.toml`,
exactly as a plugin registers its own (see docs/providers.md); `BUILTIN_SPECS` is also the
fallback for a source checkout whose package metadata is not installed. Their order is the
order in which title models are tried.
"""

from __future__ import annotations

from polychat.providers.spec import ProviderSpec

CLAUDE = ProviderSpec(
    id="claude",
    display_name="Anthropic Claude",
    adapter="polychat.providers.claude:ClaudeProvider",
    env_keys=("ANTHROPIC_API_KEY",),
    default_base_url="https://api.anthropic.com",
    model_prefixes=("claude-",),
    title_model="claude-haiku-4-5",
    catalog="claude",
    docs_url="https://console.anthropic.com/settings/keys",
)

OPENAI = ProviderSpec(
    id="openai",
    display_name="OpenAI",
    adapter="polychat.providers.openai:OpenAIProvider",
    env_keys=("OPENAI_API_KEY",),
    default_base_url="https://api.openai.com/v1",
    model_prefixes=("gpt-", "chatgpt-", "o1", "o3", "o4"),
    title_model="gpt-4o-mini",
    catalog="openai",
    docs_url="https://platform.openai.com/api-keys",
)

GEMINI = ProviderSpec(
    id="gemini",
    display_name="Google Gemini",
    adapter="polychat.providers.gemini:GeminiProvider",
    env_keys=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    default_base_url="https://generativelanguage.googleapis.com",
    model_prefixes=("gemini-",),
    title_model="gemini-2.5-flash",
    catalog="gemini",
    docs_url="https://aistudio.google.com/apikey",
)

MISTRAL = ProviderSpec(
    id="mistral",
    display_name="Mistral AI",
    adapter="polychat.providers.mistral:MistralProvider",
    env_keys=("MISTRAL_API_KEY",),
    default_base_url="https://api.mistral.ai",
    model_prefixes=(
        "mistral-",
        "open-mistral-",
        "open-mixtral-",
        "codestral-",
        "magistral-",
        "ministral-",
        "pixtral-",
        "devstral-",
    ),
    title_model="mistral-small-latest",
    catalog="mistral",
    docs_url="https://console.mistral.ai/api-keys",
)

OLLAMA = ProviderSpec(
    id="ollama",
    display_name="Ollama",
    adapter="polychat.providers.ollama:OllamaProvider",
    requires_key=False,
    default_base_url="http://127.0.0.1:11434",
    catalog="ollama",
    docs_url="https://ollama.com/download",
)

OPENROUTER = ProviderSpec(
    id="openrouter",
    display_name="OpenRouter",
    adapter="polychat.providers.openrouter:OpenRouterProvider",
    env_keys=("OPENROUTER_API_KEY",),
    default_base_url="https://openrouter.ai/api/v1",
    vendor_model_ids=True,
    title_model="google/gemini-2.5-flash",
    catalog="openrouter",
    docs_url="https://openrouter.ai/keys",
)

OPENAI_COMPATIBLE = ProviderSpec(
    id="openai_compatible",
    display_name="OpenAI-compatible server",
    adapter="polychat.providers.openai_compatible:OpenAICompatibleProvider",
    requires_key=False,
    default_base_url="http://127.0.0.1:8000/v1",
    template=True,
)

BUILTIN_SPECS: tuple[ProviderSpec, ...] = (
    CLAUDE,
    OPENAI,
    GEMINI,
    MISTRAL,
    OLLAMA,
    OPENROUTER,
    OPENAI_COMPATIBLE,
)
