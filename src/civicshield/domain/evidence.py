"""Incidents, evidence items and the hash-chained, signed chain-of-custody ledger.

An evidence item keeps an original byte for byte with its SHA-256. Every act on evidence
(opened, captured, viewed, exported, annotated, attached, redacted) is a ledger entry. Each
entry's hash covers its own fields and the previous entry's hash, so changing, deleting,
inserting or reordering entries breaks the chain; each entry is also signed with the
installation's Ed25519 evidence key, so an entry written without that key is found.

Since format 2 every fact a packet or report shows sits inside a hashed entry: the capture
entry holds the item's hash, size, name, source and the message as it was captured (platform,
ids, URL, author, text, times); the *opened* entry holds the incident's first fields and every
*annotated* entry the exact change. Each entry's details also link it to the previous entry of
the same incident (``incident_seq``, ``incident_prev``), so one incident's entries form a chain
of their own that a packet can be checked against without the rest of the ledger.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

#: The hash before the first ledger entry (and before each incident's first entry).
GENESIS = "0" * 64
#: The details format that binds every fact (entries without it predate format 2).
DETAILS_FORMAT = 2


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

    OPENED = "opened"
    CAPTURED = "captured"
    VIEWED = "viewed"
    EXPORTED = "exported"
    ANNOTATED = "annotated"
    ATTACHED = "attached"
    REDACTED = "redacted"


#: Entries that bring an evidence item into the store.
ITEM_ACTIONS = frozenset({LedgerAction.CAPTURED, LedgerAction.ATTACHED, LedgerAction.REDACTED})


class NoticeKind(StrEnum):
    """How the sender was put on notice (proof of notice for prosecutors)."""

    BLOCKED = "blocked"
    WARNED = "warned"
    REPORTED = "reported"


@dataclass(frozen=True)
class Notice:
    """The sender was blocked, warned or reported on a platform, with its ticket number."""

    kind: NoticeKind
    platform: str
    at: datetime
    ticket: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        """The notice as JSON-ready values."""
        return {"kind": self.kind.value, "platform": self.platform, "at": self.at.isoformat(),
                "ticket": self.ticket, "note": self.note}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        """A notice from its JSON values."""
        return cls(NoticeKind(data["kind"]), str(data["platform"]),
                   datetime.fromisoformat(str(data["at"])), str(data.get("ticket", "")),
                   str(data.get("note", "")))


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
    notices: tuple[Notice, ...] = ()
    impact_statement: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS


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
    """One act on evidence, chained to the entry before it and signed."""

    seq: int
    at: datetime
    actor: str
    action: str
    incident_id: int
    item_id: int | None
    details: str
    prev_hash: str
    hash: str
    signature: str = ""

    @property
    def facts(self) -> dict[str, Any]:
        """The entry's details as values (an empty dict where they are not a JSON object)."""
        try:
            found = json.loads(self.details)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of some bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str,
               incident_id: int, item_id: int | None, details: str) -> str:
    """The hash of one ledger entry: canonical JSON of its fields plus the previous hash."""
    body = json.dumps([prev_hash, seq, at.isoformat(), actor, action, incident_id, item_id,
                       details], ensure_ascii=False, separators=(",", ":"))
    return sha256_hex(body.encode("utf-8"))


def canonical_details(details: Mapping[str, Any]) -> str:
    """The JSON text of an entry's details, as hashed (sorted keys)."""
    return json.dumps(details, sort_keys=True, ensure_ascii=False)


def item_facts(item: EvidenceItem) -> dict[str, Any]:
    """What a capture entry records of an item (compared with the stored item on verify)."""
    return {"id": item.id, "kind": item.kind, "file_name": item.file_name,
            "sha256": item.sha256, "size": item.size,
            "captured_at": item.captured_at.isoformat(), "captured_by": item.captured_by,
            "source": dict(sorted(item.source.items())), "message_id": item.message_id,
            "derived_from": item.derived_from}


def incident_fields(incident: Incident) -> dict[str, Any]:
    """The fields of an incident that the ledger binds, as JSON-ready values."""
    return {"title": incident.title, "severity": incident.severity.value,
            "status": incident.status.value, "notes": incident.notes,
            "police_reports": list(incident.police_reports),
            "involved": list(incident.involved),
            "notices": [n.as_dict() for n in incident.notices],
            "impact_statement": incident.impact_statement}


#: What an annotated entry may change, and how: replaced, or appended to a list or the notes.
_REPLACED = ("title", "severity", "status", "impact_statement")
_APPENDED = {"police_report": "police_reports", "involved": "involved", "notice": "notices"}


def fold_fields(entries: Sequence[LedgerEntry]) -> dict[str, Any] | None:
    """An incident's fields as its ledger says they are now: the *opened* entry's fields with
    every *annotated* change applied in order. None when the incident has no format-2 opened
    entry (it was opened before the ledger bound its fields)."""
    fields: dict[str, Any] | None = None
    for entry in entries:
        facts = entry.facts
        if entry.action == LedgerAction.OPENED and "incident" in facts:
            fields = {**facts["incident"]}
        elif entry.action == LedgerAction.ANNOTATED and fields is not None:
            changes = facts.get("changes", {})
            for key in _REPLACED:
                if key in changes:
                    fields[key] = changes[key]
            for key, target in _APPENDED.items():
                if key in changes:
                    fields[target] = [*fields.get(target, []), changes[key]]
            if "note_line" in changes:
                notes = fields.get("notes", "")
                fields["notes"] = (notes + "\n" if notes else "") + changes["note_line"]
    return fields


@dataclass(frozen=True)
class Verification:
    """The outcome of a verify: what was checked, and one plain line per problem found."""

    checked_entries: int
    checked_items: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems

    @property
    def problem(self) -> str:
        """Every problem, a line each."""
        return "\n".join(self.problems)


def suggested_severity(flags: Sequence[str], sender_risk: str) -> Severity:
    """How serious an incident opened from a message probably is: a threat from a sender at
    high or critical risk is critical; a threat or doxxing is high; harassment of any kind is
    medium; anything else low. Staff can always choose otherwise."""
    if "threat" in flags and sender_risk in ("high", "critical"):
        return Severity.CRITICAL
    if "threat" in flags or "doxxing" in flags:
        return Severity.HIGH
    if {"harassment", "sexual_harassment", "identity_attack"} & set(flags):
        return Severity.MEDIUM
    return Severity.LOW
