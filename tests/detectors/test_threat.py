"""Threat rules: table-driven, with the hard negatives that lawful politics produces."""

from __future__ import annotations

import pytest

from civicshield.detectors.threat import ThreatDetector
from tests.detectors.helpers import labels, run

DETECTOR = ThreatDetector()

THREATS = [
    ("I will kill you", "explicit"),
    ("We're going to hurt your family", "explicit"),
    ("i'm gonna shoot the mayor", "explicit"),
    ("I will k1ll you", "explicit"),  # look-alike digits
    ("Someone should shoot her.", "incitement"),
    ("people need to hang that traitor", "incitement"),
    ("Kill yourself.", "harm themself"),
    ("kys", "harm themself"),
    ("I hope you die in a fire", "wishes harm"),
    ("She deserves to be shot", "deserves"),
    ("We know where you live.", "veiled"),
    ("I know where your kids go to school", "family"),
    ("Would be a shame if something happened to your family.", "veiled"),
    ("Watch your back.", "warning"),
    ("Your days are numbered", "warning"),
    ("See you at your house tonight", "home"),
    ("Pass this and you won't see the next election", "conditional"),
    ("Your kids walk home alone from school, don't they?", "children"),
    ("There's a bullet with your name on it", "weapon"),
    ("🔫 coming for you mayor", "emoji"),
    ("you're d-e-a-d", "disguised"),
    ("Keep talking and I will blow your head off", "injure the person's body"),
    ("im gonna smash your face in", "injure the person's body"),
    ("We'll put one in your head", "injure the person's body"),
    ("I'll kill you and then everyone in the election office", "intend to hurt"),
    ("she does deserve to get raped", "deserves"),
    ("Go die in a fire", "go and die"),
]

LAWFUL = [
    "Kill the bill!",
    "This ordinance should be killed in committee.",
    "We'll destroy you at the ballot box.",
    "Your transit plan is dead on arrival.",
    "The Tigers killed it last night.",
    "That taco truck is to die for.",
    "I'd kill for a decent bus schedule.",
    "This proposal should be shot down.",
    "We will fight this ordinance with everything we've got.",
    "Blow up the zoning code and start over.",
    "Someone should vote her out.",
    "I hope you lose in November.",
    "You are killing small businesses with this parking policy.",
    "The council is hanging by a thread on this vote.",
    "Our gun policy debate needs facts, not slogans.",
    "We're going to cut your funding if you keep this up.",  # "cut you" is not "cut your ..."
    "I will break your record at the 5k.",
    "I'm not going to hurt you, I want answers about the budget.",
    "We will never hurt you, mayor; we will vote you out.",
    "I'm going to break your heart with these budget numbers.",
    "We will cut your legs out from under you at the council vote.",
    "I'll beat you in the primary.",  # harm aimed at an election, not a person
    "We will hurt you at the ballot box, mayor.",
    "I will kill you in the next election.",
    "You deserve to be beaten in November.",
    "Go die on that hill if you want, we'll outvote you.",
    "He should get shot down in the primary.",
]


@pytest.mark.parametrize(("text", "why_word"), THREATS)
def test_threats_are_flagged_with_a_reason(text: str, why_word: str) -> None:
    found = [f for f in run(DETECTOR, text) if f.score >= 0.5]
    assert found, text
    assert any(why_word in f.why for f in found), [f.why for f in found]
    assert all(f.span and f.span[0] < f.span[1] <= len(text) for f in found)


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_political_speech_is_not_a_threat(text: str) -> None:
    assert "threat" not in labels(DETECTOR, text)


def test_span_points_at_the_threatening_words() -> None:
    text = "Budget is bad. We know where you live. Bye."
    (finding,) = run(DETECTOR, text)
    assert text[finding.span[0]:finding.span[1]] == "We know where you live"  # type: ignore[index]


def test_findings_name_detector_and_version() -> None:
    (finding,) = run(DETECTOR, "I will kill you")
    assert (finding.detector, finding.version, finding.label) == ("threat-rules", "6", "threat")
