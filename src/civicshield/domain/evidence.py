"""Incidents, evidence items and the hash-chained chain-of-custody ledger.

An evidence item keeps an original byte for byte with its SHA-256. Every act on evidence
(captured, viewed, exported, annotated, attached, redacted) is a ledger entry; each entry's hash
covers its own fields and the previous entry's hash, so changing, deleting, inserting or
reordering entries breaks the chain. ``verify`` recomputes everything and names the first entry
or item that does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: The hash before the first ledger entry.
GENESIS = "0" * 64


class IncidentStatus(StrEnum):
    """Where an incident stands."""

    OPEN = "open"
    REPORTED_TO_POLICE = "reported_to_police"
    REPORTED_TO_PLATFORM = "reported_to_platform"
    CLOSED = "closed"


class Severity(StrEnum):
    """How serious staff judge an incident to be."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class LedgerAction(StrEnum):
    """What was done to evidence."""

    CAPTURED = "captured"
    VIEWED = "viewed"
    EXPORTED = "exported"
    ANNOTATED = "annotated"
    ATTACHED = "attached"
    REDACTED = "redacted"


@dataclass(frozen=True)
class Incident:
    """A case staff open from one or more messages."""

    id: int
    principal_id: int
    title: str
    severity: Severity
    status: IncidentStatus
    notes: str
    police_reports: tuple[str, ...]
    involved: tuple[str, ...]
    created_at: datetime
    created_by: str
    updated_at: datetime


@dataclass(frozen=True)
class EvidenceItem:
    """One original (a message's raw record or an attached file) and where it came from."""

    id: int
    incident_id: int
    kind: str  # message, attachment, redaction
    sha256: str
    size: int
    captured_at: datetime
    captured_by: str
    source: dict[str, str]
    file_name: str
    derived_from: int | None = None
    message_id: int | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """One act on evidence, chained to the entry before it."""

    seq: int
    at: datetime
    actor: str
    action: str
    incident_id: int
    item_id: int | None
    details: str
    prev_hash: str
    hash: str


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of some bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str,
               incident_id: int, item_id: int | None, details: str) -> str:
    """The hash of one ledger entry: canonical JSON of its fields plus the previous hash."""
    body = json.dumps([prev_hash, seq, at.isoformat(), actor, action, incident_id, item_id,
                       details], ensure_ascii=False, separators=(",", ":"))
    return sha256_hex(body.encode("utf-8"))


@dataclass(frozen=True)
class Verification:
    """The outcome of a verify: ok, or the first thing that does not match."""

    ok: bool
    checked_entries: int
    checked_items: int
    problem: str = ""

    @classmethod
    def failed(cls, entries: int, items: int, problem: str) -> Verification:
        """A failed check, naming what did not match."""
        return cls(ok=False, checked_entries=entries, checked_items=items, problem=problem)


def verify(entries: Sequence[LedgerEntry], items: Iterable[tuple[EvidenceItem, bytes]]
           ) -> Verification:
    """Recompute the chain (in stored order) and every item's hash."""
    prev = GENESIS
    for n, e in enumerate(entries, start=1):
        if e.seq != n:
            return Verification.failed(n - 1, 0, f"ledger entry {e.seq} is out of order or one "
                                                 f"before it is missing (expected entry {n})")
        if e.prev_hash != prev:
            return Verification.failed(n - 1, 0, f"ledger entry {e.seq} does not follow entry "
                                                 f"{n - 1}: the chain is broken")
        expected = entry_hash(prev, e.seq, e.at, e.actor, e.action, e.incident_id, e.item_id,
                              e.details)
        if e.hash != expected:
            return Verification.failed(n - 1, 0, f"ledger entry {e.seq} was altered: its hash "
                                                 "does not match its contents")
        prev = e.hash
    count = 0
    for item, data in items:
        count += 1
        if sha256_hex(data) != item.sha256 or len(data) != item.size:
            return Verification.failed(len(entries), count - 1,
                                 f"evidence item {item.id} ({item.file_name}) was altered: its "
                                 "SHA-256 does not match the one recorded at capture")
    return Verification(ok=True, checked_entries=len(entries), checked_items=count)
