"""Alerts end to end on the real pipeline and store (email and webhook senders stubbed only
where a test is not about them): grouping, de-duplication, escalation along the safety plan,
quiet hours, acknowledgement, the outbox's resend after a crash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.alerts import AlertStatus
from civicshield.domain.evidence import Severity
from civicshield.domain.safety import Contact, SafetyPlan
from civicshield.storage.alerts import SqlAlertRepository
from tests.alerts.conftest import Clock, deliver

THREAT = "I am going to kill you, mayor. You will pay for this."
PILE_ON = "You are a disgusting pathetic loser, resign now you worthless idiot."

RULES = """
[[rule]]
name = "threat-of-violence"
description = "A threat of violence"
severity = "critical"
labels = ["threat"]
group_wait = "10s"
group_interval = "5m"
repeat_interval = "1h"
escalate_after = "15m"

[[rule]]
name = "pile-on"
description = "Many accounts harassing at once"
severity = "medium"
labels = ["harassment", "insult"]
group_wait = "30s"
group_interval = "10m"
repeat_interval = "4h"
"""


def outbox(service: CivicShield) -> list[Any]:
    with service.context.transaction() as repo:
        return SqlAlertRepository(repo.conn, service.context.cipher).outgoing(limit=1000)


@pytest.fixture
def office(workspace: Callable[..., CivicShield]) -> CivicShield:
    service = workspace()
    service.alerts.save_rules(cli_actor(), RULES)
    return service


def test_a_pile_on_of_500_messages_from_50_accounts_is_a_handful_of_notifications(
        office: CivicShield, clock: Clock, tmp_path: Path) -> None:
    rows = [(f"troll{n % 50}", f"{PILE_ON} #{n}") for n in range(500)]
    joined = deliver(office, tmp_path, rows[:250], name="wave1")
    office.alerts.tick()
    assert outbox(office) == []  # still inside the group wait
    clock.advance(seconds=31)
    office.alerts.tick()
    clock.advance(minutes=2)
    joined += deliver(office, tmp_path, rows[250:], name="wave2")
    for _ in range(20):  # an hour of rounds
        clock.advance(minutes=3)
        office.alerts.tick()
    alerts = office.alerts.overview(cli_actor())
    assert len(alerts) == 1
    alert = alerts[0]
    flagged = joined
    assert flagged > 400 and alert.message_count == flagged  # every message is in the group
    assert alert.sender_count == 50
    sent = outbox(office)
    assert 1 <= len(sent) <= 3  # the first notice and at most a couple of updates
    assert all(o.target == "security@riverton.test" for o in sent)
    assert "50 sender(s)" in sent[0].payload["text"] or "sender(s)" in sent[0].payload["text"]


def test_the_same_sender_ten_times_is_one_notification(office: CivicShield, clock: Clock,
                                                       tmp_path: Path) -> None:
    deliver(office, tmp_path, [("gary", THREAT)] * 10)
    clock.advance(seconds=11)
    office.alerts.tick()
    clock.advance(seconds=30)
    office.alerts.tick()
    assert len(outbox(office)) == 1
    assert office.alerts.overview(cli_actor())[0].message_count == 10


def plan_with_chain() -> SafetyPlan:
    return SafetyPlan(contacts=(
        Contact("Rosa Diaz", "security_lead", email="rosa@riverton.test", order=1,
                receives=Severity.MEDIUM),
        Contact("Sgt. Lee", "police_liaison", email="lee@riverton.pd.test", order=2,
                receives=Severity.CRITICAL),
        Contact("Daniel Marsh", "family", phone="(916) 555-0100")))


def test_an_unacknowledged_critical_alert_escalates_along_the_plan(
        office: CivicShield, clock: Clock, tmp_path: Path) -> None:
    office.safety.save(cli_actor(), plan_with_chain())
    deliver(office, tmp_path, [("gary", THREAT)])
    clock.advance(seconds=11)
    office.alerts.tick()
    assert [o.target for o in outbox(office)] == ["rosa@riverton.test"]
    clock.advance(minutes=10)
    office.alerts.tick()
    assert len(outbox(office)) == 1  # not yet
    clock.advance(minutes=6)
    office.alerts.tick()
    sent = outbox(office)
    assert sent[0].target == "lee@riverton.pd.test"
    assert "not acknowledged" in sent[0].payload["subject"]
    assert "next contact in the safety plan" in sent[0].payload["text"]
    alert = office.alerts.overview(cli_actor())[0]
    office.alerts.acknowledge(cli_actor(), alert.id)
    clock.advance(hours=3)
    office.alerts.tick()
    assert len(outbox(office)) == 2  # acknowledged: no reminders, no further escalation


def test_quiet_hours_hold_a_medium_alert_but_not_a_critical_one(
        workspace: Callable[..., CivicShield], clock: Clock, tmp_path: Path) -> None:
    office = workspace()
    office.alerts.save_rules(cli_actor(), RULES)
    clock.now = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 23:00 in Riverton (Pacific)
    office.safety.save(cli_actor(), SafetyPlan(contacts=(
        Contact("Rosa Diaz", "security_lead", email="rosa@riverton.test", order=1,
                receives=Severity.LOW, quiet_hours=(22, 7)),)))
    deliver(office, tmp_path, [("troll1", PILE_ON)], name="night-harassment")
    deliver(office, tmp_path, [("gary", THREAT)], name="night-threat")
    clock.advance(seconds=40)
    office.alerts.tick()
    by_rule = {o.payload["rule"]: o for o in outbox(office)}
    assert by_rule["threat-of-violence"].next_attempt_at <= clock.now  # sent at once
    held = by_rule["pile-on"].next_attempt_at
    assert held.astimezone(UTC) == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 07:00 local


def test_a_notification_sent_but_not_marked_is_resent_with_the_same_key(
        office: CivicShield, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    deliver(office, tmp_path, [("gary", THREAT)])
    clock.advance(seconds=11)
    office.alerts.tick()
    sent: list[str] = []

    def fake_send(server: Any, to: tuple[str, ...], subject: str, body: str, *,
                  message_id: str = "", **_: Any) -> None:
        sent.append(message_id)

    monkeypatch.setattr("civicshield.notify.smtp.send", fake_send)
    original = SqlAlertRepository.mark_sent

    def crash(self: SqlAlertRepository, outgoing_id: int, now: datetime) -> None:
        raise RuntimeError("killed between sending and marking")

    monkeypatch.setattr(SqlAlertRepository, "mark_sent", crash)
    with pytest.raises(RuntimeError):
        office.alerts.deliver()
    monkeypatch.setattr(SqlAlertRepository, "mark_sent", original)
    assert office.alerts.deliver() == 1
    assert office.alerts.deliver() == 0  # marked now: never again
    assert len(sent) == 2 and sent[0] == sent[1]  # the receiver sees one Message-ID


def test_a_failed_send_backs_off_and_gives_up_plainly(
        office: CivicShield, clock: Clock, tmp_path: Path) -> None:
    deliver(office, tmp_path, [("gary", THREAT)])
    clock.advance(seconds=11)
    office.alerts.tick()
    office.alerts.deliver()  # no mail server is configured
    item = outbox(office)[0]
    assert item.status == "pending" and item.attempts == 1
    assert "no mail server is configured" in item.last_error
    assert item.next_attempt_at == clock.now + timedelta(seconds=5)
    for _ in range(12):
        clock.advance(minutes=16)
        office.alerts.deliver()
    assert outbox(office)[0].status == "failed"


def test_resolved_alerts_start_afresh(office: CivicShield, clock: Clock, tmp_path: Path) -> None:
    deliver(office, tmp_path, [("gary", THREAT)], name="first")
    alert = office.alerts.overview(cli_actor())[0]
    office.alerts.resolve(cli_actor(), alert.id)
    clock.advance(minutes=1)
    deliver(office, tmp_path, [("gary", THREAT + " Again.")], name="second")
    found = office.alerts.overview(cli_actor(), include_resolved=True)
    assert len(found) == 2
    assert {a.status for a in found} == {AlertStatus.OPEN, AlertStatus.RESOLVED}


def test_a_rise_of_two_risk_levels_in_a_week_fires(workspace: Callable[..., CivicShield],
                                                  clock: Clock, tmp_path: Path) -> None:
    office = workspace()
    office.alerts.save_rules(cli_actor(), """
[[rule]]
name = "risk-rising"
severity = "high"
risk_rise = 2
group_by = ["sender"]
""")
    deliver(office, tmp_path, [("vic", "When is the next council meeting?")], name="calm")
    assert office.alerts.overview(cli_actor()) == []
    clock.advance(days=2)
    rows = [("vic", "We know where you live. Watch your back tonight."),
            ("vic", "I have a rifle and nothing left to lose. See you at city hall."),
            ("vic", "You will die for what you did to this town.")]
    deliver(office, tmp_path, rows, name="worse")
    alerts = office.alerts.overview(cli_actor())
    assert len(alerts) == 1
    assert any("rose from low to" in r for r in alerts[0].reasons)


def test_the_text_of_threats_stays_out_of_notifications_unless_turned_on(
        workspace: Callable[..., CivicShield], clock: Clock, tmp_path: Path) -> None:
    office = workspace()
    for include in (False, True):
        office.alerts.save_rules(cli_actor(), f"include_message_text = {str(include).lower()}\n"
                                 + RULES)
        deliver(office, tmp_path, [("gary", THREAT)], name=f"t{include}")
        clock.advance(seconds=11)
        office.alerts.tick()
        texts = [o.payload["text"] for o in outbox(office) if o.payload["rule"] ==
                 "threat-of-violence"]
        assert ("going to kill you" in texts[0]) is include  # newest first
        for alert in office.alerts.overview(cli_actor()):
            office.alerts.resolve(cli_actor(), alert.id)


def test_viewers_see_alerts_but_only_analysts_act(office: CivicShield, tmp_path: Path) -> None:
    from civicshield.domain.errors import PermissionDeniedError
    from civicshield.domain.models import Role, User

    deliver(office, tmp_path, [("gary", THREAT)])
    viewer = User(id=9, username="volunteer", role=Role.VIEWER)
    alert = office.alerts.overview(viewer)[0]
    with pytest.raises(PermissionDeniedError):
        office.alerts.acknowledge(viewer, alert.id)
    with pytest.raises(PermissionDeniedError):
        office.alerts.save_rules(viewer, RULES)


def test_doxxing_of_the_home_is_read_from_the_detectors(workspace: Callable[..., CivicShield],
                                                        tmp_path: Path) -> None:
    office = workspace()  # the built-in rules
    deliver(office, tmp_path, [("doxer", "Her house is 4127 Larkspur Ln Apt 2B, Riverton. "
                                         "Pay her a visit.")])
    alerts = office.alerts.overview(cli_actor())
    assert [a.rule for a in alerts] == ["home-or-family-doxxing"]
    assert any("home" in r for r in alerts[0].reasons)
    assert alerts[0].severity is Severity.CRITICAL
    assert datetime.now(UTC) > alerts[0].first_at - timedelta(days=1)


def test_a_plan_not_reviewed_for_90_days_sends_one_reminder(office: CivicShield, clock: Clock
                                                             ) -> None:
    office.safety.save(cli_actor(), plan_with_chain())
    office.alerts.tick()
    assert outbox(office) == []  # just written: not due
    clock.advance(days=91)
    office.alerts.tick()
    office.alerts.tick()
    reminders = [o for o in outbox(office) if o.alert_id is None]
    assert len(reminders) == 1 and reminders[0].target == "rosa@riverton.test"
    assert "review the safety plan" in reminders[0].payload["subject"]
