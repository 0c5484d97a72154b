"""An example third-party plugin: a detector that flags a word list the office chooses.

Load it with CIVICSHIELD_PLUGINS=tests.example_plugin (or list it in the `civicshield`
entry-point group of an installed package).
"""

from __future__ import annotations

from collections.abc import Sequence

from civicshield.domain.detection import DetectionInput, Detector
from civicshield.domain.models import Finding
from civicshield.hookspecs import hookimpl


class CodewordDetector:
    """Flags the office's own code word for a known stalker's campaign."""

    name = "example-codeword"
    version = "1"
    labels: tuple[str, ...] = ("harassment",)

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """A finding wherever the code word appears."""
        out = []
        for item in batch:
            at = item.text.lower().find("operation larkspur")
            out.append([] if at < 0 else [Finding(self.name, self.version, "harassment", 0.9,
                                                  "names a known harassment campaign",
                                                  (at, at + 18))])
        return out


@hookimpl
def civicshield_detectors() -> list[Detector]:
    """Register the example detector."""
    return [CodewordDetector()]
