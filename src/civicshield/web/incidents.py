"""Incident pages: the list, one incident with its evidence and ledger, and the actions on it."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import IncidentStatus, NoticeKind, Severity
from civicshield.domain.models import Role
from civicshield.reports.pdf import letter_pdf
from civicshield.services.incidents import MAX_ATTACHMENT_BYTES, notice_of
from civicshield.web.auth import Session, needs, service
from civicshield.web.render import page

router = APIRouter()
E = TypeVar("E", IncidentStatus, Severity)


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(request: Request,
                  session: Annotated[Session, needs(Role.VIEWER)]) -> HTMLResponse:
    """Every incident, newest first."""
    return page(request, "incidents.html", session=session,
                incidents=service(request).incidents.overview(session.user))


@router.post("/incidents")
def open_incident(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
                  title: Annotated[str, Form()],
                  ids: Annotated[list[int] | None, Form()] = None,
                  severity: Annotated[str, Form()] = "medium") -> RedirectResponse:
    """Open an incident from the selected messages."""
    incident = service(request).incidents.open(session.user, title, ids or [],
                                               severity=_choice(Severity, severity))
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: int,
                  session: Annotated[Session, needs(Role.VIEWER)]) -> HTMLResponse:
    """An incident: facts, timeline, evidence with hashes, and the chain of custody."""
    view = service(request).incidents.view(session.user, incident_id)
    return page(request, "incident.html", session=session, view=view,
                statuses=list(IncidentStatus), severities=list(Severity),
                notice_kinds=list(NoticeKind))


@router.post("/incidents/{incident_id}/update")
def update(request: Request, incident_id: int,
           session: Annotated[Session, needs(Role.ANALYST, form=True)],
           status: Annotated[str, Form()] = "", severity: Annotated[str, Form()] = "",
           note: Annotated[str, Form()] = "", police_report: Annotated[str, Form()] = "",
           involved: Annotated[str, Form()] = "") -> RedirectResponse:
    """Change status or severity, add a note, a police report number or a person."""
    service(request).incidents.update(
        session.user, incident_id,
        status=_choice(IncidentStatus, status) if status else None,
        severity=_choice(Severity, severity) if severity else None,
        note=note, police_report=police_report, involved=involved)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/notice")
def notice(request: Request, incident_id: int,
           session: Annotated[Session, needs(Role.ANALYST, form=True)],
           kind: Annotated[str, Form()], platform: Annotated[str, Form()],
           ticket: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""
           ) -> RedirectResponse:
    """Record that the sender was blocked, warned or reported (proof of notice)."""
    service(request).incidents.update(
        session.user, incident_id,
        notice=notice_of(kind, platform, datetime.now(UTC), ticket, note))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/impact")
def impact(request: Request, incident_id: int,
           session: Annotated[Session, needs(Role.ANALYST, form=True)],
           statement: Annotated[str, Form()] = "") -> RedirectResponse:
    """Save the victim impact statement."""
    service(request).incidents.update(session.user, incident_id, impact_statement=statement)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/attach")
async def attach(request: Request, incident_id: int,
                 session: Annotated[Session, needs(Role.ANALYST, form=True)],
                 upload: Annotated[UploadFile, File()],
                 note: Annotated[str, Form()] = "") -> RedirectResponse:
    """Add a screenshot, PDF or .eml to the incident."""
    content = await upload.read(MAX_ATTACHMENT_BYTES + 1)
    service(request).incidents.attach(session.user, incident_id, upload.filename or "",
                                      content, note)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/export")
def export(request: Request, incident_id: int,
           session: Annotated[Session, needs(Role.ANALYST, form=True)]) -> FileResponse:
    """Download the evidence packet (the export is recorded in the ledger)."""
    folder = Path(tempfile.mkdtemp(prefix="civicshield-packet-"))
    target = folder / f"incident-{incident_id}-evidence.zip"
    service(request).incidents.export(session.user, incident_id, target)
    return FileResponse(target, media_type="application/zip", filename=target.name,
                        background=BackgroundTask(remove_folder, folder))


def remove_folder(folder: Path) -> None:
    """Delete a download's temporary folder once the response has been sent."""
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


def _choice(kind: type[E], value: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise InvalidInputError(f"unknown {kind.__name__.lower()} {value!r}") from exc


@router.get("/incidents/{incident_id}/letters/{kind}", response_class=HTMLResponse)
def letters(request: Request, incident_id: int, kind: str,
            session: Annotated[Session, needs(Role.ANALYST)]) -> HTMLResponse:
    """Draft letters, one per platform, editable before download."""
    drafts = service(request).incidents.letters(session.user, incident_id, kind)
    return page(request, "letters.html", session=session, incident_id=incident_id, kind=kind,
                drafts=drafts)


@router.post("/incidents/{incident_id}/letters/{kind}/pdf")
def letter_download(request: Request, incident_id: int, kind: str,
                    session: Annotated[Session, needs(Role.ANALYST, form=True)],
                    body: Annotated[str, Form()], platform: Annotated[str, Form()]) -> Response:
    """The (edited) letter as a PDF."""
    service(request).incidents.letters(session.user, incident_id, kind)  # checks role and kind
    name = f"incident-{incident_id}-{kind}-{''.join(c for c in platform if c.isalnum())}.pdf"
    return Response(letter_pdf(f"{kind} letter", body[:50_000]), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
