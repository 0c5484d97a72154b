"""The identifier matcher: every written variant of the profile's data, and no decoy.

The cases live in cases/doxxing_variants.json, which `make eval` also reports on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicshield.detectors.identifiers import IdentifierMatcher, words_to_number
from civicshield.domain.profile import ProtectedProfile

DATA = json.loads((Path(__file__).parent / "cases" / "doxxing_variants.json").read_text("utf-8"))
MATCHER = IdentifierMatcher(ProtectedProfile.from_dict(DATA["profile"]))
SEEDED = [(c["text"], c["kind"]) for c in DATA["cases"] if c["doxxing"]]
DECOYS = [c["text"] for c in DATA["cases"] if not c["doxxing"]]


@pytest.mark.parametrize(("text", "kind"), SEEDED)
def test_every_seeded_variant_is_found_as_its_kind(text: str, kind: str) -> None:
    found = MATCHER.find(text)
    assert kind in {m.kind for m in found}, text
    for match in found:
        assert 0 <= match.span[0] < match.span[1] <= len(text)
        assert match.confidence >= 0.5


@pytest.mark.parametrize("text", DECOYS)
def test_no_decoy_matches(text: str) -> None:
    assert MATCHER.find(text) == []


@pytest.mark.parametrize(("text", "covered"), [
    ("She lives at 4127 Larkspur Ln Apt 2B.", "4127 Larkspur Ln Apt 2B"),
    ("forty-one twenty-seven Larkspur Lane, look", "forty-one twenty-seven Larkspur Lane"),
    ("call (916) 555-0143", "(916) 555-0143"),
    ("plate 8-ABC-123 spotted", "8-ABC-123"),
])
def test_spans_cover_the_whole_identifier(text: str, covered: str) -> None:
    spans = [text[m.span[0]:m.span[1]] for m in MATCHER.find(text)]
    assert covered in spans


@pytest.mark.parametrize(("words", "value"), [
    ("forty-one twenty-seven", 4127),
    ("four one two seven", 4127),
    ("four thousand one hundred twenty seven", 4127),
    ("twelve", 12),
    ("nineteen oh five", 1905),
])
def test_numbers_in_words(words: str, value: int) -> None:
    assert value in words_to_number(words)


def test_words_that_are_not_numbers_give_nothing() -> None:
    assert words_to_number("four score") == set()


def test_reasons_never_repeat_the_private_data() -> None:
    for text, _ in SEEDED:
        for match in MATCHER.find(text):
            assert not any(part in match.why.lower() for part in
                           ("4127", "larkspur", "555", "daniel", "sofia", "oakwood", "8abc"))


def test_an_empty_profile_matches_nothing() -> None:
    assert IdentifierMatcher(ProtectedProfile()).find("4127 Larkspur Ln, (916) 555-0143") == []
