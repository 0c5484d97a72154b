"""A detector made of regular-expression rules, each with a label, a score and a plain reason.

Rules run on a lower-cased view of the text where common look-alike characters are read as
letters ("K1ll" reads as "kill"). The view keeps every character's position, so spans point into
the original text; the rare text whose lower-casing changes its length is matched ignoring case.
A text seen again (a copied message, a repeated reply) is answered from a small cache, and a
text that no rule matches is passed over after one search for all of them together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from civicshield.detectors.idioms import election_idiom_spans
from civicshield.detectors.reported import inside, reported_spans
from civicshield.domain.detection import DetectionInput
from civicshield.domain.models import Finding

_LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                             "@": "a", "$": "s", "’": "'", "‘": "'"})

#: Most spans one rule reports in one message.
MAX_SPANS_PER_RULE = 5
#: Distinct texts whose findings each rule detector remembers.
CACHE_SIZE = 4096


def _lower(text: str) -> str:
    """Lower-case when that keeps every position; otherwise the text as it is."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


@lru_cache(maxsize=2048)
def lookalike_view(text: str) -> str:
    """Read digits and symbols that stand in for letters as those letters (same length)."""
    return _lower(text).translate(_LOOKALIKES)


@lru_cache(maxsize=2048)
def plain_view(text: str) -> str:
    """Only unify curly apostrophes (same length); digits stay digits."""
    return _lower(text).replace("’", "'").replace("‘", "'")


def _overlaps(span: tuple[int, int] | None, spans: list[tuple[int, int]]) -> bool:
    return span is not None and any(s < span[1] and span[0] < e for s, e in spans)


@dataclass(frozen=True)
class Rule:
    """One pattern: what it means (label, score) and why, in words a chief of staff reads."""

    label: str
    pattern: str
    score: float
    why: str
    lookalikes: bool = True


class RuleDetector:
    """Runs a fixed list of rules; subclasses set ``name``, ``version`` and ``rules``."""

    name: str = "rules"
    version: str = "1"
    rules: tuple[Rule, ...] = ()
    #: Ignore matches inside a quotation the writer reports or condemns (see reported.py).
    skip_reported: bool = False
    #: Ignore matches that overlap harm aimed at an election ("kill you in the election").
    skip_election_idioms: bool = False
    #: Search for all rules at once first and stop there when none matches (most texts match
    #: none). A detector whose rules are faster one by one than joined turns this off.
    screen: bool = True

    def __init__(self) -> None:
        self.labels: tuple[str, ...] = tuple(dict.fromkeys(r.label for r in self.rules))
        self._compiled = [(rule, re.compile(rule.pattern), re.compile(rule.pattern, re.IGNORECASE))
                          for rule in self.rules]
        self._remembered = lru_cache(maxsize=CACHE_SIZE)(self._findings)
        #: Per view (lookalikes or plain): all its rules joined, exact and ignoring case.
        self._screens: dict[bool, tuple[re.Pattern[str], re.Pattern[str]]] = {}
        for view in (True, False) if self.screen else ():
            patterns = [f"(?:{r.pattern})" for r in self.rules if r.lookalikes == view]
            if patterns:
                joined = "|".join(patterns)
                self._screens[view] = (re.compile(joined), re.compile(joined, re.IGNORECASE))

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """Return every rule match as a finding, per input."""
        return [self.detect_one(item.text) for item in batch]

    def detect_one(self, text: str) -> list[Finding]:
        """Findings for one text (findings are immutable, so a repeated text shares them)."""
        return list(self._remembered(text))

    def _findings(self, text: str) -> tuple[Finding, ...]:
        views = {True: lookalike_view(text), False: plain_view(text)}
        lowered = len(text.lower()) == len(text)
        if self._screens and not any((exact if lowered else ignoring_case).search(views[view])
                                     for view, (exact, ignoring_case) in self._screens.items()):
            return ()
        found: list[Finding] = []
        for rule, exact, ignoring_case in self._compiled:
            regex = exact if lowered else ignoring_case
            for n, match in enumerate(regex.finditer(views[rule.lookalikes])):
                if n == MAX_SPANS_PER_RULE:
                    break
                found.append(Finding(detector=self.name, version=self.version, label=rule.label,
                                     score=rule.score, why=rule.why, span=match.span()))
        if self.skip_reported and found:
            quoted = reported_spans(text)
            found = [f for f in found if not inside(f.span, quoted)]
        if self.skip_election_idioms and found:
            elections = election_idiom_spans(views[False])
            found = [f for f in found if not _overlaps(f.span, elections)]
        return tuple(found)
