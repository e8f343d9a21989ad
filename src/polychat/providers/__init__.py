"""The provider layer: one native adapter per provider behind `BaseProvider` (see base.py).

Importing this package imports no SDK: adapters are loaded by the registry on first use.
"""

from polychat.providers.factory import ModelResolutionError, ProviderFactory
from polychat.providers.registry import ProviderRegistry, UnknownProviderError

__all__ = ["ModelResolutionError", "ProviderFactory", "ProviderRegistry", "UnknownProviderError"]
