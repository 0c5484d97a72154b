"""End to end on real servers: mail delivered into Dovecot is read by the running intake,
analysed, stored once, fires its rule, and the alert reaches the loopback SMTP server once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from civicshield.domain.access import cli_actor
from civicshield.storage.tables import messages
from tests.intake.conftest import live_workspace
from tests.mail_servers import Dovecot, SmtpSink

USER = "mayor@riverton.test"
THREAT = ("We know you live at 4127 Larkspur Ln, Riverton. Lock your doors tonight, "
          "you will not see it coming.")


def letter(n: int, body: str, sender: str = "angry.neighbour@example.org") -> bytes:
    return (f"From: A Neighbour <{sender}>\r\nTo: {USER}\r\nSubject: about the shelter\r\n"
            f"Date: Tue, 01 Dec 2026 15:{n % 60:02d}:00 +0000\r\n"
            f"Message-ID: <live-{n}-{time.monotonic_ns()}@example.org>\r\n\r\n{body}\r\n"
            ).encode()


def wait_until(check, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def stored(service) -> int:  # type: ignore[no-untyped-def]
    with service.context.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(messages)).scalar_one())


def test_a_threat_by_email_is_alerted_once_and_stored_once(
        tmp_path: Path, dovecot: Dovecot, smtp_sink: SmtpSink) -> None:
    service = live_workspace(tmp_path, smtp_sink.port, ca_file=str(dovecot.ca_file))
    admin = cli_actor()
    service.intake.add_source(admin, "imap", "mayor inbox", {
        "host": "127.0.0.1", "port": dovecot.port, "username": USER, "idle_seconds": 10},
        {"password": "s3cret-Pass"})
    stop = threading.Event()
    reading = threading.Thread(target=service.intake.run, args=(stop,), daemon=True)
    alerting = threading.Thread(target=service.alerts.run, args=(stop,),
                                kwargs={"every": 0.2}, daemon=True)
    before = stored(service)
    reading.start()
    alerting.start()
    try:
        assert wait_until(lambda: any(h.state == "ok" for h in service.intake.health(admin)))
        dovecot.deliver(USER, letter(1, "Please fix the potholes on Elm Street."))
        dovecot.deliver(USER, letter(2, THREAT))
        assert wait_until(lambda: len(smtp_sink.messages) >= 1)
        for n in range(3, 12):  # the same sender, nine more times
            dovecot.deliver(USER, letter(n, THREAT))
        assert wait_until(lambda: stored(service) >= before + 11)
        time.sleep(1.5)  # several alert rounds pass
    finally:
        stop.set()
        reading.join(timeout=20)
        alerting.join(timeout=20)
    sent = smtp_sink.to("security@riverton.test")
    assert len(sent) == 1
    note = sent[0]
    assert "CRITICAL" in note["Subject"]
    body = note.get_payload()
    assert "home-or-family-doxxing" in body
    assert "Larkspur" not in body and "Lock your doors" not in body  # text stays on the dashboard
    assert "/alerts/" in body
    alerts = service.alerts.overview(admin)
    assert len(alerts) == 1 and alerts[0].message_count == 10
    assert stored(service) == before + 11
    health = service.intake.health(admin)[0]
    assert health.state == "ok" and "last message" in health.line


def test_a_restart_reads_nothing_twice(tmp_path: Path, dovecot: Dovecot,
                                       smtp_sink: SmtpSink) -> None:
    service = live_workspace(tmp_path, smtp_sink.port, ca_file=str(dovecot.ca_file))
    admin = cli_actor()
    service.intake.add_source(admin, "imap", "clerk inbox", {
        "host": "127.0.0.1", "port": dovecot.port, "username": "clerk@riverton.test",
        "idle_seconds": 10}, {"password": "clerk-Pass"})
    for n in range(3):
        dovecot.deliver("clerk@riverton.test", letter(20 + n, "A question about permits."))
    counts = []
    for _ in range(2):
        stop = threading.Event()
        reading = threading.Thread(target=service.intake.run, args=(stop,), daemon=True)
        reading.start()
        wait_until(lambda: service.intake.sources(admin)[0].last_poll_at is not None)
        time.sleep(0.5)
        stop.set()
        reading.join(timeout=20)
        counts.append(stored(service))
    assert counts[0] >= 3 and counts[0] == counts[1]
