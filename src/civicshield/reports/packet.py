"""The evidence packet: a ZIP that police, platforms and lawyers can check with common tools.

Layout::

    originals/<item>-<file>   every original, byte for byte, as captured
    manifest.json             every file with its SHA-256, size, source and capture details
    ledger.jsonl              the incident's chain-of-custody entries, with their hashes
    timeline.csv              every message: time, platform, sender, ids, URL, labels, SHA-256
    report.pdf                summary, timeline, each message with identifiers and hashes
    SHA256SUMS                `sha256sum -c SHA256SUMS` checks every file above
    HOW-TO-VERIFY.txt         the same steps in words

Every part is streamed from the store a chunk at a time, so memory does not grow with the
incident; the PDF shows the first TIMELINE_ROWS messages (the CSV and originals hold them all).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicshield.domain.evidence import (
    EvidenceItem,
    LedgerEntry,
    Verification,
    entry_hash,
)
from civicshield.domain.models import StoredMessage
from civicshield.reports.contents import PacketContents, Summary
from civicshield.reports.pdf import TIMELINE_ROWS, render_report

HOW_TO_VERIFY = """How to check this evidence packet
==================================

1. Unpack the ZIP into a folder and open a terminal in that folder.
2. Run:  sha256sum -c SHA256SUMS
   (on macOS: shasum -a 256 -c SHA256SUMS; on Windows PowerShell: Get-FileHash -Algorithm SHA256)
   Every line must say OK. A file that was changed after export says FAILED.
3. manifest.json lists each original with the SHA-256 recorded when civicshield captured it
   ("sha256"). It is the same value as in SHA256SUMS and, for messages, the value taken when
   the platform export was imported ("raw_sha256_at_import").
4. ledger.jsonl is the chain of custody: every capture, view, note and export, in order. Each
   entry's "hash" is the SHA-256 of the JSON array
   [prev_hash, seq, at, actor, action, incident_id, item_id, details]
   written without spaces; "prev_hash" is the hash of the entry before it in the full ledger.
   `civicshield evidence verify --packet FOLDER` recomputes all of this.
"""


def original_path(item: EvidenceItem) -> str:
    """Where an original sits inside the packet."""
    return f"originals/{item.id:06d}-{item.file_name}"


def _ledger_line(e: LedgerEntry) -> str:
    return json.dumps({"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor,
                       "action": e.action, "incident_id": e.incident_id, "item_id": e.item_id,
                       "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash},
                      ensure_ascii=False) + "\n"


class _Member:
    """One ZIP member written piece by piece while its SHA-256 is computed."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self._out = archive.open(name, "w", force_zip64=True)
        self._digest = hashlib.sha256()

    def write(self, data: bytes | str) -> None:
        chunk = data.encode("utf-8") if isinstance(data, str) else data
        self._digest.update(chunk)
        self._out.write(chunk)

    def close(self) -> str:
        self._out.close()
        return self._digest.hexdigest()


def write_packet(target: Path, contents: PacketContents) -> None:
    """Write the ZIP, streaming every part from the store a chunk at a time."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item, data in contents.originals():
            archive.writestr(original_path(item), data)
        sums = {name: _write(archive, name, writer) for name, writer in (
            ("manifest.json", lambda m: _manifest(contents, m)),
            ("ledger.jsonl", lambda m: [m.write(_ledger_line(e)) for e in contents.ledger()]),
            ("timeline.csv", lambda m: _timeline(contents, m)),
            ("report.pdf", lambda m: m.write(_report(contents))),
        )}
        archive.writestr("HOW-TO-VERIFY.txt", HOW_TO_VERIFY)
        with archive.open("SHA256SUMS", "w") as out:
            for item in contents.items():
                out.write(f"{item.sha256}  {original_path(item)}\n".encode())
            for name, digest in sums.items():
                out.write(f"{digest}  {name}\n".encode())


def _write(archive: zipfile.ZipFile, name: str, writer: Callable[[_Member], object]) -> str:
    member = _Member(archive, name)
    writer(member)
    return member.close()


def _manifest(contents: PacketContents, out: _Member) -> None:
    incident = contents.incident
    head = {
        "format": "civicshield-evidence-packet/1",
        "generated_at": contents.generated_at.isoformat(),
        "generated_by": contents.generated_by,
        "incident": {"id": incident.id, "title": incident.title, "status": incident.status.value,
                     "severity": incident.severity.value, "protected_person": contents.principal,
                     "opened_at": incident.created_at.isoformat(),
                     "opened_by": incident.created_by,
                     "police_reports": list(incident.police_reports),
                     "involved": list(incident.involved)},
    }
    out.write(json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "files": [\n')
    for n, item in enumerate(contents.items()):
        entry = {"path": original_path(item), "item_id": item.id, "kind": item.kind,
                 "sha256": item.sha256, "size": item.size,
                 "captured_at": item.captured_at.isoformat(), "captured_by": item.captured_by,
                 "derived_from": item.derived_from, "source": item.source}
        out.write(("" if n == 0 else ",\n") + "    " + json.dumps(entry, ensure_ascii=False))
    out.write("\n  ]\n}\n")


def _timeline(contents: PacketContents, out: _Member) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sent_utc", "platform", "sender", "sender_platform_id", "message_id", "url",
                     "labels", "sha256"])
    for m in contents.messages():
        writer.writerow([m.created_at.astimezone(UTC).isoformat(), m.platform, m.sender.label,
                         m.sender.external_id, m.external_id, m.url, " ".join(m.flags),
                         m.raw_sha256])
        if buffer.tell() > 1 << 16:
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue())


def _report(contents: PacketContents) -> bytes:
    summary = Summary()
    shown: list[StoredMessage] = []
    for m in contents.messages():
        summary.add(m)
        if len(shown) < TIMELINE_ROWS:
            shown.append(m)
    attachments = [i for i in contents.items() if i.kind != "message"][:TIMELINE_ROWS]
    by_message = {i.message_id: i for i in contents.items()
                  if i.message_id is not None and i.message_id in {m.id for m in shown}}
    return render_report(contents, summary, shown, by_message, attachments)


def verify_packet(folder: Path) -> Verification:
    """Check an unpacked packet: SHA256SUMS, the manifest's hashes, and each ledger entry's hash
    and its link to the entry before it where the extract holds both."""
    try:
        sums = (folder / "SHA256SUMS").read_text("utf-8").splitlines()
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        lines = (folder / "ledger.jsonl").read_text("utf-8").splitlines()
    except (OSError, ValueError) as exc:
        return Verification.failed(0, 0, f"{folder}: not a complete evidence packet ({exc})")
    for n, line in enumerate(sums, start=1):
        digest, _, name = line.partition("  ")
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return Verification.failed(0, n - 1,
                                       f"{name}: missing or changed (SHA256SUMS line {n})")
    listed = {name for _, _, name in (line.partition("  ") for line in sums)}
    for entry in manifest["files"]:
        if entry["path"] not in listed:
            return Verification.failed(0, len(sums), f"{entry['path']}: in manifest.json but "
                                                     "not in SHA256SUMS")
    previous: dict[str, Any] | None = None
    for n, line in enumerate(lines, start=1):
        e = json.loads(line)
        expected = entry_hash(e["prev_hash"], e["seq"], datetime.fromisoformat(e["at"]),
                              e["actor"], e["action"], e["incident_id"], e["item_id"],
                              e["details"])
        if expected != e["hash"]:
            return Verification.failed(n - 1, len(sums), f"ledger entry {e['seq']} was altered")
        if previous and previous["seq"] + 1 == e["seq"] and previous["hash"] != e["prev_hash"]:
            return Verification.failed(n - 1, len(sums),
                                f"ledger entry {e['seq']} does not follow entry {previous['seq']}")
        if previous and e["seq"] <= previous["seq"]:
            return Verification.failed(n - 1, len(sums), f"ledger entry {e['seq']} is out of order")
        previous = e
    return Verification(ok=True, checked_entries=len(lines), checked_items=len(sums))
