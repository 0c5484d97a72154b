"""Undoing disguised spellings before the model reads a text; ordinary text is untouched."""

from __future__ import annotations

import pytest

from civicshield.detectors.normalise import normalise


@pytest.mark.parametrize(("text", "expected"), [
    ("I will k1ll you", "I will kill you"),
    ("you are d-e-a-d", "you are dead"),
    ("k i l l the mayor", "kill the mayor"),
    ("h@ng them", "hang them"),
    ("b!tch", "bitch"),
    ("1diot", "idiot"),
    ("s.h.o.o.t her", "shoot her"),
])
def test_disguises_are_undone(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize("text", [
    "meet at 4127 Larkspur at 7pm", "COVID19 update", "room 2B", "U.S.A. rocks",
    "I am a b c", "Hello! there", "a-b test", "call 916-555-0143",
])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert normalise(text) == text
