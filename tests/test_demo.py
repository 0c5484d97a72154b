"""The bundled demo workspace: rebuilt exactly by its script, loads, and triages sensibly."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from civicshield.app import CivicShield
from civicshield.demo import DATA, load_demo
from civicshield.demo.generate import write_demo
from civicshield.domain.access import cli_actor
from civicshield.domain.models import RiskLevel, Sender
from civicshield.domain.ports import QueueFilter
from civicshield.reports.packet import verify_packet
from tests.conftest import make_settings


def test_committed_demo_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    write_demo(tmp_path)
    for path in sorted(p for p in DATA.iterdir() if p.is_file()):  # exposure/ is hand-written
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def assert_nothing_in_clear(folder: Path) -> None:
    """`grep -a` for the demo profile's address, family, school and plate finds nothing."""
    profile = json.loads((DATA / "profile.json").read_text(encoding="utf-8"))
    words = ["Larkspur", profile["home_address"].split(",")[0], *profile["family"],
             *profile["schools"], *(v.split()[-1] for v in profile["vehicles"])]
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".db") for p in files)
    for word in words:
        found = subprocess.run(["grep", "-a", "-r", "-l", "-i", word, str(folder)],
                               capture_output=True, text=True, check=False).stdout
        assert found == "", f"{word!r} in clear in {found}"


def test_demo_loads_once_and_puts_threats_and_doxxing_first(tmp_path: Path) -> None:
    service, _ = CivicShield.initialise(make_settings(tmp_path / "data"))
    summary = load_demo(service)
    assert "Elena Marsh" in summary
    items, total = service.triage.queue(QueueFilter(), limit=15)
    assert 1900 <= total <= 2100
    assert all({"threat", "doxxing"} & set(m.flags) for m in items)
    assert {m.platform for m in items} >= {"x", "email", "mastodon"}
    again = load_demo(service)
    assert " 0 added" in again and service.triage.queue(QueueFilter())[1] == total
    assert_nothing_in_clear(tmp_path / "data")
    flagged = service.triage.queue(QueueFilter(flagged_only=True))[1]
    assert 0.1 * total < flagged < 0.4 * total  # mostly ordinary and lawful messages
    lawful = service.triage.queue(QueueFilter(flagged_only=False), limit=3000)[0]
    kill_the_bill = [m for m in lawful if "Kill the bill" in m.text]
    assert kill_the_bill and not any("threat" in m.flags for m in kill_the_bill)
    critical = {m.sender.label for m in items if m.sender.risk_level is RiskLevel.CRITICAL}
    assert critical
    _an_incident_on_an_escalating_sender_exports_a_packet_that_verifies(
        service, next(m.sender for m in items if m.sender.risk_level is RiskLevel.CRITICAL),
        tmp_path)


def _an_incident_on_an_escalating_sender_exports_a_packet_that_verifies(
        service: CivicShield, sender: Sender, tmp_path: Path) -> None:
    flagged = [m.id for m in service.triage.sender_view(sender.id).timeline if m.flags]
    assert len(flagged) >= 2
    incident = service.incidents.open(cli_actor(), f"Escalation by {sender.label}", flagged)
    packet = service.incidents.export(cli_actor(), incident.id, tmp_path / "packet.zip")
    with zipfile.ZipFile(packet) as archive:
        archive.extractall(tmp_path / "packet")
    result = verify_packet(tmp_path / "packet")
    # + manifest, ledger, timeline, report, HOW-TO-VERIFY, the public key and HEAD
    assert result.ok and result.checked_items == len(flagged) + 7


def test_demo_exposure_documents_show_the_seeded_data_and_no_decoy(tmp_path: Path) -> None:
    service, _ = CivicShield.initialise(make_settings(tmp_path / "data"))
    load_demo(service)
    found = service.exposure.findings(cli_actor())
    assert {f.kind for f in found} >= {"home_address", "phone", "vehicle", "family", "name"}
    for decoy in ("4129", "4131", "4133", "100 Main", "555-0100", "555-0188", "Hale"):
        assert not any(decoy in f.matched for f in found), decoy
    listed = [b.id for b, check in service.exposure.brokers(cli_actor())
              if check and check.status == "found"]
    assert sorted(listed) == ["spokeo.com", "whitepages.com"]
