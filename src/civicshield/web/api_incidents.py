"""The incident and evidence part of /api/v1: open, read, update, verify and export."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from civicshield.domain.evidence import Incident, IncidentStatus, NoticeKind, Severity
from civicshield.services.incidents import notice_of
from civicshield.web.api_auth import Caller, _svc
from civicshield.web.incidents import remove_folder


class IncidentIn(BaseModel):
    """A new incident: a title and the messages it starts from."""

    title: str = Field(min_length=1, max_length=300)
    message_ids: list[int] = Field(min_length=1)
    severity: Severity = Severity.MEDIUM
    notes: str = ""


class NoticeIn(BaseModel):
    """The sender was blocked, warned or reported on a platform."""

    kind: NoticeKind
    platform: str = Field(min_length=1, max_length=50)
    at: datetime | None = None
    ticket: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=500)


class NoticeOut(BaseModel):
    """A recorded notice."""

    kind: str
    platform: str
    at: datetime
    ticket: str
    note: str


class IncidentUpdateIn(BaseModel):
    """What to change; empty fields are left as they are."""

    status: IncidentStatus | None = None
    severity: Severity | None = None
    note: str = ""
    police_report: str = ""
    involved: str = ""
    add_message_ids: list[int] = Field(default_factory=list)
    notice: NoticeIn | None = None
    impact_statement: str | None = Field(default=None, max_length=20000)


class ItemOut(BaseModel):
    """One evidence item (its content is only in the packet)."""

    id: int
    kind: str
    file_name: str
    sha256: str
    size: int
    captured_at: datetime
    captured_by: str
    message_id: int | None
    source: dict[str, str]


class IncidentOut(BaseModel):
    """An incident; ``items`` and ``ledger_length`` only on the single-incident endpoint."""

    id: int
    title: str
    severity: str
    status: str
    notes: str
    police_reports: list[str]
    involved: list[str]
    created_at: datetime
    created_by: str
    notices: list[NoticeOut] = Field(default_factory=list)
    impact_statement: str = ""
    items: list[ItemOut] = Field(default_factory=list)
    ledger_length: int = 0


class VerifyOut(BaseModel):
    """The outcome of a verify."""

    ok: bool
    checked_entries: int
    checked_items: int
    problem: str
    problems: list[str] = Field(default_factory=list)


def _out(incident: Incident) -> IncidentOut:
    return IncidentOut(id=incident.id, title=incident.title, severity=incident.severity.value,
                       status=incident.status.value, notes=incident.notes,
                       police_reports=list(incident.police_reports),
                       involved=list(incident.involved), created_at=incident.created_at,
                       created_by=incident.created_by,
                       notices=[NoticeOut(kind=n.kind.value, platform=n.platform, at=n.at,
                                          ticket=n.ticket, note=n.note) for n in incident.notices],
                       impact_statement=incident.impact_statement)


def add_incident_routes(api: FastAPI) -> None:
    """Register the incident endpoints on the /api/v1 application."""
    service = _svc

    @api.get("/incidents", response_model=list[IncidentOut])
    def incidents(request: Request, user: Caller) -> list[IncidentOut]:
        """Every incident, newest first."""
        return [_out(i) for i, _ in service(request).incidents.overview(user)]

    @api.post("/incidents", response_model=IncidentOut, status_code=201)
    def open_incident(request: Request, user: Caller,
                      body: IncidentIn) -> IncidentOut:
        """Open an incident and capture its messages as evidence."""
        return _out(service(request).incidents.open(user, body.title, body.message_ids,
                                                    severity=body.severity, notes=body.notes))

    @api.get("/incidents/{incident_id}", response_model=IncidentOut)
    def incident(request: Request, user: Caller,
                 incident_id: int) -> IncidentOut:
        """One incident with its evidence items (the read is recorded in the ledger)."""
        view = service(request).incidents.view(user, incident_id)
        out = _out(view.incident)
        out.items = [ItemOut(id=i.id, kind=i.kind, file_name=i.file_name, sha256=i.sha256,
                             size=i.size, captured_at=i.captured_at, captured_by=i.captured_by,
                             message_id=i.message_id, source=i.source) for i in view.items]
        out.ledger_length = len(view.ledger)
        return out

    @api.patch("/incidents/{incident_id}", response_model=IncidentOut)
    def update(request: Request, user: Caller, incident_id: int,
               body: IncidentUpdateIn) -> IncidentOut:
        """Change status or severity, add notes, report numbers, people or messages."""
        incidents = service(request).incidents
        if body.add_message_ids:
            incidents.add_messages(user, incident_id, body.add_message_ids)
        notice = body.notice
        if (body.status or body.severity or body.note or body.police_report or body.involved
                or notice or body.impact_statement is not None):
            return _out(incidents.update(
                user, incident_id, status=body.status, severity=body.severity, note=body.note,
                police_report=body.police_report, involved=body.involved,
                notice=notice_of(notice.kind.value, notice.platform,
                                 notice.at or datetime.now(UTC), notice.ticket, notice.note)
                if notice else None, impact_statement=body.impact_statement))
        return _out(incidents.view(user, incident_id).incident)

    @api.post("/incidents/{incident_id}/export")
    def export(request: Request, user: Caller,
               incident_id: int) -> FileResponse:
        """The evidence packet as a ZIP (the export is recorded in the ledger)."""
        folder = Path(tempfile.mkdtemp(prefix="civicshield-packet-"))
        target = folder / f"incident-{incident_id}-evidence.zip"
        service(request).incidents.export(user, incident_id, target)
        return FileResponse(target, media_type="application/zip", filename=target.name,
                            background=BackgroundTask(remove_folder, folder))

    @api.get("/evidence/verify", response_model=VerifyOut)
    def verify(request: Request, user: Caller) -> VerifyOut:
        """Recompute every evidence hash and the ledger chain."""
        result = service(request).incidents.verify(user)
        return VerifyOut(ok=result.ok, checked_entries=result.checked_entries,
                         checked_items=result.checked_items, problem=result.problem,
                         problems=list(result.problems))
