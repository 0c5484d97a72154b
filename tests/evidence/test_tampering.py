"""Every kind of change to the evidence, in the store and in an unpacked packet, is named by
`evidence verify` in exactly the lines below; a rewrite re-signed with the data folder's own key
is caught against an earlier packet or receipt. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from civicshield.app import CivicShield
from civicshield.crypto import EvidenceSigner
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import ConfigError
from civicshield.domain.evidence import (
    LedgerEntry,
    Severity,
    canonical_details,
    entry_hash,
    sha256_hex,
)
from civicshield.domain.ports import QueueFilter
from civicshield.reports.packet import verify_packet
from tests.conftest import SAMPLES

ADMIN = cli_actor()


@dataclass(frozen=True)
class Case:
    """An incident with two captured messages (items 1, 2), a note and police report (entry 4),
    an attachment (item 3, entry 5) and a view (entry 6)."""

    service: CivicShield
    incident: int
    names: dict[int, str]  # item id -> file name
    messages: dict[int, int]  # item id -> message id

    def sql(self, statement: str, **params: object) -> None:
        with self.service.context.engine.begin() as conn:
            conn.execute(text(statement), params)

    def encrypt(self, data: bytes) -> bytes:
        return self.service.context.cipher.encrypt(
            data, context=f"evidence:{sha256_hex(data)}".encode())



@pytest.fixture
def case(service: CivicShield) -> Case:
    service.triage.import_file(ADMIN, SAMPLES / "generic.jsonl")
    worst = service.triage.queue(QueueFilter(), limit=2)[0]
    incident = service.incidents.open(ADMIN, "Threats after the budget vote",
                                      [m.id for m in worst], severity=Severity.HIGH).id
    service.incidents.update(ADMIN, incident, note="Called the desk sergeant",
                             police_report="RPD-2026-0412")
    service.incidents.attach(ADMIN, incident, "screenshot.png", b"\x89PNG fake", "as seen")
    view = service.incidents.view(ADMIN, incident)
    assert [e.action for e in view.ledger] == ["opened", "captured", "captured", "annotated",
                                               "attached", "viewed"]
    assert service.incidents.verify(ADMIN).ok
    return Case(service, incident, {i.id: i.file_name for i in view.items},
                {i.id: i.message_id for i in view.items if i.message_id})


def _entries(case: Case) -> list[LedgerEntry]:
    with case.service.context.transaction() as repo:
        return repo.evidence.entries()


def _rewrite_from(case: Case, seq: int, change: Callable[[LedgerEntry], LedgerEntry], *,
                  signer: EvidenceSigner | None) -> None:
    """Rewrite the ledger from entry ``seq`` with recomputed hashes (and signatures, when given
    a key), as someone with the database would, keeping the incident's head in step."""
    entries = _entries(case)
    prev = entries[seq - 2].hash if seq > 1 else "0" * 64
    for entry in entries[seq - 1:]:
        e = change(entry) if entry.seq == seq else entry
        digest = entry_hash(prev, e.seq, e.at, e.actor, e.action, e.incident_id, e.item_id,
                            e.details)
        case.sql("UPDATE ledger SET prev_hash = :p, hash = :h, details = :d, signature = :s "
                 "WHERE seq = :q", p=prev, h=digest, d=e.details,
                 s=signer.sign_hash(digest) if signer else e.signature, q=e.seq)
        prev = digest
    case.sql("UPDATE incidents SET head_hash = :h", h=prev)


def _police_report(entry: LedgerEntry) -> LedgerEntry:
    details = entry.facts
    details["changes"]["police_report"] = "RPD-9999"
    return replace(entry, details=canonical_details(details))


def _swap_items(case: Case) -> None:
    with case.service.context.engine.begin() as conn:
        one, two = (conn.execute(text("SELECT content_encrypted, sha256, size FROM "
                                      "evidence_items WHERE id = :i"), {"i": i}).one()
                    for i in (1, 2))
        for target, row in ((1, two), (2, one)):
            conn.execute(text("UPDATE evidence_items SET content_encrypted = :c, sha256 = :h, "
                              "size = :s WHERE id = :i"),
                         {"c": row[0], "h": row[1], "s": row[2], "i": target})


def _forged_item(case: Case) -> None:
    forged = b"forged screenshot"
    case.sql("INSERT INTO evidence_items (incident_id, kind, file_name, sha256, size, "
             "captured_at, captured_by, source, content_encrypted) VALUES (:n, 'attachment', "
             "'forged.png', :h, :s, CURRENT_TIMESTAMP, 'cli:root', '{}', :c)",
             n=case.incident, h=sha256_hex(forged), s=len(forged), c=case.encrypt(forged))


def _item_source(case: Case, key: str, value: str) -> None:
    with case.service.context.engine.begin() as conn:
        source = json.loads(conn.execute(text("SELECT source FROM evidence_items WHERE id = 1"))
                            .scalar_one())
        source[key] = value
        conn.execute(text("UPDATE evidence_items SET source = :s WHERE id = 1"),
                     {"s": json.dumps(source, sort_keys=True)})


def _append_forged(case: Case) -> None:
    last = _entries(case)[-1]
    details, at = canonical_details({"v": 2}), last.at + timedelta(minutes=1)
    digest = entry_hash(last.hash, last.seq + 1, at, "cli:root", "viewed", case.incident, None,
                        details)
    case.sql("INSERT INTO ledger (seq, at, actor, action, incident_id, item_id, details, "
             "prev_hash, hash, signature) VALUES (:q, :at, 'cli:root', 'viewed', :n, NULL, :d, "
             ":p, :h, '')", q=last.seq + 1, at=at, n=case.incident, d=details, p=last.hash,
             h=digest)


def _reorder(case: Case) -> None:
    case.sql("UPDATE ledger SET seq = -1 WHERE seq = 1")
    case.sql("UPDATE ledger SET seq = 1 WHERE seq = 2")
    case.sql("UPDATE ledger SET seq = 2 WHERE seq = -1")


#: (kind of change, what it does to the store, the lines verify prints: {n1}, {n2}, {n3} are the
#: items' file names, {m1}, {m2} their message ids).
STORE_CHANGES: list[tuple[str, Callable[[Case], None], list[str]]] = [
    ("two items' content, hash and size swapped", _swap_items,
     ["evidence item 1 ({n1}): SHA-256, size and content differ from ledger entry 2",
      "evidence item 2 ({n2}): SHA-256, size and content differ from ledger entry 3"]),
    ("a forged item encrypted with the data folder's key", _forged_item,
     ["evidence item 4 (forged.png) has no capture entry in the ledger: it was added outside "
      "civicshield"]),
    ("an item's content and hash both changed",
     lambda c: c.sql("UPDATE evidence_items SET content_encrypted = :c, sha256 = :h, size = 6 "
                     "WHERE id = 1", c=c.encrypt(b"forged"), h=sha256_hex(b"forged")),
     ["evidence item 1 ({n1}): SHA-256, size and content differ from ledger entry 2"]),
    ("the item's sender id edited", lambda c: _item_source(c, "sender_id", "someone-else"),
     ["evidence item 1 ({n1}): source (sender_id) differs from ledger entry 2"]),
    ("the item's URL edited", lambda c: _item_source(c, "url", "https://evil.example/1"),
     ["evidence item 1 ({n1}): source (url) differs from ledger entry 2"]),
    ("the message's URL edited",
     lambda c: c.sql("UPDATE messages SET url = 'https://evil.example/2' WHERE id = :i",
                     i=c.messages[1]),
     ["message {m1}: its URL in the store differs from what ledger entry 2 captured"]),
    ("the message's text edited",
     lambda c: c.sql("UPDATE messages SET text = 'I love your policies' WHERE id = :i",
                     i=c.messages[2]),
     ["message {m2}: its text in the store differs from what ledger entry 3 captured"]),
    ("the incident's notes edited", lambda c: c.sql("UPDATE incidents SET notes = 'nothing'"),
     ["incident 1, notes: the store has 'nothing', the ledger '[{day} UTC, cli:root] Called "
      "the desk sergeant'"]),
    ("the incident's severity edited", lambda c: c.sql("UPDATE incidents SET severity = 'low'"),
     ["incident 1, severity: the store has 'low', the ledger 'high'"]),
    ("the police report number edited",
     lambda c: c.sql("UPDATE incidents SET police_reports = '[\"RPD-1\"]'"),
     ["incident 1, police report numbers: the store has \"['RPD-1']\", the ledger "
      "\"['RPD-2026-0412']\""]),
    ("the ledger rewritten with recomputed hashes",
     lambda c: (_rewrite_from(c, 4, _police_report, signer=None),
                c.sql("UPDATE incidents SET police_reports = '[\"RPD-9999\"]'")),
     [f"ledger entry {n} is not signed by the evidence key: it was written or rewritten outside "
      "civicshield" for n in (4, 5, 6)]),
    ("a forged entry appended", _append_forged,
     ["ledger entry 7 has no signature: it was written outside civicshield",
      "incident 1: its last ledger entry was entry 6, but its entries now end at entry 7: "
      "entries were added, removed or replaced outside civicshield"]),
    ("an item deleted", lambda c: c.sql("DELETE FROM evidence_items WHERE id = 3"),
     ["evidence item 3, recorded in ledger entry 5, is missing from the store"]),
    ("the capture person edited",
     lambda c: c.sql("UPDATE evidence_items SET captured_by = 'mallory' WHERE id = 1"),
     ["evidence item 1 ({n1}): capture person differs from ledger entry 2"]),
    ("the capture time edited",
     lambda c: c.sql("UPDATE evidence_items SET captured_at = :t WHERE id = 2",
                     t="2020-01-01 00:00:00+00:00"),
     ["evidence item 2 ({n2}): capture time differs from ledger entry 3"]),
    ("the last entries removed", lambda c: c.sql("DELETE FROM ledger WHERE seq >= 5"),
     ["evidence item 3 (screenshot.png) has no capture entry in the ledger: it was added "
      "outside civicshield",
      "incident 1: its last ledger entry was entry 6, but its entries now end at entry 4: "
      "entries were added, removed or replaced outside civicshield"]),
    ("an item's content changed",
     lambda c: c.sql("UPDATE evidence_items SET content_encrypted = :c WHERE id = 2",
                     c=c.service.context.cipher.encrypt(
                         b"forged", context=f"evidence:{_sha(c, 2)}".encode())),
     ["evidence item 2 ({n2}): content differs from ledger entry 3"]),
    ("an item's recorded hash changed",
     lambda c: c.sql("UPDATE evidence_items SET sha256 = :h WHERE id = 2", h="0" * 64),
     ["evidence item 2 ({n2}): SHA-256 and content differ from ledger entry 3"]),
    ("a ledger row edited", lambda c: c.sql("UPDATE ledger SET actor = 'mallory' WHERE seq = 2"),
     ["ledger entry 2 was altered: its hash does not match its contents"]),
    ("ledger rows reordered", _reorder,
     ["ledger entry 2 is out of order (expected entry 1)",
      "ledger entry 2 was altered: its hash does not match its contents",
      "ledger entry 1 is out of order (expected entry 3)",
      "ledger entry 1 was altered: its hash does not match its contents"]),
    ("a ledger row deleted", lambda c: c.sql("DELETE FROM ledger WHERE seq = 3"),
     ["ledger entry 4: entry 3 before it is missing",
      "evidence item 2 ({n2}) has no capture entry in the ledger: it was added outside "
      "civicshield"]),
    ("an item's content stored as the wrong type",
     lambda c: c.sql("UPDATE evidence_items SET content_encrypted = :c WHERE id = 1",
                     c=b"not encrypted at all"),
     ["evidence item 1 ({n1}): content differs from ledger entry 2"]),
]


def _sha(case: Case, item_id: int) -> str:
    with case.service.context.engine.begin() as conn:
        return str(conn.execute(text("SELECT sha256 FROM evidence_items WHERE id = :i"),
                                {"i": item_id}).scalar_one())


def _expected(case: Case, lines: list[str]) -> tuple[str, ...]:
    day = case.service.incidents.view(ADMIN, case.incident).incident.notes[1:17]
    return tuple(line.format(day=day, m1=case.messages[1], m2=case.messages[2],
                             **{f"n{k}": v for k, v in case.names.items()}) for line in lines)


@pytest.mark.parametrize(("change", "lines"), [(c, lines) for _, c, lines in STORE_CHANGES],
                         ids=[name for name, _, _ in STORE_CHANGES])
def test_every_change_to_the_store_is_named(case: Case, change: Callable[[Case], None],
                                            lines: list[str]) -> None:
    expected = _expected(case, lines)
    change(case)
    assert case.service.incidents.verify(ADMIN).problems == expected


def test_there_are_twenty_kinds_of_change_to_the_store_and_more() -> None:
    assert len(STORE_CHANGES) >= 20


def test_a_malformed_store_is_one_plain_line(case: Case) -> None:
    case.sql("UPDATE evidence_items SET source = 'not json' WHERE id = 2")
    with pytest.raises(ConfigError, match=r"^evidence item 2: its stored record is malformed"):
        case.service.incidents.verify(ADMIN)


def test_a_rewrite_re_signed_with_the_data_folders_key_is_caught_against_anchors(
        case: Case, tmp_path: Path) -> None:
    incidents = case.service.incidents
    packet = incidents.export(ADMIN, case.incident, tmp_path / "packet.zip")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text(incidents.receipt(ADMIN))
    assert incidents.verify_against(ADMIN, packet).ok
    assert incidents.verify_against(ADMIN, receipt).ok
    settings = case.service.settings
    stolen = EvidenceSigner.load(settings.signing_key_file, settings.signing_passphrase)
    _rewrite_from(case, 4, _police_report, signer=stolen)
    case.sql("UPDATE incidents SET police_reports = '[\"RPD-9999\"]'")
    assert incidents.verify(ADMIN).ok  # consistent with itself: only an anchor can tell
    assert incidents.verify_against(ADMIN, packet).problems == (
        "ledger entry 7 is not the one packet packet.zip "
        f"(made {packet_day(packet)}) recorded: the ledger was rewritten since",)
    assert incidents.verify_against(ADMIN, receipt).problems == (
        f"ledger entry 7 is not the one the receipt of {packet_day(packet)} recorded: the "
        "ledger was rewritten since",
        f"ledger entry 7 (incident 1) is not the one the receipt of {packet_day(packet)} "
        "recorded: the ledger was rewritten since")


def test_a_chain_re_signed_with_a_new_key_and_truncated_is_caught(case: Case,
                                                                  tmp_path: Path) -> None:
    incidents = case.service.incidents
    receipt = tmp_path / "receipt.txt"
    receipt.write_text(incidents.receipt(ADMIN))
    settings = case.service.settings
    settings.signing_key_file.unlink()
    fresh = EvidenceSigner.create(settings.signing_key_file)
    case.sql("DELETE FROM ledger WHERE seq = 6")
    case.sql("UPDATE incidents SET head_seq = 5")
    _rewrite_from(case, 1, lambda entry: entry, signer=fresh)
    reopened = CivicShield.open(settings)
    assert reopened.incidents.verify(ADMIN).ok
    problems = reopened.incidents.verify_against(ADMIN, receipt).problems
    assert problems[0].startswith("the evidence key is not the one in the receipt of ")
    assert problems[1:] == (
        f"the ledger ends at entry 5, but the receipt of {packet_day(receipt)} recorded entry 6: "
        "entries were removed",
        f"the ledger ends at entry 5, but the receipt of {packet_day(receipt)} recorded entry 6 "
        "(incident 1): entries were removed")


def test_an_altered_receipt_is_refused(case: Case, tmp_path: Path) -> None:
    from civicshield.domain.errors import InvalidInputError

    receipt = tmp_path / "receipt.txt"
    body = case.service.incidents.receipt(ADMIN)
    lines = body.splitlines()
    block = lines.index("-----BEGIN CIVICSHIELD LEDGER RECEIPT-----") + 1
    lines[block] = lines[block][:-4] + ("AAAA" if not lines[block].endswith("AAAA") else "BBBB")
    receipt.write_text("\n".join(lines))
    with pytest.raises(InvalidInputError, match=r"receipt\.txt: the receipt"):
        case.service.incidents.verify_against(ADMIN, receipt)


def packet_day(path: Path) -> str:
    """The day a packet or receipt was made (today, in the tests)."""
    from datetime import UTC, datetime

    return f"{datetime.now(UTC):%Y-%m-%d}"


# ---- the packet --------------------------------------------------------------------------

def _unpacked(case: Case, tmp_path: Path) -> Path:
    packet = case.service.incidents.export(ADMIN, case.incident, tmp_path / "packet.zip")
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(packet) as archive:
        archive.extractall(folder)
    assert verify_packet(folder).ok
    return folder


def _resum(folder: Path) -> None:
    """Recompute SHA256SUMS over the files it lists, as a forger would."""
    lines = []
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        _, _, name = line.partition("  ")
        lines.append(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}")
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def _forge_original_manifest_and_sums(folder: Path) -> None:
    original = sorted((folder / "originals").iterdir())[0]
    original.write_bytes(b'{"text": "nothing to see"}')
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][0]["sha256"] = hashlib.sha256(original.read_bytes()).hexdigest()
    manifest["files"][0]["size"] = original.stat().st_size
    (folder / "manifest.json").write_text(json.dumps(manifest))
    _resum(folder)


def _drop_ledger_line(folder: Path, seq: int) -> None:
    lines = (folder / "ledger.jsonl").read_text().splitlines()
    kept = [line for line in lines if json.loads(line)["seq"] != seq]
    (folder / "ledger.jsonl").write_text("\n".join(kept) + "\n")


def _edit_ledger_actor(folder: Path) -> None:
    lines = (folder / "ledger.jsonl").read_text().splitlines()
    entry = json.loads(lines[1])
    entry["actor"] = "mallory"
    lines[1] = json.dumps(entry)
    (folder / "ledger.jsonl").write_text("\n".join(lines) + "\n")


PACKET_CHANGES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("an original edited with manifest.json and SHA256SUMS", _forge_original_manifest_and_sums,
     ["SHA256SUMS.sig is not a signature of SHA256SUMS by evidence-key.pem: the list of "
      "fingerprints was changed after the packet was made",
      "evidence item 1: manifest.json's sha256, size and file differ from ledger entry 2",
      "manifest.json is not the one this export made (ledger entry 7 records another "
      "SHA-256)"]),
    ("a middle ledger line deleted", lambda f: _drop_ledger_line(f, 4),
     ["ledger.jsonl was changed: its SHA-256 does not match SHA256SUMS",
      "ledger entry 5 (incident 1, entry 5) does not follow the incident's entry before it: "
      "an entry is missing or out of order"]),
    ("an original removed", lambda f: sorted((f / "originals").iterdir())[1].unlink(),
     ["originals/000002-{n2}, listed in SHA256SUMS, is missing from the packet"]),
    ("report.pdf replaced", lambda f: (f / "report.pdf").write_bytes(b"%PDF-1.7 forged"),
     ["report.pdf was changed: its SHA-256 does not match SHA256SUMS",
      "report.pdf is not the one this export made (ledger entry 7 records another SHA-256)"]),
    ("an extra file", lambda f: (f / "originals" / "000009-extra.json").write_text("{}"),
     ["originals/000009-extra.json is not part of the packet: SHA256SUMS does not list it"]),
    ("an original edited", lambda f: sorted((f / "originals").iterdir())[0].write_bytes(b"x"),
     ["originals/000001-{n1} was changed: its SHA-256 does not match SHA256SUMS"]),
    ("a ledger line edited", _edit_ledger_actor,
     ["ledger.jsonl was changed: its SHA-256 does not match SHA256SUMS",
      "ledger entry 2 was altered: its hash does not match its contents"]),
    ("report.pdf replaced and SHA256SUMS recomputed",
     lambda f: ((f / "report.pdf").write_bytes(b"%PDF-1.7 forged"), _resum(f)),
     ["SHA256SUMS.sig is not a signature of SHA256SUMS by evidence-key.pem: the list of "
      "fingerprints was changed after the packet was made",
      "report.pdf is not the one this export made (ledger entry 7 records another SHA-256)"]),
]


@pytest.mark.parametrize(("change", "lines"), [(c, lines) for _, c, lines in PACKET_CHANGES],
                         ids=[name for name, _, _ in PACKET_CHANGES])
def test_every_change_to_a_packet_is_named(case: Case, tmp_path: Path,
                                           change: Callable[[Path], None],
                                           lines: list[str]) -> None:
    folder = _unpacked(case, tmp_path)
    expected = tuple(line.format(**{f"n{k}": v for k, v in case.names.items()})
                     for line in lines)
    change(folder)
    assert verify_packet(folder).problems == expected


def test_a_malformed_packet_is_one_plain_line(case: Case, tmp_path: Path) -> None:
    folder = _unpacked(case, tmp_path)
    (folder / "ledger.jsonl").write_text("{not json\n")
    assert verify_packet(folder).problems == (
        "ledger.jsonl was changed: its SHA-256 does not match SHA256SUMS",
        "ledger.jsonl, line 1: not a ledger entry")
