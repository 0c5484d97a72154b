"""The chain-of-custody checks, pure: any change, gap, reordering, unsigned or forged entry, and
any item or incident field that differs from its ledger entry is named in one line."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from civicshield.crypto import EvidenceSigner
from civicshield.domain.custody import (
    Anchor,
    check_anchor,
    check_chain,
    check_incident_chain,
    check_incidents,
    check_items,
)
from civicshield.domain.evidence import (
    GENESIS,
    EvidenceItem,
    Incident,
    IncidentStatus,
    LedgerEntry,
    Severity,
    canonical_details,
    entry_hash,
    incident_fields,
    item_facts,
    sha256_hex,
)

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _signer(tmp_path: Path) -> EvidenceSigner:
    return EvidenceSigner.create(tmp_path / "key.pem")


def _entry(signer: EvidenceSigner | None, prev: str, seq: int, action: str, details: dict,
           item_id: int | None = None, incident_id: int = 1) -> LedgerEntry:
    text = canonical_details(details)
    at = START + timedelta(minutes=seq)
    digest = entry_hash(prev, seq, at, "analyst", action, incident_id, item_id, text)
    return LedgerEntry(seq, at, "analyst", action, incident_id, item_id, text, prev, digest,
                       signer.sign_hash(digest) if signer else "")


def _chain(signer: EvidenceSigner, n: int) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entries.append(_entry(signer, prev, seq, "viewed",
                              {"v": 2, "incident_seq": seq, "incident_prev": prev}))
        prev = entries[-1].hash
    return entries


def _item(data: bytes, item_id: int = 3) -> EvidenceItem:
    return EvidenceItem(id=item_id, incident_id=1, kind="message", sha256=sha256_hex(data),
                        size=len(data), captured_at=START, captured_by="analyst",
                        source={"url": "https://x.example/1"}, file_name="message-3.json",
                        message_id=7)


def test_an_intact_signed_chain_has_no_problem(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    assert check_chain(_chain(signer, 5), signer.check_hash) == []


def test_chain_problems_are_named_one_line_each(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    entries = _chain(signer, 5)
    altered = [*entries[:2], replace(entries[2], actor="someone else"), *entries[3:]]
    assert check_chain(altered, signer.check_hash) == [
        "ledger entry 3 was altered: its hash does not match its contents"]
    missing = entries[:1] + entries[2:]
    assert check_chain(missing, signer.check_hash) == [
        "ledger entry 3: entry 2 before it is missing"]
    swapped = [entries[0], entries[2], entries[1], *entries[3:]]
    assert check_chain(swapped, signer.check_hash) == [
        "ledger entry 3 is out of order (expected entry 2)",
        "ledger entry 2 is out of order (expected entry 4)"]


def test_an_entry_recomputed_without_the_key_is_found(tmp_path: Path) -> None:
    signer, other = _signer(tmp_path), EvidenceSigner.create(tmp_path / "other.pem")
    entries = _chain(signer, 3)
    forged = _entry(other, entries[-1].hash, 4, "viewed", {"v": 2})
    unsigned = _entry(None, entries[-1].hash, 4, "viewed", {"v": 2})
    assert check_chain([*entries, forged], signer.check_hash) == [
        "ledger entry 4 is not signed by the evidence key: it was written or rewritten outside "
        "civicshield"]
    assert check_chain([*entries, unsigned], signer.check_hash) == [
        "ledger entry 4 has no signature: it was written outside civicshield"]


def test_entries_from_before_signing_are_checked_by_hash_only(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    legacy = _entry(None, GENESIS, 1, "captured", {"sha256": "ab"}, item_id=1)
    after = _entry(signer, legacy.hash, 2, "viewed", {"v": 2})
    assert check_chain([legacy, after], signer.check_hash) == []
    late = _entry(None, after.hash, 3, "viewed", {})
    assert check_chain([legacy, after, late], signer.check_hash) == [
        "ledger entry 3 has no signature: it was written outside civicshield"]


def test_a_packet_missing_an_incident_entry_is_found(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    entries = _chain(signer, 4)
    assert check_incident_chain(entries) == []
    assert check_incident_chain([entries[0], entries[2], entries[3]]) == [
        "ledger entry 3 (incident 1, entry 3) does not follow the incident's entry before it: "
        "an entry is missing or out of order"]


def test_items_are_compared_with_their_capture_entry(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    item = _item(b"original")
    capture = _entry(signer, GENESIS, 1, "captured", {"v": 2, "item": item_facts(item)},
                     item_id=3)
    assert check_items([capture], [(item, b"original")]) == ([], 1)
    swapped = replace(item, sha256=sha256_hex(b"other"), size=5)
    assert check_items([capture], [(swapped, b"other")])[0] == [
        "evidence item 3 (message-3.json): SHA-256, size and content differ from ledger entry 1"]
    moved = replace(item, source={"url": "https://x.example/2"}, captured_by="mallory")
    assert check_items([capture], [(moved, b"original")])[0] == [
        "evidence item 3 (message-3.json): capture person and source (url) differ from ledger "
        "entry 1"]
    extra = _item(b"forged", item_id=4)
    assert check_items([capture], [(item, b"original"), (extra, b"forged")])[0] == [
        "evidence item 4 (message-3.json) has no capture entry in the ledger: it was added "
        "outside civicshield"]
    assert check_items([capture], [])[0] == [
        "evidence item 3, recorded in ledger entry 1, is missing from the store"]


def test_incident_fields_are_folded_from_the_ledger(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    incident = Incident(1, 1, "Threats", Severity.HIGH, IncidentStatus.OPEN, "", (), (), START,
                        "analyst", START)
    opened = _entry(signer, GENESIS, 1, "opened", {"v": 2, "incident": incident_fields(incident)})
    noted = _entry(signer, opened.hash, 2, "annotated",
                   {"v": 2, "changes": {"note_line": "[n] called", "police_report": "RPD-1"}})
    now = replace(incident, notes="[n] called", police_reports=("RPD-1",), head_seq=2,
                  head_hash=noted.hash)
    assert check_incidents([opened, noted], [now]) == []
    assert check_incidents([opened, noted], [replace(now, severity=Severity.LOW)]) == [
        "incident 1, severity: the store has 'low', the ledger 'high'"]
    assert check_incidents([opened], [now]) == [
        "incident 1, notes: the store has '[n] called', the ledger ''",
        "incident 1, police report numbers: the store has \"['RPD-1']\", the ledger '[]'",
        "incident 1: its last ledger entry was entry 2, but its entries now end at entry 1: "
        "entries were added, removed or replaced outside civicshield"]


def test_an_anchor_catches_a_rewrite_a_new_key_and_removed_entries(tmp_path: Path) -> None:
    signer = _signer(tmp_path)
    entries = _chain(signer, 5)
    anchor = Anchor("the receipt of 2026-11-01", 5, entries[-1].hash, signer.public_hex)
    assert check_anchor(entries, anchor, signer.public_hex) == []
    rewritten = [*entries[:4], _entry(signer, entries[3].hash, 5, "viewed", {"v": 2, "x": 1})]
    assert check_anchor(rewritten, anchor, signer.public_hex) == [
        "ledger entry 5 is not the one the receipt of 2026-11-01 recorded: the ledger was "
        "rewritten since"]
    assert check_anchor(entries[:3], anchor, signer.public_hex) == [
        "the ledger ends at entry 3, but the receipt of 2026-11-01 recorded entry 5: entries "
        "were removed"]
    other = EvidenceSigner.create(tmp_path / "new.pem")
    assert check_anchor(entries, anchor, other.public_hex)[0].startswith(
        "the evidence key is not the one in the receipt of 2026-11-01")


def test_a_passphrase_protects_the_signing_key(tmp_path: Path) -> None:
    import pytest

    from civicshield.domain.errors import ConfigError

    created = EvidenceSigner.create(tmp_path / "k.pem", "correct horse battery")
    assert b"ENCRYPTED" in (tmp_path / "k.pem").read_bytes()
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    loaded = EvidenceSigner.load(tmp_path / "k.pem", "correct horse battery")
    assert loaded.public_hex == created.public_hex
    with pytest.raises(ConfigError, match="protected by a passphrase"):
        EvidenceSigner.load(tmp_path / "k.pem")
    with pytest.raises(ConfigError, match="wrong passphrase"):
        EvidenceSigner.load(tmp_path / "k.pem", "wrong")


def test_verify_names_a_key_by_the_fingerprint_receipts_print(tmp_path: Path) -> None:
    signer, other = _signer(tmp_path), EvidenceSigner.create(tmp_path / "other.pem")
    anchor = Anchor("the receipt of 2026-11-01", 1, "x", other.public_hex)
    (line,) = [p for p in check_anchor([], anchor, signer.public_hex) if "evidence key" in p]
    assert f"fingerprint {other.fingerprint} there, {signer.fingerprint} now" in line
