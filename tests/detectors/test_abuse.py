"""Harassment, sexual harassment, identity attacks, insults and spam: table-driven."""

from __future__ import annotations

import pytest

from civicshield.detectors.harassment import HarassmentDetector
from civicshield.detectors.identity_attack import IdentityAttackDetector
from civicshield.detectors.insult import InsultDetector
from civicshield.detectors.plugin import civicshield_detectors
from civicshield.detectors.sexual_harassment import SexualHarassmentDetector
from civicshield.detectors.spam import SpamDetector
from civicshield.domain.detection import DetectorRegistry
from tests.detectors.helpers import labels

CASES = [
    (HarassmentDetector(), "You are pathetic and worthless.", {"harassment"}),
    (HarassmentDetector(), "Shut up, nobody wants you.", {"harassment"}),
    (HarassmentDetector(), "Go back to the kitchen, sweetheart.", {"harassment"}),
    (HarassmentDetector(), "Women can't run a city.", {"harassment"}),
    (HarassmentDetector(), "Smile more, sweetheart", {"harassment"}),
    (HarassmentDetector(), "what a b1tch", {"harassment"}),
    (HarassmentDetector(), "The council should answer our questions.", set()),
    (HarassmentDetector(), "Women can run for office too, register by Friday.", set()),
    (SexualHarassmentDetector(), "Nice legs at the ribbon cutting. Send nudes.",
     {"sexual_harassment"}),
    (SexualHarassmentDetector(), "Bet you slept with her to get the vote", {"sexual_harassment"}),
    (SexualHarassmentDetector(), "You're so hot when you're angry", {"sexual_harassment"}),
    (SexualHarassmentDetector(), "It is hot in council chambers, fix the AC", set()),
    (SexualHarassmentDetector(), "The hot topic tonight is the budget", set()),
    (IdentityAttackDetector(), "Immigrants are vermin.", {"identity_attack"}),
    (IdentityAttackDetector(), "Go back to where you came from.", {"identity_attack"}),
    (IdentityAttackDetector(), "Deport all the muslims", {"identity_attack"}),
    (IdentityAttackDetector(), "Immigrants are an important part of our workforce.", set()),
    (IdentityAttackDetector(), "You people at city hall never answer.", set()),
    (InsultDetector(), "What an idiot.", {"insult"}),
    (InsultDetector(), "You're such a clown", {"insult"}),
    (InsultDetector(), "You lied about the budget, liar.", set()),  # criticism is not flagged
    (SpamDetector(), "Earn $500 a day working from home, click the link in my bio",
     {"spam"}),
    (SpamDetector(), "see https://a.example https://b.example and https://c.example", {"spam"}),
    (SpamDetector(), "Agenda: https://riverton.example/agenda", set()),
]


@pytest.mark.parametrize(("detector", "text", "expected"), CASES,
                         ids=[f"{type(d).__name__}:{t[:30]}" for d, t, _ in CASES])
def test_labels(detector: object, text: str, expected: set[str]) -> None:
    assert labels(detector, text) == expected  # type: ignore[arg-type]


def test_every_builtin_detector_has_name_version_and_known_labels() -> None:
    registry = DetectorRegistry(civicshield_detectors())
    assert len(registry.active) == 11
    names = [d.name for d in registry.active]
    assert len(set(names)) == len(names)
    assert all(d.version for d in registry.active)


def test_registry_switches_detectors_off_by_name() -> None:
    registry = DetectorRegistry(civicshield_detectors(), disabled=["spam-rules"])
    assert "spam-rules" not in registry.signature
    assert "threat-rules@6" in registry.signature


def test_registry_refuses_duplicate_names() -> None:
    with pytest.raises(ValueError, match="two detectors"):
        DetectorRegistry([SpamDetector(), SpamDetector()])


def test_a_repeated_text_is_answered_from_the_cache_with_the_same_findings() -> None:
    detector = HarassmentDetector()
    text = "You are pathetic and worthless, sweetheart. (cache check 41c2)"
    first = detector.detect_one(text)
    first.append(first[0])  # callers get their own list: changing it changes nothing stored
    hits = detector._remembered.cache_info().hits
    again = detector.detect_one(text)
    assert detector._remembered.cache_info().hits == hits + 1
    assert again == first[:-1] and len(again) >= 1
    assert {f.label for f in again} == {"harassment"}
