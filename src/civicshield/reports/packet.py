"""The evidence packet: a ZIP that police, platforms and lawyers can check with common tools.

Layout::

    originals/<item>-<file>   every original, byte for byte, as captured (.eml, .json, ...)
    manifest.json             every file with its SHA-256, size, source and capture entry
    ledger.jsonl              the incident's chain-of-custody entries, hashed and signed
    timeline.csv              every message: time, platform, sender, ids, URL, labels, SHA-256
    report.pdf                summary, senders, messages, custody table, notices, certification
    HOW-TO-VERIFY.txt         how to check all of this, with the public key printed
    evidence-key.pem          the public half of the installation's Ed25519 evidence key
    HEAD.txt                  the chain head this packet extends: entry number and hash
    SHA256SUMS                `sha256sum -c SHA256SUMS` checks every file above
    SHA256SUMS.sig            the Ed25519 signature of SHA256SUMS

The report, manifest and timeline are written first; the export is then recorded in the ledger
with their SHA-256 (so a replaced report is found), and the packet's ledger ends with that entry.
Every part is streamed from the store a chunk at a time; the PDF shows the first TIMELINE_ROWS
messages (the CSV and originals hold them all).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from civicshield.crypto import EvidenceSigner, key_fingerprint, public_hex_of_pem, signature_valid
from civicshield.domain.custody import check_entry, check_incident_chain
from civicshield.domain.evidence import (
    ITEM_ACTIONS,
    EvidenceItem,
    LedgerEntry,
    Verification,
    sha256_hex,
)
from civicshield.domain.wording import listed
from civicshield.reports.cells import neutralise
from civicshield.reports.contents import CapturedMessage, PacketContents, Summary
from civicshield.reports.pdf import TIMELINE_ROWS, render_report

#: Files every packet holds besides the originals.
PARTS = ("manifest.json", "ledger.jsonl", "timeline.csv", "report.pdf", "HOW-TO-VERIFY.txt",
         "evidence-key.pem", "HEAD.txt")
_SIGNED = ("SHA256SUMS", "SHA256SUMS.sig")
_KEY_LINE = re.compile(r"^\s*Evidence key \(Ed25519, hex\): ([0-9a-f]{64})$", re.MULTILINE)

HOW_TO_VERIFY = """How to check this evidence packet
==================================

1. Unpack the ZIP into a folder and open a terminal in that folder.
2. Run:  sha256sum -c SHA256SUMS
   (on macOS: shasum -a 256 -c SHA256SUMS; on Windows PowerShell: Get-FileHash -Algorithm SHA256)
   Every line must say OK. A file that was changed after export says FAILED.
3. Check that SHA256SUMS itself was signed by the office's evidence key:
     openssl pkeyutl -verify -pubin -inkey evidence-key.pem -rawin -in SHA256SUMS \\
       -sigfile SHA256SUMS.sig
   It must print "Signature Verified Successfully". Compare the key below with the one on a
   ledger receipt the office sent you earlier, or ask the office to read its fingerprint to you:
   a packet re-made with another key is not the office's.

   Evidence key (Ed25519, hex): {public_hex}
   Key fingerprint: {fingerprint}

4. manifest.json lists each original with the SHA-256 recorded when civicshield captured it,
   the ledger entry that recorded the capture, and, for messages, the value taken when the
   platform export was imported ("raw_sha256_at_import").
5. ledger.jsonl is the chain of custody of this incident: opening, every capture, view, note and
   export, in order. Each entry's "hash" is the SHA-256 of the JSON array
   [prev_hash, seq, at, actor, action, incident_id, item_id, details]
   written without spaces; "prev_hash" links it to the entry before it in the office's whole
   ledger, "incident_prev" (inside details) to the incident's entry before it, and "signature"
   is the Ed25519 signature of the hash's hex text by the key above.
6. HEAD.txt names the last entry, which records this export with the SHA-256 of report.pdf,
   manifest.json and timeline.csv. `civicshield evidence verify --packet FOLDER` checks all of
   this; `civicshield evidence verify --against FOLDER` checks that the office's ledger today
   still holds this head (nothing rewritten or removed since).
"""

#: Records the export in the ledger given the written parts' SHA-256; returns the entry.
RecordExport = Callable[[dict[str, str]], LedgerEntry]


def original_path(item: EvidenceItem) -> str:
    """Where an original sits inside the packet."""
    return f"originals/{item.id:06d}-{item.file_name}"


def ledger_line(e: LedgerEntry) -> str:
    """One ledger entry as a line of ledger.jsonl."""
    return json.dumps({"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor,
                       "action": e.action, "incident_id": e.incident_id, "item_id": e.item_id,
                       "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash,
                       "signature": e.signature}, ensure_ascii=False) + "\n"


def head_text(entry: LedgerEntry, contents: PacketContents, public_hex: str) -> str:
    """HEAD.txt: the head this packet extends, in lines a person and a program can read."""
    return "\n".join([
        "civicshield evidence packet head",
        f"incident: {contents.incident.id}",
        f"ledger entry: {entry.seq}",
        f"entry hash: {entry.hash}",
        f"incident entry: {entry.facts.get('incident_seq', '')}",
        f"made at: {contents.generated_at.isoformat()}",
        f"made by: {contents.generated_by}",
        f"evidence key: {public_hex}",
        f"key fingerprint: {key_fingerprint(public_hex)}",
    ]) + "\n"


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


def write_packet(target: Path, contents: PacketContents, *, record_export: RecordExport,
                 signer: EvidenceSigner) -> LedgerEntry:
    """Write the ZIP, streaming every part from the store a chunk at a time; returns the
    export entry that ends the packet's ledger."""
    sums: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item, data in contents.originals():
            archive.writestr(original_path(item), data)
            sums[original_path(item)] = sha256_hex(data)
        for name, writer in (("manifest.json", lambda m: _manifest(contents, m)),
                             ("timeline.csv", lambda m: _timeline(contents, m)),
                             ("report.pdf", lambda m: m.write(_report(contents)))):
            sums[name] = _write(archive, name, writer)
        export = record_export({k: sums[k] for k in ("manifest.json", "timeline.csv",
                                                      "report.pdf")})
        fixed = {
            "ledger.jsonl": "".join(ledger_line(e) for e in (*contents.entries, export)),
            "HOW-TO-VERIFY.txt": HOW_TO_VERIFY.replace("{public_hex}", signer.public_hex)
                                              .replace("{fingerprint}", signer.fingerprint),
            "evidence-key.pem": signer.public_pem().decode("ascii"),
            "HEAD.txt": head_text(export, contents, signer.public_hex),
        }
        for name, text in fixed.items():
            archive.writestr(name, text)
            sums[name] = sha256_hex(text.encode("utf-8"))
        listing = "".join(f"{digest}  {name}\n" for name, digest in sums.items()).encode()
        archive.writestr("SHA256SUMS", listing)
        archive.writestr("SHA256SUMS.sig", bytes.fromhex(signer.sign(listing)))
    return export


def _write(archive: zipfile.ZipFile, name: str, writer: Callable[[_Member], object]) -> str:
    member = _Member(archive, name)
    writer(member)
    return member.close()


def _manifest(contents: PacketContents, out: _Member) -> None:
    incident, fields = contents.incident, contents.fields
    last = contents.entries[-1] if contents.entries else None
    head = {
        "format": "civicshield-evidence-packet/2",
        "generated_at": contents.generated_at.isoformat(),
        "generated_by": contents.generated_by,
        "evidence_key_fingerprint": contents.key_fingerprint,
        "incident": {"id": incident.id, "protected_person": contents.principal,
                     "opened_at": incident.created_at.isoformat(),
                     "opened_by": incident.created_by, **fields},
        "ledger_before_export": {"entries": len(contents.entries),
                                 "last_entry": last.seq if last else None,
                                 "last_hash": last.hash if last else None},
    }
    recorded = {e.item_id: e.seq for e in contents.entries
                if e.action in ITEM_ACTIONS and e.item_id is not None}
    messages = {m.item.id: m for m in contents.messages()}
    out.write(json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "files": [\n')
    for n, item in enumerate(contents.items()):
        entry: dict[str, Any] = {
            "path": original_path(item), "item_id": item.id, "kind": item.kind,
            "sha256": item.sha256, "size": item.size, "ledger_entry": recorded.get(item.id),
            "captured_at": item.captured_at.isoformat(), "captured_by": item.captured_by,
            "derived_from": item.derived_from, "source": item.source}
        if item.id in messages:
            facts = messages[item.id].facts
            entry["message"] = {k: facts.get(k, "") for k in (
                "platform", "external_id", "url", "created_at", "sender_id", "sender_handle",
                "sender_name", "account")}
        out.write(("" if n == 0 else ",\n") + "    " + json.dumps(entry, ensure_ascii=False))
    out.write("\n  ]\n}\n")


def _timeline(contents: PacketContents, out: _Member) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sent_utc", "platform", "sender", "sender_platform_id", "account_id",
                     "message_id", "url", "labels", "sha256", "original"])
    for m in contents.messages():
        writer.writerow([neutralise(str(v)) for v in (
            m.created_at.isoformat(), m.get("platform"), m.sender_label, m.get("sender_id"),
            m.account.get("id", ""), m.get("external_id"), m.get("url"),
            " ".join(m.facts.get("flags", [])), m.item.sha256, m.path)])
        if buffer.tell() > 1 << 16:
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue())


def _report(contents: PacketContents) -> bytes:
    summary = Summary()
    shown: list[CapturedMessage] = []
    for m in contents.messages():
        summary.add(m)
        if len(shown) < TIMELINE_ROWS:
            shown.append(m)
    attachments = [i for i in contents.items() if i.kind != "message"][:TIMELINE_ROWS]
    return render_report(contents, summary, shown, attachments)


# ---- checking an unpacked packet ------------------------------------------------------------

def verify_packet(folder: Path) -> Verification:
    """Check an unpacked packet as a whole: every file against SHA256SUMS, SHA256SUMS against its
    signature and the key printed in HOW-TO-VERIFY.txt, the ledger's hashes, signatures and
    links, the manifest against the ledger and the files, and the report against the export
    entry. Missing and extra files are named."""
    problems: list[str] = []
    sums, found = _read_sums(folder, problems)
    in_sums = set(sums)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for name in sorted(present - in_sums - set(_SIGNED)):
        problems.append(f"{name} is not part of the packet: SHA256SUMS does not list it")
    for name in (*PARTS, *_SIGNED):
        if name not in present:
            problems.append(f"{name} is missing from the packet")
    for name, digest in sums.items():
        if name not in present:
            if name not in PARTS:
                problems.append(f"{name}, listed in SHA256SUMS, is missing from the packet")
        elif hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
            problems.append(f"{name} was changed: its SHA-256 does not match SHA256SUMS")
    public_hex = _check_signature(folder, found, present, problems)
    entries = _read_ledger(folder, present, problems)
    if entries is not None:
        _check_ledger(entries, public_hex, folder, present, problems)
        _check_manifest(folder, present, entries, sums, problems)
        _check_export(folder, present, entries, problems)
    return Verification(len(entries or []), len(sums), tuple(problems))


def _read_sums(folder: Path, problems: list[str]) -> tuple[dict[str, str], bytes]:
    try:
        raw = (folder / "SHA256SUMS").read_bytes()
    except OSError:
        return {}, b""
    sums: dict[str, str] = {}
    for n, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest):
            problems.append(f"SHA256SUMS, line {n}: not a 'sha256  file' line")
            continue
        sums[name] = digest
    return sums, raw


def _check_signature(folder: Path, listing: bytes, present: set[str],
                     problems: list[str]) -> str:
    if "evidence-key.pem" not in present or "SHA256SUMS.sig" not in present:
        return ""
    try:
        public_hex = public_hex_of_pem((folder / "evidence-key.pem").read_bytes())
    except ValueError:
        problems.append("evidence-key.pem is not an Ed25519 public key")
        return ""
    printed = _KEY_LINE.search(_text(folder, "HOW-TO-VERIFY.txt", present))
    if printed is None or printed.group(1) != public_hex:
        problems.append("the key in evidence-key.pem is not the one printed in "
                        "HOW-TO-VERIFY.txt")
    head_key = _head(folder, present).get("evidence key")
    if head_key is not None and head_key != public_hex:
        problems.append("the key in evidence-key.pem is not the one named in HEAD.txt")
    if listing and not signature_valid(public_hex, listing,
                                       (folder / "SHA256SUMS.sig").read_bytes().hex()):
        problems.append("SHA256SUMS.sig is not a signature of SHA256SUMS by evidence-key.pem: "
                        "the list of fingerprints was changed after the packet was made")
    return public_hex


def _read_ledger(folder: Path, present: set[str], problems: list[str]
                 ) -> list[LedgerEntry] | None:
    if "ledger.jsonl" not in present:
        return None
    entries: list[LedgerEntry] = []
    text = (folder / "ledger.jsonl").read_text("utf-8", "replace")
    for n, line in enumerate(text.splitlines(), start=1):
        try:
            e = json.loads(line)
            entries.append(LedgerEntry(int(e["seq"]), datetime.fromisoformat(e["at"]),
                                       str(e["actor"]), str(e["action"]), int(e["incident_id"]),
                                       None if e["item_id"] is None else int(e["item_id"]),
                                       str(e["details"]), str(e["prev_hash"]), str(e["hash"]),
                                       str(e.get("signature", ""))))
        except (ValueError, KeyError, TypeError):
            problems.append(f"ledger.jsonl, line {n}: not a ledger entry")
            return None
    return entries


def _check_ledger(entries: list[LedgerEntry], public_hex: str, folder: Path, present: set[str],
                  problems: list[str]) -> None:
    for previous, entry in zip([None, *entries], entries, strict=False):
        if previous is not None and entry.seq <= previous.seq:
            problems.append(f"ledger entry {entry.seq} is out of order in ledger.jsonl")
        if previous is not None and entry.seq == previous.seq + 1 \
                and entry.prev_hash != previous.hash:
            problems.append(f"ledger entry {entry.seq} does not follow entry {previous.seq}: "
                            "the chain is broken")
        found = check_entry(entry, lambda h, s: signature_valid(public_hex, h.encode(), s),
                            signed_before=True)
        if found:
            problems.append(found)
    problems.extend(check_incident_chain(entries))
    head = _head(folder, present)
    if entries and head and (head.get("ledger entry") != str(entries[-1].seq)
                             or head.get("entry hash") != entries[-1].hash):
        problems.append(f"HEAD.txt names entry {head.get('ledger entry')} but ledger.jsonl "
                        f"ends at entry {entries[-1].seq}: entries were removed or added")


def _check_manifest(folder: Path, present: set[str], entries: list[LedgerEntry],
                    sums: dict[str, str], problems: list[str]) -> None:
    try:
        manifest = json.loads(_text(folder, "manifest.json", present) or "{}")
        files = {int(f["item_id"]): f for f in manifest.get("files", [])}
    except (ValueError, KeyError, TypeError):
        problems.append("manifest.json is not a packet manifest")
        return
    recorded = {e.item_id: e for e in entries if e.action in ITEM_ACTIONS and e.item_id}
    for item_id, entry in sorted(recorded.items()):
        item = entry.facts.get("item")
        in_manifest = files.get(item_id)
        if in_manifest is None:
            problems.append(f"evidence item {item_id}, recorded in ledger entry {entry.seq}, is "
                            "not in manifest.json")
            continue
        if not isinstance(item, dict):
            continue
        differs = [k for k in ("sha256", "size", "kind", "captured_at", "captured_by", "source")
                   if in_manifest.get(k) != item.get(k)]
        if sums.get(in_manifest.get("path", "")) not in (None, item.get("sha256")):
            differs.append("file")
        if differs:
            problems.append(f"evidence item {item_id}: manifest.json's {listed(differs)} "
                            f"{'differs' if len(differs) == 1 else 'differ'} from ledger entry "
                            f"{entry.seq}")
    for item_id in sorted(set(files) - set(recorded)):
        problems.append(f"evidence item {item_id} is in manifest.json but no ledger entry "
                        "recorded it")


def _check_export(folder: Path, present: set[str], entries: list[LedgerEntry],
                  problems: list[str]) -> None:
    export = entries[-1] if entries and entries[-1].action == "exported" else None
    if export is None:
        problems.append("ledger.jsonl does not end with the export of this packet")
        return
    for name, key in (("report.pdf", "report_sha256"), ("manifest.json", "manifest_sha256"),
                      ("timeline.csv", "timeline_sha256")):
        if name in present and key in export.facts and \
                hashlib.sha256((folder / name).read_bytes()).hexdigest() != export.facts[key]:
            problems.append(f"{name} is not the one this export made (ledger entry "
                            f"{export.seq} records another SHA-256)")


def _head(folder: Path, present: set[str]) -> dict[str, str]:
    lines = _text(folder, "HEAD.txt", present).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}


def _text(folder: Path, name: str, present: set[str]) -> str:
    return (folder / name).read_text("utf-8", "replace") if name in present else ""
