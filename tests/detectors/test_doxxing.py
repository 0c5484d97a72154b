"""Doxxing: the wording of doxxing without a profile, and the protected profile's identifiers."""

from __future__ import annotations

import pytest

from civicshield.detectors.doxxing import DoxxingPatternDetector, ProfileMatchDetector
from tests.conftest import PROFILE
from tests.detectors.helpers import labels, run

MATCHER = ProfileMatchDetector()

SEEDED = [
    ("She lives at 4127 Larkspur Ln Apt 2B.", "home address"),
    ("4127 Larkspur Lane #2B, go say hi", "home address"),
    ("4127 larkspur", "home address"),
    ("call (916) 555-0143", "phone"),
    ("call 916.555.0143 now", "phone"),
    ("+1 916 555 0143", "phone"),
    ("write to ELENA.MARSH.HOME@example.net", "email"),
    ("Daniel Marsh works downtown", "family"),
    ("her kid is at Oakwood Elementary", "school"),
    ("plate 8ABC123", "plate"),
    ("plate 8ABC 123", "plate"),
    ("plate 8-ABC-123", "plate"),
]

DECOYS = [
    "4129 Larkspur Ln is for sale",  # same street, another number
    "Come to City Hall, 100 Civic Center Plaza",
    "call the city at (916) 555-0100",
    "Elena Marsh spoke at the budget hearing",  # the public name is not private
    "Mayor Marsh announced a new park",
    "Daniel Ortega was in the news",
    "Oakwood Avenue is closed",
    "plate 8ABC124",
    "larkspur flowers are blooming",
]


@pytest.mark.parametrize(("text", "why_word"), SEEDED)
def test_profile_identifiers_are_found_in_their_variants(text: str, why_word: str) -> None:
    found = run(MATCHER, text, PROFILE)
    assert found, text
    assert any(why_word in f.why for f in found)
    assert all(f.label == "doxxing" and f.score >= 0.5 for f in found)


@pytest.mark.parametrize("text", DECOYS)
def test_decoys_do_not_match(text: str) -> None:
    assert run(MATCHER, text, PROFILE) == []


def test_reasons_do_not_repeat_the_private_data() -> None:
    for text, _ in SEEDED:
        for finding in run(MATCHER, text, PROFILE):
            assert "4127" not in finding.why and "555" not in finding.why


def test_no_profile_means_no_profile_findings() -> None:
    assert run(MATCHER, "She lives at 4127 Larkspur Ln") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("She lives at 1200 Birch Street, go tell her", {"doxxing"}),
    ("the mayor's home address is 55 Elm Rd", {"doxxing"}),
    ("Her cell number is 415-555-0199", {"doxxing"}),
    ("her kids go to Lincoln Park Elementary", {"doxxing"}),
    ("City hall is at 100 Civic Center Plaza", set()),
    ("Call the clerk at 415-555-0100", set()),
])
def test_doxxing_wording_without_a_profile(text: str, expected: set[str]) -> None:
    assert labels(DoxxingPatternDetector(), text) == expected
