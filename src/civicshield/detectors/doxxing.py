"""Doxxing: posting where the official lives, their private phone, or where their children are.

Two detectors live here. ``DoxxingPatternDetector`` needs nothing but the text and catches the
typical shape of doxxing ("she lives at 12 Oak St"). ``ProfileMatchDetector`` compares the text
with the protected profile, so it also catches a bare address, phone, email, family name, school
or plate that the profile says is private.
"""

from __future__ import annotations

from collections.abc import Sequence

from civicshield.detectors.identifiers import for_profile
from civicshield.detectors.rules import Rule, RuleDetector
from civicshield.domain.detection import DetectionInput
from civicshield.domain.models import Finding
from civicshield.domain.profile import ProtectedProfile

_WHO = r"(?:she|he|they|the mayor|mayor \w+|her|his|their|the mayor's)"


class DoxxingPatternDetector(RuleDetector):
    """Rules for the usual wording of doxxing, without knowing the real data."""

    name = "doxxing-rules"
    version = "1"
    rules = (
        Rule("doxxing", rf"\b(?:{_WHO}\s+(?:lives?|is living|stays?)\s+(?:at|on)|(?:her|his|their"
             r"|the mayor'?s) (?:home |house |real |private )?address(?: is)?|home address:?)"
             r"\s*:?\s*\d{1,6}\s+\w+",
             0.8, "gives a street address as where the person lives", lookalikes=False),
        Rule("doxxing", r"\b(?:her|his|their|mayor'?s?)\s+(?:personal |cell |private |home |real )?"
             r"(?:number|phone|cell)(?: number)?(?: is)?\s*:?\s*(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]*"
             r"\d{3}[\s.-]*\d{4}",
             0.8, "posts a phone number said to be the person's", lookalikes=False),
        Rule("doxxing", r"\b(?:her|his|their) (?:kids?|children|son|daughter)s?\s+(?:go(?:es)? to"
             r"|attends?|is at|are at)\s+\w+(?:\s+\w+)?\s+(?:elementary|middle|high|school|academy"
             r"|prep|montessori|daycare)",
             0.75, "names the school of the person's children", lookalikes=False),
        Rule("doxxing", r"\b(?:here(?:'s| is) where (?:she|he|they) lives?|drop (?:her|his|their) "
             r"address|pay (?:her|him|them) a visit at home|everyone should know where (?:she|he) "
             r"lives)\b",
             0.7, "invites others to find or visit the person's home", lookalikes=False),
    )


class ProfileMatchDetector:
    """Finds the protected profile's private identifiers in a message."""

    name = "profile-match"
    version = "2"
    labels: tuple[str, ...] = ("doxxing",)

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """Findings per input; inputs without a profile get none."""
        return [self.detect_one(item.text, item.profile) if item.profile else []
                for item in batch]

    def detect_one(self, text: str, profile: ProtectedProfile) -> list[Finding]:
        """Findings for one text against one profile."""
        return [Finding(self.name, self.version, "doxxing", m.confidence, m.why, m.span)
                for m in for_profile(profile).find(text)]
