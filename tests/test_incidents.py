"""Incidents and evidence end to end: capture, custody, tampering, the packet and its PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import PermissionDeniedError
from civicshield.domain.evidence import IncidentStatus, Severity
from civicshield.domain.models import Role, User
from civicshield.domain.ports import QueueFilter
from civicshield.reports.packet import verify_packet
from tests.conftest import SAMPLES

ADMIN = cli_actor()


@pytest.fixture
def incident(service: CivicShield) -> int:
    """An incident opened from the two worst messages of the generic sample."""
    service.triage.import_file(ADMIN, SAMPLES / "generic.jsonl")
    worst = service.triage.queue(QueueFilter(), limit=2)[0]
    opened = service.incidents.open(ADMIN, "Threats after the budget vote",
                                    [m.id for m in worst], severity=Severity.HIGH)
    return opened.id


def _sql(service: CivicShield, statement: str, **params: object) -> None:
    with service.context.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_capture_keeps_originals_hashes_and_a_verifiable_chain(service: CivicShield,
                                                               incident: int) -> None:
    view = service.incidents.view(ADMIN, incident)
    assert len(view.items) == 2 and all(i.kind == "message" for i in view.items)
    for item in view.items:
        assert item.source["raw_sha256_at_import"] == item.sha256
        assert item.source["import_file"] == "generic.jsonl"
    assert [e.action for e in view.ledger] == ["opened", "captured", "captured", "viewed"]
    assert service.incidents.verify(ADMIN).ok


def test_notes_status_reports_and_attachments_are_recorded(service: CivicShield,
                                                           incident: int) -> None:
    service.incidents.update(ADMIN, incident, status=IncidentStatus.REPORTED_TO_POLICE,
                             police_report="RPD-2026-0412", note="Called the desk sergeant")
    service.incidents.attach(ADMIN, incident, "screenshot.png", b"\x89PNG fake", "as seen")
    view = service.incidents.view(ADMIN, incident)
    assert view.incident.status is IncidentStatus.REPORTED_TO_POLICE
    assert view.incident.police_reports == ("RPD-2026-0412",)
    assert "Called the desk sergeant" in view.incident.notes
    assert {e.action for e in view.ledger} >= {"annotated", "attached"}
    assert service.incidents.verify(ADMIN).ok


def test_adding_the_same_message_twice_captures_it_once(service: CivicShield,
                                                        incident: int) -> None:
    ids = [m.message_id for m in service.incidents.view(ADMIN, incident).items]
    assert service.incidents.add_messages(ADMIN, incident, [i for i in ids if i]) == 0


def test_viewers_cannot_export_or_change(service: CivicShield, incident: int,
                                        tmp_path: Path) -> None:
    viewer = User(id=9, username="v", role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        service.incidents.export(viewer, incident, tmp_path / "p.zip")
    with pytest.raises(PermissionDeniedError):
        service.incidents.update(viewer, incident, note="x")
    assert not (tmp_path / "p.zip").exists()


def test_the_packet_verifies_with_sha256sum_and_reads_well(service: CivicShield, incident: int,
                                                          tmp_path: Path) -> None:
    packet = service.incidents.export(ADMIN, incident, tmp_path / "packet.zip")
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(packet) as archive:
        archive.extractall(folder)
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"manifest.json", "ledger.jsonl", "timeline.csv", "report.pdf", "SHA256SUMS",
            "SHA256SUMS.sig", "HEAD.txt", "evidence-key.pem", "HOW-TO-VERIFY.txt"} <= names
    assert all(n.endswith(".json") for n in names if n.startswith("originals/"))
    timeline = (folder / "timeline.csv").read_text().splitlines()
    assert timeline[0].startswith("sent_utc,platform,sender") and len(timeline) == 3
    assert sum(1 for n in names if n.startswith("originals/")) == 2
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0 and check.stdout.count(": OK") == 9
    signed = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                             "evidence-key.pem", "-rawin", "-in", "SHA256SUMS", "-sigfile",
                             "SHA256SUMS.sig"], cwd=folder, capture_output=True, text=True,
                            check=False)
    assert signed.returncode == 0 and "Signature Verified Successfully" in signed.stdout
    assert verify_packet(folder).ok
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["incident"]["title"] == "Threats after the budget vote"
    ledger = [json.loads(line) for line in (folder / "ledger.jsonl").read_text().splitlines()]
    assert ledger[-1]["action"] == "exported"
    report = subprocess.run(["pdftotext", "-layout", str(folder / "report.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout
    sections = ("1. Summary", "2. Senders and their account ids", "4. Messages",
                "5. Chain of custody", "6. Notice to the sender", "7. Victim impact statement",
                "8. Certification of the records custodian", "how to verify this packet")
    assert [report.index(s) for s in sections] == sorted(report.index(s) for s in sections)
    for expected in ("Threats after the budget vote", "Elena Marsh", "We know where you live",
                     "@angry.bsky.social", "did:plc:", "UTC", "Federal Rule of Evidence 902(14)",
                     "sha256sum -c SHA256SUMS", "openssl pkeyutl -verify"):
        assert expected in report, expected
    pages = tmp_path / "pages"
    pages.mkdir()
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(folder / "report.pdf"),
                    str(pages / "p")], check=True)
    assert len(list(pages.glob("p-*.png"))) >= 2


def test_a_changed_packet_file_fails_its_verify(service: CivicShield, incident: int,
                                                tmp_path: Path) -> None:
    packet = service.incidents.export(ADMIN, incident, tmp_path / "packet.zip")
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(packet) as archive:
        archive.extractall(folder)
    original = next((folder / "originals").iterdir())
    original.write_bytes(original.read_bytes() + b" ")
    result = verify_packet(folder)
    assert result.problems == (f"originals/{original.name} was changed: its SHA-256 does not "
                               "match SHA256SUMS",)
    shutil.rmtree(folder)


def test_redaction_is_a_new_item_pointing_back_and_the_original_stays(
        service: CivicShield, incident: int) -> None:
    original = service.incidents.view(ADMIN, incident).items[0]
    new_id = service.incidents.redact(ADMIN, original.id, ["where you live"])
    items = {i.id: i for i in service.incidents.view(ADMIN, incident).items}
    assert items[new_id].derived_from == original.id and items[new_id].kind == "redaction"
    assert items[original.id].sha256 == original.sha256
    assert service.incidents.verify(ADMIN).ok


def test_viewers_see_private_details_blacked_out(service: CivicShield, tmp_path: Path) -> None:
    doxx = tmp_path / "doxx.jsonl"
    doxx.write_text(json.dumps({"id": "d1", "platform": "x", "created_at": "2026-10-03T10:00:00Z",
                                "author_id": "z", "text": "She lives at 4127 Larkspur Ln Apt 2B"})
                    + "\n")
    service.triage.import_file(ADMIN, doxx)
    message = service.triage.queue(QueueFilter(label="doxxing"), limit=1)[0][0]
    opened = service.incidents.open(ADMIN, "Doxxing", [message.id])
    viewer = User(id=9, username="v", role=Role.VIEWER)
    seen = service.incidents.view(viewer, opened.id).messages[0].text
    assert "4127" not in seen and "█" in seen
    assert "4127" in service.incidents.view(ADMIN, opened.id).messages[0].text


def test_redacting_an_unknown_item_is_a_plain_error(service: CivicShield, incident: int) -> None:
    from civicshield.domain.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no evidence item 9999"):
        service.incidents.redact(ADMIN, 9999, ["x"])
