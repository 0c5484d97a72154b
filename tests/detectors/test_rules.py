"""The rule engine: searching for all of a detector's rules at once never changes its findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicshield.demo.generate import synthetic_records
from civicshield.detectors.plugin import civicshield_detectors
from civicshield.detectors.rules import RuleDetector

CASES = Path(__file__).parent / "cases"


def _texts() -> list[str]:
    texts = [r["text"] for r in synthetic_records(1500)]
    for name in ("threats.jsonl", "hard_negatives.jsonl"):
        lines = (CASES / name).read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line.strip()]
    doxxing = json.loads((CASES / "doxxing_variants.json").read_text(encoding="utf-8"))
    texts += [case["text"] for case in doxxing["cases"]]
    texts += ["İSTANBUL İS CALLİNG: I WİLL KİLL YOU", "K1LL YOURSELF", ""]  # lower() changes length
    return texts


RULE_DETECTORS = [d for d in civicshield_detectors() if isinstance(d, RuleDetector)]


@pytest.mark.parametrize("detector", RULE_DETECTORS, ids=lambda d: d.name)
def test_the_joined_screen_finds_exactly_what_the_rules_find_one_by_one(
        detector: RuleDetector) -> None:
    unscreened = type(detector)()
    unscreened._screens = {}
    texts = _texts()
    screened_found = [detector._findings(t) for t in texts]
    assert screened_found == [unscreened._findings(t) for t in texts]
    if detector.screen:
        assert detector._screens, "a screening detector has its joined patterns"
        assert any(screened_found) and not all(screened_found)
