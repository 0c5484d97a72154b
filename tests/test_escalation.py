"""Sender escalation: the weights file, cue signals, and new accounts that echo a blocked sender."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.echo import BlockedPattern, echoed
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.escalation import DEFAULT_WEIGHTS, MessageSummary, assess, load_weights
from civicshield.domain.models import RiskLevel
from civicshield.domain.ports import QueueFilter

START = datetime(2026, 9, 1, tzinfo=UTC)


def _msg(day: int, flags: tuple[str, ...] = ("harassment",), cues: tuple[str, ...] = (),
         platform: str = "bluesky", priority: float = 48.0) -> MessageSummary:
    return MessageSummary(START + timedelta(days=day), platform, False, flags, priority, cues)


def test_cues_become_signals_in_plain_words() -> None:
    risk = assess([_msg(1, cues=("home_family",)), _msg(2, cues=("home_family", "movement"))])
    text = " | ".join(risk.signals)
    assert "referred to the official's home or family (2 messages)" in text
    assert "movements or routine (1 message)" in text
    cues = DEFAULT_WEIGHTS["cues"]
    assert risk.score == cues["home_family"] + cues["movement"]
    assert risk.level is RiskLevel.ELEVATED


def test_volume_alone_counts_as_fixation() -> None:
    risk = assess([_msg(d % 30, flags=()) for d in range(25)])
    assert risk.signals == ("fixation: 25 messages in the last 30 days",)


def test_a_weights_file_changes_points_and_levels(tmp_path: Path) -> None:
    path = tmp_path / "weights.toml"
    path.write_text("[threats]\nfirst = 80\nmost = 80\n[levels]\ncritical = 75\n")
    weights = load_weights(path)
    assert weights["threats"]["first"] == 80 and weights["doxxing"] == DEFAULT_WEIGHTS["doxxing"]
    assert assess([_msg(1, flags=("threat",))], weights).level is RiskLevel.CRITICAL
    assert assess([_msg(1, flags=("threat",))]).level is RiskLevel.HIGH


@pytest.mark.parametrize(("content", "message"), [
    ("[threats]\nfrist = 1\n", "unknown key 'frist' in \\[threats\\]"),
    ("[nonsense]\na = 1\n", "unknown section \\[nonsense\\]"),
    ("[threats]\nfirst = 'many'\n", "\\[threats\\] first must be a number"),
    ("[threats\n", "cannot read the escalation weights"),
])
def test_a_bad_weights_file_is_named_with_its_mistake(tmp_path: Path, content: str,
                                                        message: str) -> None:
    path = tmp_path / "weights.toml"
    path.write_text(content)
    with pytest.raises(InvalidInputError, match=message):
        load_weights(path)


BLOCKED_TEXTS = ["you corrupt witch, the whole east side knows what you did with the permits",
                 "resign you corrupt witch before we make you"]


def test_echo_needs_most_of_the_wording_a_later_date_and_another_sender() -> None:
    pattern = BlockedPattern.of(7, [("x", "old")], START, BLOCKED_TEXTS)
    repeat = "hey you corrupt witch, the whole east side knows what you did"
    assert echoed(repeat, ("x", "new"), START + timedelta(days=1), [pattern]) is pattern
    assert echoed(repeat, ("x", "old"), START + timedelta(days=1), [pattern]) is None
    assert echoed(repeat, ("x", "new"), START - timedelta(days=1), [pattern]) is None
    assert echoed("the permits office closes early on the east side", ("x", "new"),
                  START + timedelta(days=1), [pattern]) is None


def _import(service: CivicShield, tmp_path: Path, name: str, rows: list[dict[str, str]]) -> None:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    service.triage.import_file(cli_actor(), path)


def test_a_new_account_echoing_a_blocked_sender_gets_a_signal(service: CivicShield,
                                                              tmp_path: Path) -> None:
    base = {"platform": "x", "created_at": "2026-10-01T10:00:00Z"}
    _import(service, tmp_path, "old", [
        {**base, "id": f"o{i}", "author_id": "old", "author_handle": "@old", "text": t}
        for i, t in enumerate(["You stupid corrupt witch, everyone on the east side hates you "
                               "and your filthy permits scam"] * 2)])
    old = next(m for m in service.triage.queue(QueueFilter(), limit=100)[0]
               if m.sender.handle == "@old")
    service.triage.block_sender(cli_actor(), old.sender.id, blocked=True)
    _import(service, tmp_path, "new", [
        {"platform": "x", "created_at": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
         "id": "n1", "author_id": "new", "author_handle": "@new_account",
         "text": "you stupid corrupt witch, everyone on the east side hates you"}])
    new = next(m for m in service.triage.queue(QueueFilter(), limit=100)[0]
               if m.sender.handle == "@new_account")
    view = service.triage.sender_view(new.sender.id)
    assert any("new account of a blocked sender" in s for s in view.sender.risk_signals)
    assert service.triage.sender_view(old.sender.id).sender.blocked_at is not None
    message = service.triage.message(new.id)
    assert any(f.cue == "blocked_echo" for f in message.findings)
