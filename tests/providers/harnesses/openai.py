"""OpenAI in the contract suite: the Chat Completions fake in its `openai` dialect."""

from __future__ import annotations

from polychat.providers.base import ProviderUnavailableError
from polychat.providers.openai import OpenAIProvider
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Failure
from tests.providers.chat_wire import ChatCompletionsWire
from tests.providers.harness import ProviderHarness

HARNESSES = [
    ProviderHarness(
        id="openai",
        provider_cls=OpenAIProvider,
        make_fake=lambda: FakeOpenAIChat("openai"),
        base_url=lambda fake: f"{fake.url}/v1",
        wire=ChatCompletionsWire("max_completion_tokens"),
        chat_model="gpt-4o",
        vision_model="gpt-4o",
        text_only_model="o3-mini",
        chat_path="/v1/chat/completions",
        expected_errors={Failure.ERROR_MID_STREAM: ProviderUnavailableError},
        key_check_path="/v1/models",
        models_path="/v1/models",
        reasoning_model="o3-mini",
        reasoning_wire={"low": "low", "medium": "medium", "high": "high"},
        streams_thinking=False,  # Chat Completions never return the reasoning text
    )
]
