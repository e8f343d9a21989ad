"""OpenRouter in the contract suite: the Chat Completions fake in its `openrouter` dialect."""

from __future__ import annotations

from polychat.providers.base import ProviderUnavailableError
from polychat.providers.openrouter import OpenRouterProvider
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Failure
from tests.providers.chat_wire import ChatCompletionsWire
from tests.providers.harness import ProviderHarness

HARNESSES = [
    ProviderHarness(
        id="openrouter",
        provider_cls=OpenRouterProvider,
        make_fake=lambda: FakeOpenAIChat("openrouter"),
        base_url=lambda fake: f"{fake.url}/api/v1",
        wire=ChatCompletionsWire("max_tokens"),
        chat_model="anthropic/claude-sonnet-4.6",
        vision_model="openai/gpt-4o",
        text_only_model="meta-llama/llama-3.1-8b-instruct",
        chat_path="/api/v1/chat/completions",
        expected_errors={Failure.ERROR_MID_STREAM: ProviderUnavailableError},
        key_check_path="/api/v1/key",
        models_path="/api/v1/models",
        reasoning_model="anthropic/claude-sonnet-4.6",
        reasoning_wire={e: {"effort": e} for e in ("low", "medium", "high")},
    )
]
