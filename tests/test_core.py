"""The domain core: verdicts, priority, escalation, the pipeline's pure steps, profiles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from civicshield.detectors.plugin import civicshield_detectors
from civicshield.domain import pipeline
from civicshield.domain.detection import DetectorRegistry, priority, verdict
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.escalation import MessageSummary, assess
from civicshield.domain.models import Finding, RiskLevel
from civicshield.domain.profile import ProtectedProfile
from tests.conftest import PROFILE
from tests.factories import draft

REGISTRY = DetectorRegistry(civicshield_detectors())


def test_verdict_takes_the_strongest_finding_per_label_and_orders_by_severity() -> None:
    findings = [Finding("a", "1", "insult", 0.6, "x"), Finding("b", "1", "insult", 0.4, "y"),
                Finding("c", "1", "threat", 0.9, "z"), Finding("d", "1", "spam", 0.2, "w")]
    judged = verdict(findings)
    assert judged.scores["insult"] == 0.6 and judged.scores["spam"] == 0.2
    assert judged.flags == ("threat", "insult")
    assert judged.findings[0].label == "threat"
    assert set(judged.scores) >= {"threat", "harassment", "sexual_harassment", "identity_attack",
                                  "insult", "doxxing", "spam"}


def test_priority_ranks_threats_above_insults_and_ignores_unflagged() -> None:
    assert priority({"threat": 0.9, "insult": 0.9}) == 90.0
    assert priority({"insult": 0.6}) == pytest.approx(24.0)
    assert priority({"threat": 0.4}) == 0.0


def _history(*entries: tuple[int, str, tuple[str, ...], float, bool]) -> list[MessageSummary]:
    start = datetime(2026, 9, 1, tzinfo=UTC)
    return [MessageSummary(start + timedelta(days=d), p, private, flags, prio)
            for d, p, flags, prio, private in entries]


def test_escalation_levels_and_their_signals() -> None:
    calm = assess(_history((1, "bluesky", (), 0.0, False), (2, "bluesky", (), 0.0, False)))
    assert calm.level is RiskLevel.LOW and calm.signals == ()
    rising = assess(_history(
        (1, "bluesky", ("insult",), 24.0, False), (8, "bluesky", ("insult",), 24.0, False),
        (15, "bluesky", ("harassment",), 40.0, False), (20, "x", ("harassment",), 45.0, True),
        (25, "x", ("doxxing",), 92.0, True), (28, "email", ("threat",), 92.0, True)))
    assert rising.level is RiskLevel.CRITICAL
    text = " | ".join(rising.signals)
    for expected in ("threatening message", "private details", "fixation", "escalating",
                     "moved from public replies to private", "3 platforms"):
        assert expected in text


def test_one_veiled_threat_alone_is_high_not_critical() -> None:
    result = assess(_history((3, "email", ("threat",), 85.0, True)))
    assert result.level is RiskLevel.HIGH
    assert result.signals == ("sent 1 threatening message",)


def _context() -> pipeline.PipelineContext:
    from civicshield.domain.ports import ImportRecord

    class NoRepo:
        def latest_versions(self, principal_id: int, keys: object
                            ) -> dict[tuple[str, str], tuple[str, str, int]]:
            return {("bluesky", "old"): ("", "a", 1)}  # stored once, with the text "a"

    record = ImportRecord(1, 1, 1, "jsonl", "f", "h")
    return pipeline.PipelineContext(repo=NoRepo(), registry=REGISTRY,  # type: ignore[arg-type]
                                    record=record, profile=PROFILE)


def test_preflight_makes_times_utc_and_strips_control_characters() -> None:
    naive = replace(draft("hi\x00 there\x07\n"), created_at=datetime(2026, 10, 1, 12, 0))
    (clean,) = pipeline.preflight(pipeline.Batch(drafts=(naive,)), _context()).drafts
    assert clean.text == "hi there\n"
    assert clean.created_at.tzinfo is UTC


def test_dedupe_drops_stored_and_repeated_messages() -> None:
    batch = pipeline.Batch(drafts=(draft("a", external_id="old"), draft("b", external_id="n1"),
                                   draft("b", external_id="n1")))
    result = pipeline.dedupe(batch, _context())
    assert [d.external_id for d in result.drafts] == ["n1"]
    assert result.skipped == 2


def test_dedupe_keeps_an_edited_record_as_a_new_version() -> None:
    batch = pipeline.Batch(drafts=(draft("a, edited", external_id="old"),
                                   draft("b", external_id="n1"),
                                   draft("b, edited", external_id="n1")))
    result = pipeline.dedupe(batch, _context())
    assert [d.external_id for d in result.drafts] == ["old#edit2", "n1", "n1#edit2"]
    assert result.edits == {("bluesky", "old#edit2"): ("bluesky", "old"),
                            ("bluesky", "n1#edit2"): ("bluesky", "n1")}
    assert result.skipped == 0


def test_detect_uses_the_principal_profile_and_shifts_subject_spans() -> None:
    mail = replace(draft("Her cell is (916) 555-0143"), subject="You have been warned")
    (analysed,) = pipeline.detect(pipeline.Batch(drafts=(mail,)), _context()).analysed
    assert "doxxing" in analysed.flags and "threat" in analysed.flags
    phone = next(f for f in analysed.findings if f.detector == "profile-match")
    assert phone.span is not None
    assert mail.text[phone.span[0]:phone.span[1]] == "(916) 555-0143"
    warned = next(f for f in analysed.findings if f.label == "threat")
    assert warned.span is None  # the match is in the subject, not the body
    assert analysed.signature == REGISTRY.signature


def test_profile_parsing_names_the_bad_field() -> None:
    with pytest.raises(InvalidInputError, match="'phones'"):
        ProtectedProfile.from_dict({"phones": "555"})
    with pytest.raises(InvalidInputError, match="unknown field 'adress'"):
        ProtectedProfile.from_dict({"adress": "x"})
    with pytest.raises(InvalidInputError, match="line 1"):
        ProtectedProfile.from_json("{bad")
    assert ProtectedProfile.from_json(PROFILE.to_json()) == PROFILE
