"""Run one detector on one text."""

from __future__ import annotations

from civicshield.domain.detection import DetectionInput, Detector
from civicshield.domain.models import Finding
from civicshield.domain.profile import ProtectedProfile


def run(detector: Detector, text: str, profile: ProtectedProfile | None = None) -> list[Finding]:
    (found,) = detector.detect([DetectionInput(text=text, profile=profile)])
    return found


def labels(detector: Detector, text: str, profile: ProtectedProfile | None = None) -> set[str]:
    """Labels whose score reaches the flag threshold."""
    return {f.label for f in run(detector, text, profile) if f.score >= 0.5}
