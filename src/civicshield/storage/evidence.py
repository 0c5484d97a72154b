"""Storage of incidents, evidence items (originals encrypted at rest) and the ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row

from civicshield.crypto import Cipher, EvidenceSigner
from civicshield.domain.errors import ConfigError, NotFoundError
from civicshield.domain.evidence import (
    DETAILS_FORMAT,
    GENESIS,
    EvidenceItem,
    Incident,
    IncidentStatus,
    LedgerEntry,
    Notice,
    Severity,
    canonical_details,
    entry_hash,
)
from civicshield.storage.tables import evidence_items, incidents, ledger

#: Items read per query while streaming an export.
STREAM_CHUNK = 200


class SqlEvidenceRepository:
    """Incidents, evidence and ledger over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher,
                 signer: EvidenceSigner | None = None) -> None:
        self.conn = conn
        self.cipher = cipher
        self.signer = signer

    # ---- incidents ---------------------------------------------------------------------
    def add_incident(self, principal_id: int, title: str, severity: Severity, notes: str,
                     actor: str, now: datetime) -> int:
        """Create an incident; returns its id."""
        row = self.conn.execute(insert(incidents).values(
            principal_id=principal_id, title=title, severity=severity.value,
            status=IncidentStatus.OPEN.value, notes=notes, police_reports="[]", involved="[]",
            created_at=now, created_by=actor, updated_at=now).returning(incidents.c.id)).one()
        return int(row.id)

    def incident(self, incident_id: int) -> Incident:
        """One incident."""
        row = self.conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
        if row is None:
            raise NotFoundError(f"no incident with id {incident_id}")
        return _incident(row)

    def incidents(self) -> list[Incident]:
        """Every incident, newest first."""
        rows = self.conn.execute(select(incidents).order_by(incidents.c.id.desc()))
        return [_incident(r) for r in rows]

    def update_incident(self, incident_id: int, now: datetime, **values: Any) -> None:
        """Change an incident's fields (title, severity, status, notes, police_reports,
        involved, notices, impact_statement); lists are stored as JSON."""
        stored = {k: json.dumps([_plain(i) for i in v]) if isinstance(v, tuple | list) else
                  getattr(v, "value", v) for k, v in values.items()}
        self.conn.execute(update(incidents).where(incidents.c.id == incident_id)
                          .values(updated_at=now, **stored))

    # ---- evidence ------------------------------------------------------------------------
    def add_item(self, incident_id: int, kind: str, file_name: str, content: bytes,
                 sha256: str, captured_at: datetime, captured_by: str, source: dict[str, str],
                 *, message_id: int | None = None, derived_from: int | None = None) -> int:
        """Store an original, encrypted; returns the item's id."""
        blob = self.cipher.encrypt(content, context=f"evidence:{sha256}".encode())
        row = self.conn.execute(insert(evidence_items).values(
            incident_id=incident_id, kind=kind, message_id=message_id,
            derived_from=derived_from, file_name=file_name[:300], sha256=sha256,
            size=len(content), captured_at=captured_at, captured_by=captured_by,
            source=json.dumps(source, sort_keys=True), content_encrypted=blob,
        ).returning(evidence_items.c.id)).one()
        return int(row.id)

    def message_ids(self, incident_id: int) -> set[int]:
        """The messages already captured for an incident."""
        rows = self.conn.execute(select(evidence_items.c.message_id).where(
            evidence_items.c.incident_id == incident_id, evidence_items.c.message_id.is_not(None)))
        return {int(r.message_id) for r in rows}

    def items(self, incident_id: int | None = None) -> list[EvidenceItem]:
        """Items (without content) of one incident, or all, in capture order."""
        query = select(*[c for c in evidence_items.c if c.name != "content_encrypted"])
        if incident_id is not None:
            query = query.where(evidence_items.c.incident_id == incident_id)
        return [_item(r) for r in self.conn.execute(query.order_by(evidence_items.c.id))]

    def item_record(self, item_id: int) -> EvidenceItem:
        """One item without its content."""
        row = self.conn.execute(select(*[c for c in evidence_items.c
                                         if c.name != "content_encrypted"])
                                .where(evidence_items.c.id == item_id)).first()
        if row is None:
            raise NotFoundError(f"no evidence item {item_id}")
        return _item(row)

    def item(self, item_id: int) -> tuple[EvidenceItem, bytes]:
        """One item with its decrypted original."""
        row = self.conn.execute(select(evidence_items)
                                .where(evidence_items.c.id == item_id)).first()
        if row is None:
            raise NotFoundError(f"no evidence item {item_id}")
        item = _item(row)
        return item, self.cipher.decrypt(row.content_encrypted,
                                         context=f"evidence:{item.sha256}".encode())

    def item_contents(self, incident_id: int | None = None, *, strict: bool = True
                      ) -> Iterator[tuple[EvidenceItem, bytes]]:
        """Items with their decrypted originals, streamed a chunk at a time. An original that
        cannot be decrypted (altered, or a wrong key) raises, or with ``strict=False`` comes
        back empty so that a verify reports it as altered."""
        after = 0
        while True:
            query = select(evidence_items).where(evidence_items.c.id > after)
            if incident_id is not None:
                query = query.where(evidence_items.c.incident_id == incident_id)
            rows = self.conn.execute(query.order_by(evidence_items.c.id).limit(STREAM_CHUNK)).all()
            if not rows:
                return
            for r in rows:
                item = _item(r)
                try:
                    data = self.cipher.decrypt(bytes(r.content_encrypted),
                                               context=f"evidence:{item.sha256}".encode())
                except (ConfigError, TypeError, ValueError):
                    if strict:
                        raise ConfigError(f"evidence item {item.id}: its stored original "
                                          "cannot be decrypted") from None
                    data = b""
                yield item, data
            after = rows[-1].id

    # ---- ledger --------------------------------------------------------------------------
    def append(self, at: datetime, actor: str, action: str, incident_id: int,
               item_id: int | None, details: dict[str, Any]) -> LedgerEntry:
        """Add a signed entry chained to the last one and to the incident's last one, and
        record it as the incident's last entry (a concurrent append fails on the unique seq
        and its transaction rolls back)."""
        if self.signer is None:
            raise ConfigError("the evidence signing key is not loaded")
        last = self.conn.execute(select(ledger.c.seq, ledger.c.hash)
                                 .order_by(ledger.c.seq.desc()).limit(1)).first()
        seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
        head = self.conn.execute(select(incidents.c.head_seq).where(
            incidents.c.id == incident_id)).scalar()
        mine = self.conn.execute(select(ledger.c.hash, ledger.c.details)
                                 .where(ledger.c.seq == head)).first() if head else None
        before = _incident_seq(mine.details) if mine else 0
        text = canonical_details({**details, "v": DETAILS_FORMAT, "incident_seq": before + 1,
                                  "incident_prev": mine.hash if mine else GENESIS})
        digest = entry_hash(prev, seq, at, actor, action, incident_id, item_id, text)
        signature = self.signer.sign_hash(digest)
        self.conn.execute(insert(ledger).values(seq=seq, at=at, actor=actor, action=action,
                                                incident_id=incident_id, item_id=item_id,
                                                details=text, prev_hash=prev, hash=digest,
                                                signature=signature))
        self.conn.execute(update(incidents).where(incidents.c.id == incident_id)
                          .values(head_seq=seq, head_hash=digest))
        return LedgerEntry(seq, at, actor, action, incident_id, item_id, text, prev, digest,
                           signature)

    def last_view(self, incident_id: int, actor: str) -> datetime | None:
        """When this person last had a *viewed* entry recorded for the incident."""
        row = self.conn.execute(select(ledger.c.at).where(
            ledger.c.incident_id == incident_id, ledger.c.actor == actor,
            ledger.c.action == "viewed").order_by(ledger.c.seq.desc()).limit(1)).first()
        return row.at if row else None

    def entries(self, incident_id: int | None = None) -> list[LedgerEntry]:
        """Ledger entries in stored order (by row id), of one incident or all."""
        query = select(ledger).order_by(ledger.c.id)
        if incident_id is not None:
            query = query.where(ledger.c.incident_id == incident_id)
        return [LedgerEntry(r.seq, r.at, r.actor, r.action, r.incident_id, r.item_id, r.details,
                            r.prev_hash, r.hash, r.signature) for r in self.conn.execute(query)]

    def counts(self, incident_ids: Sequence[int]) -> dict[int, int]:
        """Evidence items per incident."""
        rows = self.conn.execute(select(evidence_items.c.incident_id, func.count())
                                 .where(evidence_items.c.incident_id.in_(incident_ids))
                                 .group_by(evidence_items.c.incident_id))
        return {int(r[0]): int(r[1]) for r in rows}


def _incident(row: Row[Any]) -> Incident:
    return Incident(row.id, row.principal_id, row.title, Severity(row.severity),
                    IncidentStatus(row.status), row.notes, tuple(json.loads(row.police_reports)),
                    tuple(json.loads(row.involved)), row.created_at, row.created_by,
                    row.updated_at, tuple(Notice.from_dict(n) for n in json.loads(row.notices)),
                    row.impact_statement, row.head_seq, row.head_hash)


def _plain(value: Any) -> Any:
    return value.as_dict() if isinstance(value, Notice) else value


def _incident_seq(details: str) -> int:
    try:
        found = json.loads(details)
    except ValueError:
        return 0
    return int(found.get("incident_seq", 0)) if isinstance(found, dict) else 0


def _item(row: Row[Any]) -> EvidenceItem:
    try:
        return _item_of(row)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"evidence item {row.id}: its stored record is malformed "
                          f"({type(exc).__name__})") from None


def _item_of(row: Row[Any]) -> EvidenceItem:
    return EvidenceItem(row.id, row.incident_id, row.kind, row.sha256, row.size, row.captured_at,
                        row.captured_by, json.loads(row.source), row.file_name, row.derived_from,
                        row.message_id)
