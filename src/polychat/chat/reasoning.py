"""Whether a turn asks the model to think, and whether the model can.

The user's choice (`"off"`, `"low"`, `"medium"`, `"high"`) is saved on the conversation like
the other sampling parameters; it reaches the provider only for a model known to reason
(`ModelInfo.reasoning`, from the provider's live list or its shipped catalog). Any other model
gets no thinking parameter at all, so a conversation that thought with one model simply
answers with the next.
"""

from __future__ import annotations

from typing import Any, cast

from polychat.providers.base import BaseProvider, ModelInfo, ReasoningEffort
from polychat.providers.catalog import ModelCache, load_catalog

EFFORTS: tuple[ReasoningEffort, ...] = ("low", "medium", "high")


def wanted_effort(setting: Any) -> ReasoningEffort | None:
    """The effort a saved or sent setting asks for; None for "off", missing or anything else
    (an old or hand-edited value never breaks a chat)."""
    return cast(ReasoningEffort, setting) if setting in EFFORTS else None


def model_info(provider: BaseProvider, model: str) -> ModelInfo | None:
    """What the provider instance knows about `model` without any network call: its last
    live list when it has one, else its catalog (every adapter keeps them in a `ModelCache`).
    A provider without one falls back to the shipped catalog of its class."""
    for value in getattr(provider, "__dict__", {}).values():
        if isinstance(value, ModelCache):
            return value.info(model)
    return load_catalog(provider.name).get(model)


def model_reasons(provider: BaseProvider, model: str) -> bool:
    """True when `model` is known to show its thinking when asked."""
    info = model_info(provider, model)
    return info is not None and info.reasoning
