"""Registers the built-in detectors."""

from __future__ import annotations

from civicshield.detectors.doxxing import DoxxingPatternDetector, ProfileMatchDetector
from civicshield.detectors.harassment import HarassmentDetector
from civicshield.detectors.identity_attack import IdentityAttackDetector
from civicshield.detectors.insult import InsultDetector
from civicshield.detectors.sexual_harassment import SexualHarassmentDetector
from civicshield.detectors.spam import SpamDetector
from civicshield.detectors.threat import ThreatDetector
from civicshield.domain.detection import Detector
from civicshield.hookspecs import hookimpl


@hookimpl
def civicshield_detectors() -> list[Detector]:
    """The built-in rule and profile detectors."""
    return [ThreatDetector(), DoxxingPatternDetector(), ProfileMatchDetector(),
            SexualHarassmentDetector(), IdentityAttackDetector(), HarassmentDetector(),
            InsultDetector(), SpamDetector()]
