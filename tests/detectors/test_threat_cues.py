"""Threat-assessment cues: named, explained, and never a flag on their own."""

from __future__ import annotations

import pytest

from civicshield.detectors.threat_cues import CUES, ThreatCueDetector
from civicshield.domain.detection import CUE_BOOST, verdict
from civicshield.domain.models import Finding
from tests.detectors.helpers import run

DETECTOR = ThreatCueDetector()


@pytest.mark.parametrize(("text", "cue"), [
    ("I'll bring my rifle", "weapon"),
    ("see you 🔫", "weapon"),
    ("at the council meeting tomorrow", "time_place"),
    ("your front door", "home_family"),
    ("I know where she sleeps", "home_family"),
    ("I followed you from the office", "movement"),
    ("every morning you jog past the lake", "movement"),
    ("I have nothing left to lose", "last_resort"),
    ("I'm done talking", "last_resort"),
    ("I told my brother I'm going to do it", "leakage"),
    ("everyone will know my name", "leakage"),
])
def test_each_cue_is_recognised_and_explained(text: str, cue: str) -> None:
    found = run(DETECTOR, text)
    assert cue in {f.cue for f in found}
    assert all(f.why == CUES[f.cue] and f.score < 0.5 for f in found)


def test_cues_alone_never_flag_and_are_dropped_from_a_calm_message() -> None:
    calm = "Gun safety week is at the council meeting tomorrow with your family"
    judged = verdict(run(DETECTOR, calm))
    assert judged.flags == () and judged.cues == () and judged.findings == ()


def test_cues_raise_a_threat_near_the_line_and_become_reasons() -> None:
    model = Finding("minilm-heads", "x", "threat", 0.42, "reads as a threat")
    cues = run(DETECTOR, "nothing left to lose, I'll bring my rifle to your house tonight")
    judged = verdict([model, *cues])
    assert set(judged.cues) == {"last_resort", "weapon", "home_family", "time_place"}
    assert judged.scores["threat"] == pytest.approx(0.42 + 4 * CUE_BOOST)
    assert "threat" in judged.flags
    assert judged.findings[0] == model  # the main reason first, cues after
