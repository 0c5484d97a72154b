"""Reported speech and violent idioms: neither is the writer's threat; own threats still are."""

from __future__ import annotations

import pytest

from civicshield.detectors.idioms import idiom_spans, without_idioms
from civicshield.detectors.reported import reported_spans, without_reported
from civicshield.detectors.threat import ThreatDetector
from tests.detectors.helpers import labels

RULES = ThreatDetector()


@pytest.mark.parametrize(("text", "hidden"), [
    ("Someone wrote 'I will kill you' under the post. That is disgusting.", "I will kill you"),
    ('The letter said "you will pay for this" and went to police.', "you will pay for this"),
    ("My neighbor said someone should hurt the mayor.", "someone should hurt the mayor"),
])
def test_reported_words_are_found_and_left_out(text: str, hidden: str) -> None:
    spans = reported_spans(text)
    assert any(hidden in text[s:e] for s, e in spans)
    assert hidden not in without_reported(text)
    assert "threat" not in labels(RULES, text)


@pytest.mark.parametrize("text", [
    "I will kill you, don't test me",
    "I said I will kill you and I meant it",
    "Everyone says you should die",
])
def test_the_writers_own_words_are_not_reported_speech(text: str) -> None:
    assert reported_spans(text) == []
    assert without_reported(text) == text
    assert "threat" in labels(RULES, text)


def test_a_quote_without_a_reporting_frame_stays_the_writers() -> None:
    text = "Mayor: 'you should be shot' is what I think."
    assert reported_spans(text) == []


@pytest.mark.parametrize(("text", "kept"), [
    ("Kill the bill. Call your council member today.", "Call your council member"),
    ("We'll destroy you at the ballot box in November.", "in November"),
    ("Time to take a hatchet to the parking fees.", "Time to"),
    ("This budget is dead on arrival.", "This budget is"),
    ("This chili will blow your head off, in a good way.", "in a good way"),
    ("I'll beat you in the primary, mayor.", "mayor"),
    ("We will cut your legs out from under you at the council vote.", "at the council vote"),
    ("Thank you for fighting for us on this every step of the way.", "Thank you for"),
])
def test_violent_idioms_aimed_at_things_are_neutralised(text: str, kept: str) -> None:
    plain = without_idioms(text)
    assert plain != text and kept in plain and "oppose that" in plain


@pytest.mark.parametrize("text", [
    "I will kill you", "Kill the bill's sponsor", "I'll blow your head off",
    "We will destroy you and your family", "Someone should kill the mayor",
    "I will kill her at the campaign office", "This gun will blow your head off",
    "I'll kill you and then everyone in the election office",
])
def test_harm_aimed_at_a_person_is_never_neutralised(text: str) -> None:
    assert idiom_spans(text) == []


@pytest.mark.parametrize(("text", "removed", "kept"), [
    ("He said she should be shot, so I called the police.", "she should be shot",
     "so I called the police"),
    ("My coworker said the mayor should be hanged but I think he is just angry.",
     "the mayor should be hanged", "but I think he is just angry"),
])
def test_only_the_reported_words_go_never_the_writers_own_clause(text: str, removed: str,
                                                                  kept: str) -> None:
    plain = without_reported(text)
    assert removed not in plain and kept in plain


@pytest.mark.parametrize("text", [
    "The bible says she deserves death.",
    "Everyone in town says she deserves death.",
    "As my neighbor says, she deserves to die.",
    "He said she should be shot, and I will do it myself.",
    "'Someone should shoot her.' Couldn't agree more.",
    "This is a promise, not a threat: 'you will die tonight'",
])
def test_words_the_writer_cites_or_endorses_stay_the_writers(text: str) -> None:
    assert reported_spans(text) == []
    assert without_reported(text) == text
