"""The detector contract, the label set, and turning findings into scores and flags.

A detector is a small object with a ``name``, a ``version``, the ``labels`` it can emit and a
``detect`` method that maps a batch of inputs to a list of findings per input. Detectors are pure:
the same batch always yields the same findings, so batches can run in any process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from civicshield.domain.models import Finding
from civicshield.domain.profile import ProtectedProfile

LABELS: tuple[str, ...] = (
    "threat",
    "doxxing",
    "sexual_harassment",
    "identity_attack",
    "harassment",
    "insult",
    "spam",
    "not_analysed",
)

#: A label is flagged when its score reaches this threshold.
THRESHOLDS: dict[str, float] = dict.fromkeys(LABELS, 0.5)

#: How serious each label is when ranking the queue (1.0 = act first).
SEVERITY: dict[str, float] = {
    "threat": 1.0,
    "doxxing": 0.95,
    "sexual_harassment": 0.8,
    "identity_attack": 0.75,
    "harassment": 0.6,
    "insult": 0.4,
    "spam": 0.1,
    "not_analysed": 0.5,  # a person must read it: the detectors could not
}

#: How each label is shown to staff.
LABEL_NAMES: dict[str, str] = {label: label.replace("_", " ") for label in LABELS} | {
    "not_analysed": "not analysed: language"}

#: Threat-assessment cues (a weapon, a time or place, the home or family, ...) are context, never a
#: flag on their own: each distinct cue adds CUE_BOOST to a threat score already at CUE_FLOOR.
CUE_FLOOR = 0.35
CUE_BOOST = 0.08

#: Labels whose text is blurred until a person chooses to read it.
ABUSIVE_LABELS = frozenset(LABELS) - {"spam", "not_analysed"}


@dataclass(frozen=True)
class DetectionInput:
    """One text to judge, with the profile of the person it was sent to, if known."""

    text: str
    profile: ProtectedProfile | None = None


@runtime_checkable
class Detector(Protocol):
    """What every detector offers."""

    name: str
    version: str
    labels: tuple[str, ...]

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """Return the findings for each input, in order."""
        ...


@dataclass(frozen=True)
class Verdict:
    """Scores per label, the labels at or over threshold, and the reasons."""

    scores: dict[str, float]
    flags: tuple[str, ...]
    findings: tuple[Finding, ...]
    cues: tuple[str, ...] = ()


class DetectorRegistry:
    """The detectors in use, switched on and off by configuration."""

    def __init__(self, detectors: Iterable[Detector] = (), *, disabled: Iterable[str] = ()) -> None:
        self._detectors: dict[str, Detector] = {}
        self._disabled = set(disabled)
        for detector in detectors:
            self.add(detector)

    def add(self, detector: Detector) -> None:
        """Register a detector; a second one with the same name is an error."""
        if detector.name in self._detectors:
            raise ValueError(f"two detectors are named {detector.name!r}")
        unknown = set(detector.labels) - set(LABELS)
        if unknown:
            raise ValueError(f"detector {detector.name!r} emits unknown labels {sorted(unknown)}")
        self._detectors[detector.name] = detector

    @property
    def active(self) -> list[Detector]:
        """Detectors that run, in registration order."""
        return [d for n, d in self._detectors.items() if n not in self._disabled]

    @property
    def signature(self) -> str:
        """Names and versions of the active detectors; changes when analysis must be redone."""
        return ",".join(f"{d.name}@{d.version}" for d in self.active)

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """Run every active detector over the batch and gather findings per input."""
        gathered: list[list[Finding]] = [[] for _ in batch]
        for detector in self.active:
            for found, into in zip(detector.detect(batch), gathered, strict=True):
                into.extend(found)
        return gathered


def verdict(findings: Sequence[Finding]) -> Verdict:
    """Combine findings into a score per label (the strongest finding wins) and flags.

    Cues count only in a hostile message: when the threat score is at CUE_FLOOR or another
    abusive label is flagged. Otherwise they are dropped, so "gun control" stays a plain message.
    The reasons kept are the findings of flagged labels (and the cues of a hostile message).
    """
    scores = dict.fromkeys(LABELS, 0.0)
    for finding in findings:
        if not finding.cue:
            scores[finding.label] = max(scores[finding.label], finding.score)
    hostile = scores["threat"] >= CUE_FLOOR or any(
        scores[label] >= THRESHOLDS[label] for label in ABUSIVE_LABELS)
    cues = tuple(dict.fromkeys(f.cue for f in findings if f.cue)) if hostile else ()
    if cues and scores["threat"] >= CUE_FLOOR:
        scores["threat"] = round(min(0.99, scores["threat"] + CUE_BOOST * len(cues)), 4)
    flags = tuple(label for label in LABELS if scores[label] >= THRESHOLDS[label])
    kept = [f for f in findings if (f.cue and cues) or (not f.cue and f.label in flags)]
    ordered = sorted(kept, key=lambda f: (bool(f.cue), -SEVERITY[f.label], -f.score))
    return Verdict(scores=scores, flags=flags, findings=tuple(ordered), cues=cues)


def priority(scores: dict[str, float]) -> float:
    """How urgently a message needs a person, 0 to 100, from its label scores."""
    worst = max((SEVERITY[label] * score for label, score in scores.items()
                 if score >= THRESHOLDS[label]), default=0.0)
    return round(100.0 * worst, 2)


def label_name(label: str) -> str:
    """A label as staff read it ("not analysed: language", "sexual harassment")."""
    return LABEL_NAMES.get(label, label.replace("_", " "))


#: The built-in detectors by the names staff read (plugins' detectors show their own name).
DETECTOR_NAMES: dict[str, str] = {
    "minilm-heads": "the trained language model",
    "threat-rules": "threat wording rules",
    "threat-cues": "threat-assessment signs",
    "doxxing-rules": "personal-data wording rules",
    "profile-match": "the protected person's own details",
    "sexual-harassment-rules": "sexual harassment wording rules",
    "identity-attack-rules": "identity attack wording rules",
    "harassment-rules": "harassment wording rules",
    "insult-rules": "insult wording rules",
    "spam-rules": "spam patterns",
    "language": "language check",
    "blocked-echo": "wording of a blocked sender",
}


def detector_name(detector: str) -> str:
    """A detector as staff read it ("the trained language model")."""
    return DETECTOR_NAMES.get(detector, detector.replace("-", " "))


def is_abusive(flags: Iterable[str]) -> bool:
    """True when any flag calls for blurring the text."""
    return any(flag in ABUSIVE_LABELS for flag in flags)
