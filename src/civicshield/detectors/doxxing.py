"""Doxxing: posting where the official lives, their private phone, or where their children are.

Two detectors live here. ``DoxxingPatternDetector`` needs nothing but the text and catches the
typical shape of doxxing ("she lives at 12 Oak St"). ``ProfileMatchDetector`` compares the text
with the protected profile, so it also catches a bare address, phone, email, family name, school
or plate that the profile says is private.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

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


_SUFFIXES = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "lane": "ln",
    "drive": "dr", "court": "ct", "boulevard": "blvd", "place": "pl", "terrace": "ter",
    "circle": "cir", "parkway": "pkwy", "highway": "hwy", "way": "way", "trail": "trl",
}
_DIRECTIONS = r"(?:n|s|e|w|north|south|east|west|ne|nw|se|sw)\.?"
_PLATE = re.compile(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{5,9}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}")


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    why: str
    score: float


def _address_pattern(address: str) -> re.Pattern[str] | None:
    """Number plus street name, tolerating directionals, suffix forms and case."""
    first_line = address.split(",")[0].strip()
    match = re.match(rf"(\d+[a-z]?)\s+(?:{_DIRECTIONS}\s+)?(.+)", first_line, re.IGNORECASE)
    if not match:
        return None
    number, rest = match.groups()
    words = [w for w in re.split(r"\s+", rest) if w]
    core = [w for w in words if w.lower().rstrip(".") not in _SUFFIXES
            and w.lower().rstrip(".") not in _SUFFIXES.values()]
    name = core[0] if core else words[0]
    return re.compile(rf"\b{re.escape(number)}\s+(?:{_DIRECTIONS}\s+)?{re.escape(name)}\b",
                      re.IGNORECASE)


def _plate_pattern(vehicle: str) -> re.Pattern[str]:
    plate = _PLATE.search(vehicle)
    if plate is None:
        return re.compile(rf"\b{re.escape(vehicle)}\b", re.IGNORECASE)
    chars = [c for c in plate.group(0) if c.isalnum()]
    return re.compile(r"\b" + r"[\s-]?".join(map(re.escape, chars)) + r"\b", re.IGNORECASE)


def _words_pattern(text: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in text.split()]
    return re.compile(r"\b" + r"\s+".join(parts) + r"\b", re.IGNORECASE)


@lru_cache(maxsize=64)
def _matchers(profile: ProtectedProfile) -> tuple[_Matcher, ...]:
    found: list[_Matcher] = []
    if profile.home_address and (address := _address_pattern(profile.home_address)):
        found.append(_Matcher(address, "reveals the official's home address", 0.97))
    found += [_Matcher(re.compile(re.escape(e), re.IGNORECASE),
                       "reveals the official's personal email", 0.95) for e in profile.emails]
    found += [_Matcher(_words_pattern(n), "names a member of the official's family", 0.8)
              for n in profile.family]
    found += [_Matcher(_words_pattern(s), "names a school the official's children attend", 0.88)
              for s in profile.schools]
    found += [_Matcher(_plate_pattern(v), "reveals the official's vehicle or plate", 0.9)
              for v in profile.vehicles]
    return tuple(found)


@lru_cache(maxsize=64)
def _phone_digits(profile: ProtectedProfile) -> frozenset[str]:
    return frozenset(re.sub(r"\D", "", p)[-10:] for p in profile.phones if p)


class ProfileMatchDetector:
    """Finds the protected profile's private identifiers in a message."""

    name = "profile-match"
    version = "1"
    labels: tuple[str, ...] = ("doxxing",)

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """Findings per input; inputs without a profile get none."""
        return [self.detect_one(item.text, item.profile) if item.profile else []
                for item in batch]

    def detect_one(self, text: str, profile: ProtectedProfile) -> list[Finding]:
        """Findings for one text against one profile."""
        found = [Finding(self.name, self.version, "doxxing", m.score, m.why, match.span())
                 for m in _matchers(profile) for match in m.pattern.finditer(text)]
        phones = _phone_digits(profile)
        if phones:
            found += [Finding(self.name, self.version, "doxxing", 0.96,
                              "reveals the official's private phone number", match.span())
                      for match in _PHONE.finditer(text)
                      if re.sub(r"\D", "", match.group(0))[-10:] in phones]
        return found
