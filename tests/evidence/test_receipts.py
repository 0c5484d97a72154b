"""Receipts and notices as staff use them: the command line in a real process, and the
receipt emailed through a real SMTP server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from tests.conftest import PROFILE, SAMPLES, make_settings

ADMIN = cli_actor()


class _Inbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def _cli(*args: str, data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "CIVICSHIELD_DATA_DIR": str(data), **env}
    full.pop("CIVICSHIELD_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "civicshield", *args], env=full,
                          capture_output=True, text=True, timeout=120, check=False)


def test_receipt_notice_and_verify_against_from_the_command_line(tmp_path: Path,
                                                                 smtp: tuple[int, _Inbox]
                                                                 ) -> None:
    port, inbox = smtp
    data = tmp_path / "data"
    assert _cli("init", data=data).returncode == 0
    profile = tmp_path / "profile.json"
    profile.write_text(PROFILE.to_json(), encoding="utf-8")
    _cli("principals", "add", "mayor", "Elena Marsh", "--profile", str(profile), data=data)
    _cli("import", str(SAMPLES / "mailbox.mbox"), data=data)
    assert _cli("incidents", "open", "1", "2", "--title", "Threats", data=data).returncode == 0
    noticed = _cli("incidents", "notice", "1", "--kind", "reported", "--platform", "email",
                   "--ticket", "ABUSE-77", data=data)
    assert noticed.stdout.strip() == "Incident 1: reported on email recorded"
    statement = tmp_path / "impact.txt"
    statement.write_text("I no longer walk my children to school.")
    assert _cli("incidents", "impact", "1", str(statement), data=data).returncode == 0
    receipt = tmp_path / "receipt.txt"
    sent = _cli("evidence", "receipt", "--out", str(receipt), "--email", data=data,
                CIVICSHIELD_SMTP_HOST="127.0.0.1", CIVICSHIELD_SMTP_PORT=str(port),
                CIVICSHIELD_SMTP_STARTTLS="false", CIVICSHIELD_SMTP_FROM="office@example.gov",
                CIVICSHIELD_EVIDENCE_WITNESSES="liaison@police.example,attorney@city.example")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.splitlines()[-1] == ("Emailed to liaison@police.example, "
                                            "attorney@city.example")
    (mail,) = inbox.messages
    assert mail["To"] == "liaison@police.example, attorney@city.example"
    attached = next(p for p in mail.walk() if p.get_filename())
    assert attached.get_payload(decode=True).decode() == receipt.read_text()  # type: ignore[union-attr]
    packet = tmp_path / "packet.zip"
    assert _cli("evidence", "export", "1", "--out", str(packet), data=data).returncode == 0
    with zipfile.ZipFile(packet) as archive:
        report = archive.read("report.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=report, capture_output=True,
                          check=True).stdout.decode()
    assert "ABUSE-77" in text and "I no longer walk my children to school." in text
    assert "Message-ID" in text and "Received" in text
    ok = _cli("evidence", "verify", "--against", str(receipt), data=data)
    assert ok.returncode == 0 and ok.stdout.endswith(
        f"and the ledger extends the head in {receipt.name}\n")
    with_packet = _cli("evidence", "verify", "--against", str(packet), data=data)
    assert with_packet.returncode == 0, with_packet.stderr
    (data / "civicshield.db").unlink()
    for leftover in data.glob("civicshield.db-*"):
        leftover.unlink()
    assert _cli("init", data=data).returncode == 0
    gone = _cli("evidence", "verify", "--against", str(receipt), data=data)
    assert gone.returncode == 1
    assert gone.stderr.splitlines()[1:] == [
        "  the ledger ends at entry 0, but the receipt of "
        f"{receipt.read_text().split('Made: ')[1][:10]} recorded entry 5: entries were removed",
        "  the ledger ends at entry 0, but the receipt of "
        f"{receipt.read_text().split('Made: ')[1][:10]} recorded entry 5 (incident 1): entries "
        "were removed"]


def test_no_mail_server_is_a_plain_error(tmp_path: Path) -> None:
    from civicshield.domain.errors import ConfigError

    service, _ = CivicShield.initialise(make_settings(
        tmp_path / "data", evidence_witnesses="liaison@police.example"))
    with pytest.raises(ConfigError, match=r"no mail server is configured"):
        service.incidents.email_receipt(ADMIN, service.incidents.receipt(ADMIN))
