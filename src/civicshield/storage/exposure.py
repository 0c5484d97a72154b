"""Storage of exposure scans, findings (context encrypted), broker checks and removal requests
(letters encrypted: they carry the data they ask to remove)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row

from civicshield.crypto import Cipher
from civicshield.domain.errors import NotFoundError
from civicshield.domain.exposure import (
    BrokerCheck,
    ExposureFinding,
    FindingStatus,
    RemovalRequest,
    RequestEvent,
    RequestState,
    Scan,
)
from civicshield.storage.tables import (
    broker_checks,
    exposure_findings,
    exposure_scans,
    removal_requests,
    request_events,
)


class SqlExposureRepository:
    """Exposure records over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    # ---- scans and findings ---------------------------------------------------------------
    def start_scan(self, principal_id: int, actor: str, targets: Sequence[str],
                   now: datetime) -> int:
        """Record a scan; returns its id."""
        row = self.conn.execute(insert(exposure_scans).values(
            principal_id=principal_id, started_at=now, actor=actor,
            targets=json.dumps(list(targets)), documents=0, findings=0, errors="[]",
        ).returning(exposure_scans.c.id)).one()
        return int(row.id)

    def finish_scan(self, scan_id: int, documents: int, findings: int, errors: Sequence[str],
                    now: datetime) -> None:
        """Close a scan with what it saw."""
        self.conn.execute(update(exposure_scans).where(exposure_scans.c.id == scan_id).values(
            finished_at=now, documents=documents, findings=findings,
            errors=json.dumps(list(errors))))

    def scans(self, principal_id: int | None = None, limit: int = 50) -> list[Scan]:
        """Recent scans, newest first."""
        query = select(exposure_scans).order_by(exposure_scans.c.id.desc()).limit(limit)
        if principal_id is not None:
            query = query.where(exposure_scans.c.principal_id == principal_id)
        return [Scan(id=r.id, principal_id=r.principal_id, started_at=r.started_at,
                     finished_at=r.finished_at, actor=r.actor,
                     targets=tuple(json.loads(r.targets)), documents=r.documents,
                     findings=r.findings, errors=tuple(json.loads(r.errors)))
                for r in self.conn.execute(query)]

    def record_finding(self, principal_id: int, scan_id: int, key: str, values: dict[str, Any],
                       now: datetime) -> tuple[int, FindingStatus | None]:
        """Add a finding, or note that a known one was seen again; (id, its status before, or
        None when new). A finding that was removed and is seen again is marked re-listed."""
        known = self.conn.execute(select(exposure_findings.c.id, exposure_findings.c.status)
                                  .where(exposure_findings.c.principal_id == principal_id,
                                         exposure_findings.c.match_key == key)).first()
        if known is not None:
            status = (FindingStatus.RELISTED.value if known.status == FindingStatus.REMOVED
                      else known.status)
            self.conn.execute(update(exposure_findings).where(exposure_findings.c.id == known.id)
                              .values(last_seen=now, scan_id=scan_id, status=status,
                                      page_sha256=values["page_sha256"]))
            return int(known.id), FindingStatus(known.status)
        blob = self.cipher.encrypt(json.dumps({"context": values["context"],
                                               "matched": values["matched"]}).encode(),
                                   context=f"exposure:{key}".encode())
        row = self.conn.execute(insert(exposure_findings).values(
            principal_id=principal_id, scan_id=scan_id, match_key=key,
            location=values["location"], kind=values["kind"], detail=values["detail"],
            confidence=values["confidence"], why=values["why"], content_encrypted=blob,
            page_sha256=values["page_sha256"], first_seen=now, last_seen=now,
            status=FindingStatus.OPEN.value).returning(exposure_findings.c.id)).one()
        return int(row.id), None

    def findings(self, principal_id: int | None = None, *, status: str | None = None,
                 location: str | None = None, limit: int = 500,
                 offset: int = 0) -> list[ExposureFinding]:
        """Findings, most certain first."""
        query = select(exposure_findings).order_by(exposure_findings.c.confidence.desc(),
                                                   exposure_findings.c.id)
        if principal_id is not None:
            query = query.where(exposure_findings.c.principal_id == principal_id)
        if status:
            query = query.where(exposure_findings.c.status == status)
        if location:
            query = query.where(exposure_findings.c.location == location)
        return [self._finding(r) for r in self.conn.execute(query.limit(limit).offset(offset))]

    def finding(self, finding_id: int) -> ExposureFinding:
        """One finding."""
        row = self.conn.execute(select(exposure_findings)
                                .where(exposure_findings.c.id == finding_id)).first()
        if row is None:
            raise NotFoundError(f"no exposure finding with id {finding_id}")
        return self._finding(row)

    def set_finding_status(self, finding_id: int, status: FindingStatus) -> None:
        """Change where a finding stands."""
        self.conn.execute(update(exposure_findings).where(exposure_findings.c.id == finding_id)
                          .values(status=status.value))

    def finding_counts(self, principal_id: int | None = None) -> dict[str, int]:
        """Findings per status."""
        query = select(exposure_findings.c.status, func.count()).group_by(
            exposure_findings.c.status)
        if principal_id is not None:
            query = query.where(exposure_findings.c.principal_id == principal_id)
        return {r[0]: int(r[1]) for r in self.conn.execute(query)}

    def _finding(self, row: Row[Any]) -> ExposureFinding:
        plain = json.loads(self.cipher.decrypt(row.content_encrypted,
                                               context=f"exposure:{row.match_key}".encode()))
        return ExposureFinding(
            id=row.id, principal_id=row.principal_id, scan_id=row.scan_id,
            location=row.location, kind=row.kind, confidence=row.confidence, why=row.why,
            context=plain["context"], matched=plain["matched"], page_sha256=row.page_sha256,
            first_seen=row.first_seen, last_seen=row.last_seen,
            status=FindingStatus(row.status), detail=row.detail)

    # ---- broker checks --------------------------------------------------------------------
    def broker_checks(self, principal_id: int) -> dict[str, BrokerCheck]:
        """What staff recorded per catalogue site."""
        rows = self.conn.execute(select(broker_checks)
                                 .where(broker_checks.c.principal_id == principal_id))
        return {r.broker_id: self._check(r) for r in rows}

    def set_broker_check(self, principal_id: int, broker_id: str, status: str, listing_url: str,
                         actor: str, now: datetime) -> None:
        """Record whether the principal was found on a site (and where)."""
        blob = (self.cipher.encrypt(listing_url.encode(), context=b"broker-listing")
                if listing_url else None)
        values = {"status": status, "listing_url_encrypted": blob, "checked_at": now,
                  "checked_by": actor}
        done = self.conn.execute(update(broker_checks).where(
            broker_checks.c.principal_id == principal_id,
            broker_checks.c.broker_id == broker_id).values(**values))
        if not done.rowcount:
            self.conn.execute(insert(broker_checks).values(principal_id=principal_id,
                                                           broker_id=broker_id, **values))

    def _check(self, row: Row[Any]) -> BrokerCheck:
        url = (self.cipher.decrypt(row.listing_url_encrypted, context=b"broker-listing").decode()
               if row.listing_url_encrypted else "")
        return BrokerCheck(principal_id=row.principal_id, broker_id=row.broker_id,
                           status=row.status, listing_url=url, checked_at=row.checked_at,
                           checked_by=row.checked_by)

    # ---- removal requests -----------------------------------------------------------------
    def add_request(self, values: dict[str, Any], subject: str, body: str, actor: str,
                    now: datetime) -> int:
        """Store a drafted request; returns its id."""
        row = self.conn.execute(insert(removal_requests).values(
            **values, state=RequestState.DRAFTED.value,
            letter_encrypted=self._seal(subject, body), created_at=now, created_by=actor,
            updated_at=now).returning(removal_requests.c.id)).one()
        self.add_event(int(row.id), RequestState.DRAFTED, actor, "", now)
        return int(row.id)

    def update_request(self, request_id: int, now: datetime, *, subject: str | None = None,
                       body: str | None = None, **values: Any) -> None:
        """Change a request's letter, state or dates."""
        if body is not None or subject is not None:
            current = self.request(request_id)
            values["letter_encrypted"] = self._seal(
                current.subject if subject is None else subject,
                current.body if body is None else body)
        stored = {k: getattr(v, "value", v) for k, v in values.items()}
        self.conn.execute(update(removal_requests).where(removal_requests.c.id == request_id)
                          .values(updated_at=now, **stored))

    def add_event(self, request_id: int, state: RequestState, actor: str, note: str,
                  at: datetime) -> None:
        """Record a change of state."""
        self.conn.execute(insert(request_events).values(request_id=request_id, state=state.value,
                                                        at=at, actor=actor, note=note))

    def request(self, request_id: int) -> RemovalRequest:
        """One request with its history."""
        row = self.conn.execute(select(removal_requests)
                                .where(removal_requests.c.id == request_id)).first()
        if row is None:
            raise NotFoundError(f"no removal request with id {request_id}")
        events = self.conn.execute(select(request_events)
                                   .where(request_events.c.request_id == request_id)
                                   .order_by(request_events.c.id))
        return self._request(row, tuple(RequestEvent(RequestState(e.state), e.at, e.actor,
                                                     e.note) for e in events))

    def requests(self, principal_id: int | None = None, *,
                 states: Sequence[RequestState] = (), finding_id: int | None = None,
                 due_before: datetime | None = None) -> list[RemovalRequest]:
        """Requests, soonest due first (without their history)."""
        query = select(removal_requests).order_by(removal_requests.c.due_at.is_(None),
                                                  removal_requests.c.due_at,
                                                  removal_requests.c.id)
        if principal_id is not None:
            query = query.where(removal_requests.c.principal_id == principal_id)
        if states:
            query = query.where(removal_requests.c.state.in_([s.value for s in states]))
        if finding_id is not None:
            query = query.where(removal_requests.c.finding_id == finding_id)
        if due_before is not None:
            query = query.where(removal_requests.c.due_at < due_before)
        return [self._request(r, ()) for r in self.conn.execute(query)]

    def request_events(self, principal_id: int | None = None) -> list[tuple[int, RequestEvent]]:
        """Every state change, oldest first, for the report."""
        query = (select(request_events, removal_requests.c.principal_id)
                 .join(removal_requests, removal_requests.c.id == request_events.c.request_id)
                 .order_by(request_events.c.at, request_events.c.id))
        if principal_id is not None:
            query = query.where(removal_requests.c.principal_id == principal_id)
        return [(r.request_id, RequestEvent(RequestState(r.state), r.at, r.actor, r.note))
                for r in self.conn.execute(query)]

    def relistings_by_broker(self, principal_id: int) -> dict[str, int]:
        """How often data came back on each broker site after removal."""
        query = (select(removal_requests.c.broker_id, func.count())
                 .join(request_events, request_events.c.request_id == removal_requests.c.id)
                 .where(removal_requests.c.principal_id == principal_id,
                        removal_requests.c.broker_id != "",
                        request_events.c.state == RequestState.RELISTED.value)
                 .group_by(removal_requests.c.broker_id))
        return {r[0]: int(r[1]) for r in self.conn.execute(query)}

    def _seal(self, subject: str, body: str) -> bytes:
        return self.cipher.encrypt(json.dumps({"subject": subject, "body": body}).encode(),
                                   context=b"removal-request")

    def _request(self, row: Row[Any], events: tuple[RequestEvent, ...]) -> RemovalRequest:
        letter = json.loads(self.cipher.decrypt(row.letter_encrypted,
                                                context=b"removal-request"))
        return RemovalRequest(
            id=row.id, principal_id=row.principal_id, finding_id=row.finding_id,
            broker_id=row.broker_id, addressee=row.addressee, addressee_kind=row.addressee_kind,
            location=row.location, basis=row.basis, kind=row.kind,
            state=RequestState(row.state), body=letter["body"], subject=letter["subject"],
            email_to=row.email_to, created_at=row.created_at, created_by=row.created_by,
            sent_at=row.sent_at, due_at=row.due_at, updated_at=row.updated_at,
            last_checked=row.last_checked, events=events)
