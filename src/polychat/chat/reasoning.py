"""Whether a turn asks the model to think, and whether the model can.

The user's choice (`"off"`, `"low"`, `"medium"`, `"high"`) is saved on the conversation like
the other sampling parameters; it reaches the provider only for a model known to reason
(`ModelInfo.reasoning`, from the provider's live list or its shipped catalog). Any other model
gets no thinking parameter at all, so a conversation that thought with one model simply
answers with the next.
"""

from __future__ import annotations

from typing import Any, cast

from polychat.providers.base import BaseProvider, ReasoningEffort

EFFORTS: tuple[ReasoningEffort, ...] = ("low", "medium", "high")


def wanted_effort(setting: Any) -> ReasoningEffort | None:
    """The effort a saved or sent setting asks for; None for "off", missing or anything else
    (an old or hand-edited value never breaks a chat)."""
    return cast(ReasoningEffort, setting) if setting in EFFORTS else None


def model_reasons(provider: BaseProvider, model: str) -> bool:
    """True when `model` is known to show its thinking when asked."""
    info = provider.known_model(model)
    return info is not None and info.reasoning
