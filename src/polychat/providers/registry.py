"""Which providers exist: built-ins and plugins, all found through one entry-point group.

Built-ins register exactly the way a third-party package does, in `pyproject.toml`::

    [project.entry-points."polychat.providers"]
    mistral = "polychat.providers.builtin:MISTRAL"

so the plugin path is exercised by every run. An entry point names a `ProviderSpec` (see
spec.py), which is light: discovering every provider imports no SDK. (An entry point naming a
`BaseProvider` subclass still works; its module is imported to read the class's spec.)
`BUILTIN_SPECS` is the fallback for a source checkout whose package metadata is not installed;
a provider found both ways resolves to the entry point.

Adapter classes are imported only when first asked for (`get_class`), so an unused
provider's SDK is never imported. The key-management layer feeds `set_configured` /
`set_enabled`; custom OpenAI-compatible servers are added with `add_instance`. An *instance
id* names one configured provider: a built-in's id is its spec's id, a custom instance has
its own id.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

from polychat.providers.base import BaseProvider, ModelInfo
from polychat.providers.builtin import BUILTIN_SPECS
from polychat.providers.spec import ProviderSpec

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "polychat.providers"


class UnknownProviderError(LookupError):
    """No provider class or instance by that name; the message lists the known ones."""


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """One configured provider: a built-in (id == class name) or a custom server."""

    instance_id: str
    class_name: str
    display_name: str | None = None
    base_url: str | None = None
    model_allowlist: tuple[str, ...] = ()


@dataclass
class _State:
    enabled: bool = True
    configured: bool = False
    models: tuple[str, ...] = field(default_factory=tuple)


def _load(target: str) -> type[BaseProvider]:
    module_name, _, attr = target.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(obj, type) and issubclass(obj, BaseProvider)):
        raise TypeError(f"{target} is not a BaseProvider subclass")
    return obj


def discover_specs(eps: Iterable[EntryPoint] | None = None) -> list[ProviderSpec]:
    """Every provider's spec: the entry-point group's, then built-ins it lacks, in the
    built-ins' order followed by plugins by id. An entry point that fails to load is logged
    and left out; one provider's broken package never hides the others."""
    if eps is None:
        eps = entry_points(group=ENTRY_POINT_GROUP)
    found: dict[str, ProviderSpec] = {}
    for ep in eps:
        try:
            obj = ep.load()
        except Exception:
            log.exception("provider entry point %s = %s could not be loaded", ep.name, ep.value)
            continue
        if isinstance(obj, ProviderSpec):
            found[obj.id] = obj
        elif isinstance(obj, type) and issubclass(obj, BaseProvider):
            found[obj.spec.id] = obj.spec
        else:
            log.error("provider entry point %s = %s is not a ProviderSpec", ep.name, ep.value)
    order = {spec.id: i for i, spec in enumerate(BUILTIN_SPECS)}
    for spec in BUILTIN_SPECS:
        found.setdefault(spec.id, spec)
    return sorted(found.values(), key=lambda s: (order.get(s.id, len(order)), s.id))


class ProviderRegistry:
    """Every provider class and configured instance, with enabled/configured flags."""

    def __init__(self, *, discover: bool = True) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        self._classes: dict[str, type[BaseProvider]] = {}
        self._instances: dict[str, InstanceSpec] = {}
        self._state: dict[str, _State] = {}
        if discover:
            self.discover()

    # -- classes ------------------------------------------------------------------------------

    def discover(self, eps: Iterable[EntryPoint] | None = None) -> None:
        """(Re)read the entry-point group; built-ins missing from it come from the fallback."""
        for spec in discover_specs(eps):
            self._add_spec(spec)

    def _add_spec(self, spec: ProviderSpec) -> None:
        if self._specs.get(spec.id) != spec:
            self._classes.pop(spec.id, None)
        self._specs[spec.id] = spec
        if not spec.template:
            self._instances.setdefault(spec.id, InstanceSpec(spec.id, spec.id))

    def register_class(self, cls: type[BaseProvider], *, instance: bool = True) -> None:
        """Register a class directly (tests, embedding apps); `instance` adds it as one."""
        self._specs[cls.spec.id] = cls.spec
        self._classes[cls.spec.id] = cls
        if instance:
            self._instances.setdefault(cls.spec.id, InstanceSpec(cls.spec.id, cls.spec.id))

    def names(self) -> list[str]:
        """Names of every provider class, without importing any of them."""
        return sorted(self._specs)

    def specs(self) -> list[ProviderSpec]:
        """Every provider's spec, built-ins first in their own order, then plugins by id."""
        return list(self._specs.values())

    def spec(self, name: str) -> ProviderSpec:
        """A provider class's facts, known without importing its adapter."""
        spec = self._specs.get(name)
        if spec is None:
            raise UnknownProviderError(
                f"unknown provider {name!r}; known: {', '.join(self.names())}"
            )
        return spec

    def get_class(self, name: str) -> type[BaseProvider]:
        cls = self._classes.get(name)
        if cls is not None:
            return cls
        cls = _load(self.spec(name).adapter)
        self._classes[name] = cls
        return cls

    def classes(self) -> dict[str, type[BaseProvider]]:
        """Every class, imported. Classes that fail to import are logged and left out."""
        out: dict[str, type[BaseProvider]] = {}
        for name in self.names():
            try:
                out[name] = self.get_class(name)
            except Exception:
                log.exception("provider %s could not be loaded", name)
        return out

    # -- instances ----------------------------------------------------------------------------

    def add_instance(
        self,
        instance_id: str,
        class_name: str = "openai_compatible",
        *,
        display_name: str | None = None,
        base_url: str | None = None,
        model_allowlist: Iterable[str] = (),
    ) -> InstanceSpec:
        """Add (or replace) a configured instance, e.g. a custom OpenAI-compatible server."""
        if class_name not in self._specs:
            raise UnknownProviderError(f"unknown provider class {class_name!r}")
        if instance_id in self._specs and instance_id != class_name:
            raise ValueError(f"{instance_id!r} is the name of a provider class")
        spec = InstanceSpec(instance_id, class_name, display_name, base_url, tuple(model_allowlist))
        self._instances[instance_id] = spec
        return spec

    def remove_instance(self, instance_id: str) -> None:
        self._instances.pop(instance_id, None)
        self._state.pop(instance_id, None)

    def instances(self) -> list[InstanceSpec]:
        return [self._instances[k] for k in sorted(self._instances)]

    def instance(self, instance_id: str) -> InstanceSpec:
        spec = self._instances.get(instance_id)
        if spec is None:
            known = ", ".join(sorted(self._instances))
            raise UnknownProviderError(f"unknown provider {instance_id!r}; known: {known}")
        return spec

    def class_for(self, instance_id: str) -> type[BaseProvider]:
        return self.get_class(self.instance(instance_id).class_name)

    # -- flags fed by key management, and models seen ---------------------------------------

    def _st(self, instance_id: str) -> _State:
        return self._state.setdefault(instance_id, _State())

    def set_enabled(self, instance_id: str, enabled: bool) -> None:
        self._st(instance_id).enabled = enabled

    def is_enabled(self, instance_id: str) -> bool:
        return self._st(instance_id).enabled

    def set_configured(self, instance_id: str, configured: bool) -> None:
        """Whether a key is available (providers that need none count as configured)."""
        self._st(instance_id).configured = configured

    def is_configured(self, instance_id: str) -> bool:
        if self._st(instance_id).configured:
            return True
        try:
            return not self.spec(self.instance(instance_id).class_name).requires_key
        except UnknownProviderError:
            return False

    def is_available(self, instance_id: str) -> bool:
        return self.is_enabled(instance_id) and self.is_configured(instance_id)

    def remember_models(self, instance_id: str, models: Iterable[ModelInfo | str]) -> None:
        """Record an instance's model ids, used by the factory to route unprefixed ids."""
        ids = tuple(m if isinstance(m, str) else m.id for m in models)
        self._st(instance_id).models = ids

    def known_models(self) -> dict[str, tuple[str, ...]]:
        return {k: v.models for k, v in self._state.items() if v.models}
