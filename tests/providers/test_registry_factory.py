"""Registry (which providers exist) and factory (which one serves a model, cached how)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint

import pytest

from polychat.providers import (
    ModelResolutionError,
    ProviderFactory,
    ProviderRegistry,
    UnknownProviderError,
)
from polychat.providers.base import ProviderBadRequestError, ProviderConfig
from polychat.providers.builtin import BUILTIN_SPECS
from polychat.providers.claude import ClaudeProvider
from polychat.providers.factory import UnknownProviderRequestError
from polychat.providers.openai_compatible import OpenAICompatibleProvider
from polychat.providers.spec import ProviderSpec
from tests.plugins.polychat_echo import EchoProvider

SEVEN = ["claude", "gemini", "mistral", "ollama", "openai", "openai_compatible", "openrouter"]


def test_builtins_come_from_installed_entry_points_without_importing_sdks() -> None:
    code = (
        "import sys; from polychat.providers import ProviderRegistry as R;"
        "from importlib.metadata import entry_points as e;"
        "print(sorted(R().names()));"
        "print(sorted(p.name for p in e(group='polychat.providers')));"
        "print([m for m in ('anthropic','openai','mistralai','google.genai','ollama')"
        " if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    assert out[0] == str(SEVEN)
    assert out[1] == str(SEVEN)  # declared in pyproject.toml, installed by `uv sync`
    assert out[2] == "[]"  # nothing imported until a provider is used


def test_builtin_fallback_when_entry_points_are_missing() -> None:
    registry = ProviderRegistry(discover=False)
    registry.discover(eps=[])
    assert registry.names() == SEVEN
    assert registry.get_class("claude") is ClaudeProvider


def test_entry_point_overrides_and_unknown_names() -> None:
    registry = ProviderRegistry(discover=False)
    ep = EntryPoint("echo", "tests.plugins.polychat_echo:EchoProvider", "polychat.providers")
    registry.discover(eps=[ep])
    assert registry.get_class("echo") is EchoProvider
    assert "echo" in registry.classes()
    with pytest.raises(UnknownProviderError, match="known: claude"):
        registry.get_class("nope")
    bad = EntryPoint("bad", "polychat.providers.base:ProviderConfig", "polychat.providers")
    registry.discover(eps=[bad])  # neither a spec nor a provider class: logged, left out
    with pytest.raises(UnknownProviderError):
        registry.get_class("bad")
    wrong = EntryPoint("wrong", f"{__name__}:WRONG_ADAPTER", "polychat.providers")
    registry.discover(eps=[wrong])
    assert "wrong" in registry.names()  # its spec is light and fine
    with pytest.raises(TypeError):
        registry.get_class("wrong")
    assert "wrong" not in registry.classes()  # a broken plugin is logged and left out


WRONG_ADAPTER = ProviderSpec("wrong", "Wrong", adapter="polychat.providers.base:ProviderConfig")


def test_enabled_configured_and_custom_instances() -> None:
    registry = ProviderRegistry()
    assert not registry.is_configured("claude")
    registry.set_configured("claude", True)
    assert registry.is_available("claude")
    registry.set_enabled("claude", False)
    assert not registry.is_available("claude")
    assert registry.is_configured("ollama")  # needs no key
    spec = registry.add_instance(
        "lmstudio", base_url="http://127.0.0.1:1234/v1", model_allowlist=["qwen"]
    )
    assert spec.class_name == "openai_compatible"
    assert registry.class_for("lmstudio") is OpenAICompatibleProvider
    assert "lmstudio" in [s.instance_id for s in registry.instances()]
    with pytest.raises(ValueError):
        registry.add_instance("openai")
    with pytest.raises(UnknownProviderError):
        registry.add_instance("x", "no_such_class")
    registry.remove_instance("lmstudio")
    with pytest.raises(UnknownProviderError):
        registry.instance("lmstudio")
    registry.register_class(EchoProvider)
    assert registry.class_for("echo") is EchoProvider


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-sonnet-4-6", "claude"),
        ("gpt-4o", "openai"),
        ("o3-mini", "openai"),
        ("o4-mini", "openai"),
        ("chatgpt-4o-latest", "openai"),
        ("gemini-2.5-flash", "gemini"),
        ("mistral-large-latest", "mistral"),
        ("open-mistral-7b", "mistral"),
        ("codestral-latest", "mistral"),
        ("magistral-medium-latest", "mistral"),
        ("meta-llama/llama-3.1-8b-instruct", "openrouter"),
    ],
)
def test_model_prefix_routing(model: str, expected: str) -> None:
    assert ProviderFactory(ProviderRegistry()).resolve(model) == expected


def test_explicit_provider_wins_and_listed_models_route() -> None:
    registry = ProviderRegistry()
    factory = ProviderFactory(registry)
    assert factory.resolve("gpt-4o", "openrouter") == "openrouter"
    with pytest.raises(UnknownProviderRequestError):
        factory.resolve("gpt-4o", "nope")
    registry.remember_models("ollama", ["llama3.2:latest", "qwen2.5:7b"])
    assert factory.resolve("llama3.2:latest") == "ollama"
    registry.add_instance("vllm")
    registry.remember_models("vllm", ["qwen2.5:7b", "Qwen/Qwen2.5-7B"])
    assert factory.resolve("Qwen/Qwen2.5-7B") == "vllm"  # listed beats the '/' rule
    with pytest.raises(ModelResolutionError, match="several providers") as ambiguous:
        factory.resolve("qwen2.5:7b")
    assert set(ambiguous.value.available) == {"ollama", "vllm"}
    with pytest.raises(ModelResolutionError, match=r"llama3\.2:latest") as unknown:
        factory.resolve("no-such-model")
    assert isinstance(unknown.value, ProviderBadRequestError)
    assert unknown.value.code == "model_not_found"
    registry.set_enabled("vllm", False)
    assert factory.resolve("qwen2.5:7b") == "ollama"


async def test_instances_are_cached_per_key_and_url_and_closed() -> None:
    registry = ProviderRegistry()
    registry.add_instance("a", base_url="http://127.0.0.1:9/v1")
    registry.add_instance("b", base_url="http://127.0.0.1:10/v1")
    keys = {"claude": "k1"}
    factory = ProviderFactory(
        registry,
        lambda iid: ProviderConfig(api_key=keys.get(iid), base_url=registry.instance(iid).base_url),
    )
    first = factory.get("claude")
    assert factory.get("claude") is first
    assert factory.for_model("claude-haiku-4-5") is first
    keys["claude"] = "k2"
    second = factory.get("claude")
    assert second is not first and second.config.api_key == "k2"
    a, b = factory.get("a"), factory.get("b")
    assert a is not b and (a.get_name(), b.get_name()) == ("a", "b")
    assert a.base_url == "http://127.0.0.1:9/v1"
    with pytest.raises(UnknownProviderRequestError):
        factory.get("nope")
    clients = [p._http for p in (first, second, a, b)]  # type: ignore[attr-defined]
    await factory.aclose_all()
    assert all(c.is_closed for c in clients)  # the replaced instance too


def test_every_builtin_is_declared_in_the_fallback_table() -> None:
    assert sorted(s.id for s in BUILTIN_SPECS) == SEVEN
