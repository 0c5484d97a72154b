"""Registers the built-in detectors."""

from __future__ import annotations

from civicshield.detectors.doxxing import DoxxingPatternDetector, ProfileMatchDetector
from civicshield.detectors.harassment import HarassmentDetector
from civicshield.detectors.identity_attack import IdentityAttackDetector
from civicshield.detectors.insult import InsultDetector
from civicshield.detectors.language import LanguageDetector
from civicshield.detectors.model import ModelDetector
from civicshield.detectors.sexual_harassment import SexualHarassmentDetector
from civicshield.detectors.spam import SpamDetector
from civicshield.detectors.threat import ThreatDetector
from civicshield.detectors.threat_cues import ThreatCueDetector
from civicshield.domain.detection import Detector
from civicshield.hookspecs import hookimpl


@hookimpl
def civicshield_detectors() -> list[Detector]:
    """The built-in detectors: the trained model, rules, threat cues, the profile matcher and the
    language check."""
    return [ModelDetector(), ThreatDetector(), ThreatCueDetector(), DoxxingPatternDetector(),
            ProfileMatchDetector(),
            SexualHarassmentDetector(), IdentityAttackDetector(), HarassmentDetector(),
            InsultDetector(), SpamDetector(), LanguageDetector()]
