"""The project's own labelled sets, run through the full detector stack (table-driven).

Hard negatives are lawful, harsh political speech, idioms, quotes and news that must not be
flagged as a threat or harassment; the threats set holds explicit, veiled, conditional, incitement,
wishes of harm, urging self-harm, disguised spellings and messages with assessment cues.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicshield.detectors.plugin import civicshield_detectors
from civicshield.domain.detection import DetectionInput, DetectorRegistry, verdict

CASES = Path(__file__).parent / "cases"
STACK = DetectorRegistry(civicshield_detectors())

#: Lawful messages the current model still flags, listed so that the table stays honest: each is
#: an expected failure, and one that starts passing fails the suite until it is taken off the list.
#: Lawful messages the model retrained on 2026-12-01 (broad data, issue 14) flags as threats:
#: measured, not hidden (docs/evaluation.md counts them; strict, so a fix shows up here).
KNOWN_FALSE_ALARMS: set[str] = {
    "I wish you would just listen to residents for once.",
    "Cut your own salary before you cut the library.",
    "You want a war over parking? You've got one, see you at the hearing.",
    "The police chief must go. The mayor must go too.",
    "Her housing bill will be dead by Friday if the council stalls.",
}


def _read(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (CASES / name).read_text("utf-8").splitlines() if line]


def _flags(text: str) -> set[str]:
    return set(verdict(STACK.detect([DetectionInput(text)])[0]).flags)


NEGATIVES = _read("hard_negatives.jsonl")


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="known false alarm"))
    if c["text"] in KNOWN_FALSE_ALARMS else c for c in NEGATIVES], ids=lambda c: c["text"][:40])
def test_lawful_speech_is_not_flagged_as_threat_or_harassment(case: dict[str, str]) -> None:
    assert {"threat", "harassment"}.isdisjoint(_flags(case["text"]))


def test_at_most_five_percent_of_lawful_speech_is_flagged() -> None:
    assert len(KNOWN_FALSE_ALARMS) <= 0.05 * len(NEGATIVES)
    assert {c["text"] for c in NEGATIVES} >= KNOWN_FALSE_ALARMS


def test_lawful_speech_is_rarely_flagged_with_any_label() -> None:
    """Insults and identity attacks count too: "Kill the bill!" is not an insult."""
    flagged = [c["text"] for c in NEGATIVES if _flags(c["text"])]
    assert len(flagged) <= 0.05 * len(NEGATIVES), flagged


@pytest.mark.parametrize("case", _read("threats.jsonl"), ids=lambda c: c["text"][:40])
def test_threats_are_flagged(case: dict[str, str]) -> None:
    assert "threat" in _flags(case["text"])
