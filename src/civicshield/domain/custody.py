"""Checking the chain of custody: every entry, every item, every captured message and every
incident's fields against the ledger, each problem named in one plain line.

Pure: the caller reads the store (or an unpacked packet) and passes what it holds, with a
function that checks an entry's signature against the evidence key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from civicshield.domain.evidence import (
    DETAILS_FORMAT,
    GENESIS,
    ITEM_ACTIONS,
    EvidenceItem,
    Incident,
    LedgerEntry,
    Verification,
    entry_hash,
    fold_fields,
    incident_fields,
    item_facts,
    sha256_hex,
)
from civicshield.domain.wording import listed

#: Checks an entry hash's signature: (hash hex, signature hex) -> valid.
SignatureCheck = Callable[[str, str], bool]

_ITEM_LABELS = {"kind": "kind", "file_name": "file name", "sha256": "SHA-256", "size": "size",
                "captured_at": "capture time", "captured_by": "capture person",
                "message_id": "message", "derived_from": "original it was redacted from"}
_MESSAGE_LABELS = {"platform": "platform", "external_id": "message id", "url": "URL",
                   "text": "text", "subject": "subject", "created_at": "time sent",
                   "sender_id": "sender id"}
_INCIDENT_LABELS = {"title": "title", "severity": "severity", "status": "status",
                    "notes": "notes", "police_reports": "police report numbers",
                    "involved": "people and accounts involved", "notices": "notice record",
                    "impact_statement": "victim impact statement"}


def is_bound(entry: LedgerEntry) -> bool:
    """True for entries of the format that binds every fact."""
    return entry.facts.get("v") == DETAILS_FORMAT


def check_entry(entry: LedgerEntry, check_signature: SignatureCheck, *,
                signed_before: bool) -> str | None:
    """The problem with one entry's own hash or signature, if any."""
    if entry.hash != entry_hash(entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action,
                                entry.incident_id, entry.item_id, entry.details):
        return f"ledger entry {entry.seq} was altered: its hash does not match its contents"
    if entry.signature:
        if not check_signature(entry.hash, entry.signature):
            return (f"ledger entry {entry.seq} is not signed by the evidence key: it was "
                    "written or rewritten outside civicshield")
    elif signed_before or is_bound(entry):
        return f"ledger entry {entry.seq} has no signature: it was written outside civicshield"
    return None


def check_chain(entries: Sequence[LedgerEntry], check_signature: SignatureCheck) -> list[str]:
    """The whole ledger in stored order: numbering, links, hashes and signatures."""
    problems: list[str] = []
    present = {e.seq for e in entries}
    expected, prev, signed, skip_link = 1, GENESIS, False, False
    for entry in entries:
        if entry.seq != expected:
            absent = [n for n in range(expected, entry.seq) if n not in present]
            if entry.seq > expected and len(absent) == entry.seq - expected:
                problems.append(f"ledger entry {entry.seq}: {_entries(absent)} before it "
                                f"{'is' if len(absent) == 1 else 'are'} missing")
            else:
                problems.append(f"ledger entry {entry.seq} is out of order (expected entry "
                                f"{expected})")
            skip_link = True
        elif entry.prev_hash != prev and not skip_link:
            problems.append(f"ledger entry {entry.seq} does not follow entry {entry.seq - 1}: "
                            "the chain is broken")
        else:
            skip_link = False
        found = check_entry(entry, check_signature, signed_before=signed)
        if found:
            problems.append(found)
        signed = signed or bool(entry.signature)
        prev, expected = entry.hash, max(expected, entry.seq + 1)
    return problems


def check_incident_chain(entries: Sequence[LedgerEntry]) -> list[str]:
    """Each incident's own chain (``incident_seq``, ``incident_prev``) among bound entries, for
    a packet that holds one incident's entries without the rest of the ledger."""
    problems: list[str] = []
    by_incident: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        by_incident[entry.incident_id].append(entry)
    for incident_id, own in by_incident.items():
        prev: LedgerEntry | None = None
        for entry in own:
            facts = entry.facts
            if not is_bound(entry):
                prev = entry
                continue
            want_seq = (prev.facts.get("incident_seq", 0) + 1) if prev and is_bound(prev) else None
            want_prev = prev.hash if prev else GENESIS
            if facts.get("incident_prev") != want_prev or (
                    want_seq is not None and facts.get("incident_seq") != want_seq):
                before = facts.get("incident_seq", 0)
                problems.append(f"ledger entry {entry.seq} (incident {incident_id}, entry "
                                f"{before}) does not follow the incident's entry before it: "
                                "an entry is missing or out of order")
            prev = entry
    return problems


def check_items(entries: Sequence[LedgerEntry], items: Iterable[tuple[EvidenceItem, bytes]]
                ) -> tuple[list[str], int]:
    """Every stored item against the entry that recorded it, and every recorded item present;
    returns the problems and how many items were read."""
    problems: list[str] = []
    recorded: dict[int, LedgerEntry] = {}
    for entry in entries:
        if entry.action in ITEM_ACTIONS and entry.item_id is not None:
            if entry.item_id in recorded:
                problems.append(f"evidence item {entry.item_id} is recorded twice, in ledger "
                                f"entries {recorded[entry.item_id].seq} and {entry.seq}")
            recorded.setdefault(entry.item_id, entry)
    seen: set[int] = set()
    for item, data in items:
        seen.add(item.id)
        found = recorded.get(item.id)
        if found is None:
            problems.append(f"evidence item {item.id} ({item.file_name}) has no capture entry "
                            "in the ledger: it was added outside civicshield")
            continue
        differs = _item_differences(item, data, found)
        if differs:
            problems.append(f"evidence item {item.id} ({item.file_name}): {listed(differs)} "
                            f"{'differs' if len(differs) == 1 else 'differ'} from ledger entry "
                            f"{found.seq}")
    for item_id, entry in sorted(recorded.items()):
        if item_id not in seen:
            problems.append(f"evidence item {item_id}, recorded in ledger entry {entry.seq}, is "
                            "missing from the store")
    return problems, len(seen)


def _item_differences(item: EvidenceItem, data: bytes, entry: LedgerEntry) -> list[str]:
    facts = entry.facts.get("item")
    if not isinstance(facts, dict):  # recorded before format 2: the hash only
        recorded_hash = entry.facts.get("sha256", item.sha256)
        differs = ["SHA-256"] if recorded_hash != item.sha256 else []
        if sha256_hex(data) != recorded_hash or len(data) != item.size:
            differs.append("content")
        return differs
    stored = item_facts(item)
    differs = [label for key, label in _ITEM_LABELS.items() if stored[key] != facts.get(key)]
    source = facts.get("source", {})
    changed = sorted(k for k in set(stored["source"]) | set(source)
                     if stored["source"].get(k) != source.get(k))
    if changed:
        differs.append(f"source ({', '.join(changed)})")
    if sha256_hex(data) != facts.get("sha256") or len(data) != facts.get("size"):
        differs.append("content")
    return differs


def check_messages(entries: Sequence[LedgerEntry], current: Mapping[int, Mapping[str, Any]]
                   ) -> list[str]:
    """Each captured message as the store holds it now against the capture entry."""
    problems: list[str] = []
    for entry in entries:
        captured = entry.facts.get("message")
        if not isinstance(captured, dict) or entry.item_id is None:
            continue
        message_id = entry.facts.get("item", {}).get("message_id")
        now = current.get(message_id) if isinstance(message_id, int) else None
        if now is None:
            problems.append(f"message {message_id}, captured in ledger entry {entry.seq}, is "
                            "missing from the store")
            continue
        differs = [label for key, label in _MESSAGE_LABELS.items()
                   if key in captured and now.get(key) != captured[key]]
        if differs:
            problems.append(f"message {message_id}: its {listed(differs)} in the store "
                            f"{'differs' if len(differs) == 1 else 'differ'} from what ledger "
                            f"entry {entry.seq} captured")
    return problems


def check_incidents(entries: Sequence[LedgerEntry], incidents: Sequence[Incident]) -> list[str]:
    """Each incident's fields against its ledger, and its recorded last entry against the
    ledger's (the last entries removed)."""
    problems: list[str] = []
    by_incident: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        by_incident[entry.incident_id].append(entry)
    for incident in incidents:
        own = by_incident.get(incident.id, [])
        expected = fold_fields(own)
        if expected is not None:
            stored = incident_fields(incident)
            for key, label in _INCIDENT_LABELS.items():
                if stored[key] != expected.get(key):
                    problems.append(f"incident {incident.id}, {label}: the store has "
                                    f"{_shown(stored[key])}, the ledger "
                                    f"{_shown(expected.get(key))}")
        if incident.head_seq:
            last = own[-1] if own else None
            if last is None or last.seq != incident.head_seq or last.hash != incident.head_hash:
                ends = f"at entry {last.seq}" if last else "with no entry"
                problems.append(f"incident {incident.id}: its last ledger entry was entry "
                                f"{incident.head_seq}, but its entries now end {ends}: entries "
                                "were added, removed or replaced outside civicshield")
    return problems


def verify_store(entries: Sequence[LedgerEntry], items: Iterable[tuple[EvidenceItem, bytes]],
                 messages: Mapping[int, Mapping[str, Any]], incidents: Sequence[Incident],
                 check_signature: SignatureCheck) -> Verification:
    """Everything the store holds about evidence, checked against the ledger."""
    problems = check_chain(entries, check_signature)
    item_problems, count = check_items(entries, items)
    problems += item_problems
    problems += check_messages(entries, messages)
    problems += check_incidents(entries, incidents)
    legacy = sum(1 for e in entries if not is_bound(e))
    notes = (f"{legacy} ledger entries from before format 2 are checked by hash and chain "
             "only",) if legacy else ()
    return Verification(len(entries), count, tuple(problems), notes)


def _entries(numbers: Sequence[int]) -> str:
    if len(numbers) == 1:
        return f"entry {numbers[0]}"
    return f"entries {numbers[0]} to {numbers[-1]}"


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the machine: a ledger receipt or an evidence packet."""

    source: str  # what it is, in words: "the receipt of 2026-11-30", "packet incident-3.zip"
    head_seq: int
    head_hash: str
    public_hex: str
    incidents: Mapping[int, tuple[int, str]] = field(default_factory=dict)


def check_anchor(entries: Sequence[LedgerEntry], anchor: Anchor, public_hex: str) -> list[str]:
    """Does today's ledger extend the head an anchor recorded? A rewrite (even re-signed with
    the data folder's key), a new key and removed entries are each named."""
    problems: list[str] = []
    if anchor.public_hex != public_hex:
        problems.append(f"the evidence key is not the one in {anchor.source} (fingerprint "
                        f"{_short(anchor.public_hex)} there, {_short(public_hex)} now): the "
                        "ledger may have been re-signed with a new key")
    by_seq = {e.seq: e for e in entries}
    heads = [(anchor.head_seq, anchor.head_hash, "")] + [
        (seq, digest, f" (incident {incident_id})")
        for incident_id, (seq, digest) in sorted(anchor.incidents.items())]
    last = max(by_seq) if by_seq else 0
    for seq, digest, which in heads:
        found = by_seq.get(seq)
        if found is None:
            problems.append(f"the ledger ends at entry {last}, but {anchor.source} recorded "
                            f"entry {seq}{which}: entries were removed")
        elif found.hash != digest:
            problems.append(f"ledger entry {seq}{which} is not the one {anchor.source} "
                            "recorded: the ledger was rewritten since")
    return problems


def _short(public_hex: str) -> str:
    """A key's fingerprint as receipts print it (crypto.key_fingerprint)."""
    digest = sha256_hex(bytes.fromhex(public_hex)) if _is_hex(public_hex) else "?" * 32
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return bool(text)
