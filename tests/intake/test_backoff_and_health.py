"""How long a failing source waits, and the health line staff read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civicshield.domain.errors import SourceError
from civicshield.domain.models import ChannelKind
from civicshield.services.intake import HUMAN_WAIT, MAX_WAIT, _health, backoff
from civicshield.storage.intake import IntakeSource

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_backoff_doubles_to_a_cap_and_honours_the_server() -> None:
    waits = [backoff(n, SourceError("dropped")) for n in range(1, 12)]
    assert waits[:5] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert max(waits) == MAX_WAIT and waits[-1] == MAX_WAIT
    assert backoff(1, SourceError("slow down", retry_after=120)) == 120
    assert backoff(1, SourceError("refused", retryable=False)) == HUMAN_WAIT


def source(**changes: object) -> IntakeSource:
    base = {"id": 1, "name": "inbox", "kind": "imap", "principal_id": 1,
            "channel_kind": ChannelKind.OFFICIAL, "config": {}, "enabled": True,
            "checkpoint": {}, "last_message_at": NOW - timedelta(minutes=3),
            "last_poll_at": NOW - timedelta(seconds=20), "last_error": "",
            "last_error_at": None, "has_secret": True}
    return IntakeSource(**{**base, **changes})  # type: ignore[arg-type]


def test_health_lines() -> None:
    ok = _health(source(), NOW)
    assert ok.state == "ok" and ok.line == "last message 3 minutes ago; checked 20 seconds ago"
    failing = _health(source(last_error="the mail server refused the password",
                             last_error_at=NOW - timedelta(seconds=5)), NOW)
    assert failing.state == "failing" and failing.line.startswith(
        "the mail server refused the password (5 seconds ago)")
    recovered = _health(source(last_error="", last_error_at=NOW - timedelta(hours=1)), NOW)
    assert recovered.state == "ok"
    quiet = _health(source(last_poll_at=NOW - timedelta(minutes=30)), NOW)
    assert quiet.state == "waiting" and "not heard from recently" in quiet.line
    assert _health(source(enabled=False), NOW).state == "off"
