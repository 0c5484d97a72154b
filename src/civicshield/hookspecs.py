"""Every extension point of civicshield: one typed function with a one-line docstring each."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from civicshield.domain.detection import Detector
    from civicshield.domain.ports import Importer, LiveKind

hookspec = pluggy.HookspecMarker("civicshield")
hookimpl = pluggy.HookimplMarker("civicshield")


@hookspec
def civicshield_detectors() -> list[Detector]:
    """Return detectors to add to the registry."""
    raise NotImplementedError


@hookspec
def civicshield_importers() -> list[Importer]:
    """Return importers for file formats, each with a unique ``fmt`` name."""
    raise NotImplementedError


@hookspec
def civicshield_live_sources() -> list[LiveKind]:
    """Return kinds of live source (read as messages arrive), each with a unique ``kind``."""
    raise NotImplementedError
