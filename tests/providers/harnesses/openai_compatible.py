"""OpenAI-compatible servers in the contract suite, two kinds side by side:

- `openai_compatible-ollama`: Ollama's `/v1` (no key, data-URL images only, tool calls whole),
  registered under its own instance id with a model allowlist;
- `openai_compatible-keyed`: a hosted server that checks a Bearer key and answers in
  OpenAI's own dialect (Groq, Together, DeepSeek behave this way).
"""

from __future__ import annotations

from polychat.providers.base import ProviderUnavailableError
from polychat.providers.openai_compatible import OpenAICompatibleProvider
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Failure
from tests.providers.chat_wire import ChatCompletionsWire
from tests.providers.harness import ProviderHarness

HARNESSES = [
    ProviderHarness(
        id="openai_compatible-ollama",
        provider_cls=OpenAICompatibleProvider,
        make_fake=lambda: FakeOpenAIChat("ollama"),
        base_url=lambda fake: f"{fake.url}/v1",
        wire=ChatCompletionsWire("max_tokens"),
        chat_model="llama3.2:latest",
        vision_model="llava:latest",
        chat_path="/v1/chat/completions",
        good_key=None,
        bad_key=None,
        config_extra={
            "instance_id": "home-ollama",
            "model_allowlist": ("llama3.2:latest", "llava:latest"),
        },
        expected_errors={Failure.ERROR_MID_STREAM: ProviderUnavailableError},
        unsupported_failures=frozenset({Failure.BAD_KEY, Failure.RATE_LIMIT, Failure.QUOTA}),
        key_check_path="/v1/models",
        models_path="/v1/models",
        reasoning_model="llama3.2:latest",  # Ollama's /v1 streams `reasoning`
        reasoning_listed=False,
    ),
    ProviderHarness(
        id="openai_compatible-keyed",
        provider_cls=OpenAICompatibleProvider,
        make_fake=lambda: FakeOpenAIChat(
            "openai",
            models=("llama-3.3-70b-versatile", "qwen-2.5-vl", "nomic-embed-text"),
            reasoning_field="reasoning_content",  # vLLM / DeepSeek style
        ),
        base_url=lambda fake: f"{fake.url}/v1",
        wire=ChatCompletionsWire("max_tokens"),
        chat_model="llama-3.3-70b-versatile",
        vision_model="qwen-2.5-vl",
        chat_path="/v1/chat/completions",
        config_extra={
            "instance_id": "groq",
            "model_allowlist": ("llama-3.3-70b-versatile", "qwen-2.5-vl"),
        },
        expected_errors={Failure.ERROR_MID_STREAM: ProviderUnavailableError},
        key_check_path="/v1/models",
        models_path="/v1/models",
        reasoning_model="llama-3.3-70b-versatile",  # the server decides; nothing is sent
        reasoning_listed=False,
    ),
]
