"""The plugin manager: built-in plugins, third-party ones from entry points, and the registries."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TypeVar

import pluggy

from civicshield import hookspecs
from civicshield.domain.detection import DetectorRegistry
from civicshield.domain.errors import ConfigError
from civicshield.domain.ports import Importer, LiveKind

#: Built-in plugins, loaded through the same hooks as third-party code.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "civicshield.detectors.plugin",
    "civicshield.connectors.jsonl.connector",
    "civicshield.connectors.csv.connector",
    "civicshield.connectors.forms.connector",
    "civicshield.connectors.email.connector",
    "civicshield.connectors.x_archive.connector",
    "civicshield.connectors.bluesky.connector",
    "civicshield.connectors.mastodon.connector",
    "civicshield.connectors.meta.connector",
    "civicshield.connectors.imap.connector",
    "civicshield.connectors.mastodon.live",
    "civicshield.connectors.bluesky.live",
)


def make_plugin_manager(*, load_defaults: bool = True,
                        extra: Iterable[str] = ()) -> pluggy.PluginManager:
    """Build a plugin manager with the built-ins (unless switched off), entry points and extras."""
    pm = pluggy.PluginManager("civicshield")
    pm.add_hookspecs(hookspecs)
    names = [*(DEFAULT_PLUGINS if load_defaults else ()), *extra]
    for name in names:
        pm.register(_load(name), name=name)
    if "pytest" not in sys.modules:  # tests choose their plugins explicitly
        pm.load_setuptools_entrypoints("civicshield")
    return pm


def _load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(f"plugin {name!r} could not be loaded: {exc}") from exc


def detector_registry(pm: pluggy.PluginManager, *,
                      disabled: Iterable[str] = ()) -> DetectorRegistry:
    """Every detector the plugins offer, minus the disabled ones."""
    registry = DetectorRegistry(disabled=disabled)
    for batch in reversed(pm.hook.civicshield_detectors()):
        for detector in batch:
            registry.add(detector)
    return registry


T = TypeVar("T")


def _unique(batches: Iterable[Iterable[T]], name_of: Callable[[T], str], what: str) -> dict[str, T]:
    """Plugins' offerings by name (the later plugin first, as pluggy calls them); two plugins
    claiming one name is a configuration error."""
    found: dict[str, T] = {}
    for batch in reversed(list(batches)):
        for item in batch:
            name = name_of(item)
            if name in found:
                raise ConfigError(f"two plugins claim the {what} {name!r}")
            found[name] = item
    return found


def importers(pm: pluggy.PluginManager) -> dict[str, Importer]:
    """Importers by format name; two plugins claiming one name is a configuration error."""
    return _unique(pm.hook.civicshield_importers(), lambda i: i.fmt, "format")


def live_sources(pm: pluggy.PluginManager) -> dict[str, LiveKind]:
    """Live source kinds by name; two plugins claiming one kind is a configuration error."""
    return _unique(pm.hook.civicshield_live_sources(), lambda k: k.kind, "live source kind")
