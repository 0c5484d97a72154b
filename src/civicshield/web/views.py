"""Triage pages: the queue, a message, a sender, and the actions staff take on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicshield.domain.detection import LABELS
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import Severity, suggested_severity
from civicshield.domain.models import ReviewState, Role
from civicshield.domain.ports import QueueFilter
from civicshield.web.auth import Session, current_session, needs, safe_next, service
from civicshield.web.render import page

router = APIRouter()
PAGE_SIZE = 50
ACTIONS = {"reviewed": ReviewState.REVIEWED, "dismissed": ReviewState.DISMISSED,
           "escalated": ReviewState.ESCALATED, "new": ReviewState.NEW}


def _date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInputError(f"{name} must be a date such as 2026-11-01") from exc


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInputError(f"{name} must be a number")
    return int(value)


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The queue is the home page."""
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, session: Annotated[Session, needs(Role.VIEWER)],
          channel: str = "", label: str = "", state: str = "new", since: str = "",
          until: str = "", sender: str = "", page_number: Annotated[int, Query(alias="page",
                                                                                ge=1)] = 1,
          ) -> HTMLResponse:
    """The triage queue, worst first, with filters."""
    if label and label not in LABELS:
        raise InvalidInputError(f"unknown label {label!r}")
    if state not in {"all", *ACTIONS}:
        raise InvalidInputError(f"unknown review state {state!r}")
    until_day = _date(until, "until")
    flt = QueueFilter(channel_id=_int(channel, "channel"), label=label or None,
                      state=None if state == "all" else ReviewState(state),
                      since=_date(since, "since"),
                      until=until_day + timedelta(days=1) if until_day else None,
                      sender_group_id=_int(sender, "sender"))
    svc = service(request)
    items, total = svc.triage.queue(flt, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE,
                                    viewer=session.user)
    filters = {"channel": channel, "label": label, "state": state, "since": since,
               "until": until, "sender": sender}
    return page(request, "queue.html", session=session, items=items, total=total,
                filters=filters, channels=svc.principals.channels(), page=page_number,
                pages=max(1, -(-total // PAGE_SIZE)),
                query=urlencode({k: v for k, v in filters.items() if v}),
                return_to=request.url.path + (f"?{request.url.query}" if request.url.query
                                              else ""))


@router.post("/queue/bulk")
def bulk(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
         action: Annotated[str, Form()], ids: Annotated[list[int] | None, Form()] = None,
         return_to: Annotated[str, Form()] = "/queue") -> RedirectResponse:
    """Apply reviewed, dismiss or escalate to the selected messages."""
    service(request).triage.set_state(session.user, ids or [], _review_state(action))
    return RedirectResponse(safe_next(return_to), status_code=303)


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def message(request: Request, message_id: int,
            session: Annotated[Session, needs(Role.VIEWER)]) -> HTMLResponse:
    """One message with its reasons highlighted in the text."""
    found = service(request).triage.message(message_id, viewer=session.user)
    suggested = suggested_severity(found.flags, found.sender.risk_level.value)
    title = f"{' and '.join(f.replace('_', ' ') for f in found.flags[:2]) or 'Message'} from "\
        f"{found.sender.label} on {found.created_at:%Y-%m-%d}"
    return page(request, "message.html", session=session, m=found,
                versions=service(request).triage.versions(message_id),
                severities=list(Severity), suggested=suggested,
                incident_title=(title[:1].upper() + title[1:])[:300])


@router.post("/messages/{message_id}/state")
def message_state(request: Request, message_id: int,
                  session: Annotated[Session, needs(Role.ANALYST, form=True)],
                  action: Annotated[str, Form()]) -> RedirectResponse:
    """Change one message's review state."""
    service(request).triage.set_state(session.user, [message_id], _review_state(action))
    return RedirectResponse(f"/messages/{message_id}", status_code=303)


@router.get("/messages/{message_id}/raw")
def message_raw(request: Request, message_id: int,
                session: Annotated[Session, needs(Role.ANALYST)]) -> Response:
    """The original record, byte for byte, as a download (the download is audit-logged)."""
    raw = service(request).triage.raw_payload(session.user, message_id)
    return Response(raw, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="message-{message_id}.raw"'})


@router.get("/senders/{sender_id}", response_class=HTMLResponse)
def sender(request: Request, sender_id: int,
           session: Annotated[Session, needs(Role.VIEWER)]) -> HTMLResponse:
    """A sender's risk, identities and timeline across channels."""
    view = service(request).triage.sender_view(sender_id, viewer=session.user)
    return page(request, "sender.html", session=session, view=view)


@router.post("/senders/{sender_id}/block")
def block(request: Request, sender_id: int,
          session: Annotated[Session, needs(Role.ANALYST, form=True)],
          blocked: Annotated[str, Form()]) -> RedirectResponse:
    """Record that the office blocked (or unblocked) this sender on the platform."""
    service(request).triage.block_sender(session.user, sender_id, blocked=blocked == "yes")
    return RedirectResponse(f"/senders/{sender_id}", status_code=303)


@router.post("/senders/{sender_id}/merge")
def merge(request: Request, sender_id: int,
          session: Annotated[Session, needs(Role.ANALYST, form=True)],
          other: Annotated[str, Form()]) -> RedirectResponse:
    """Record that another platform identity is the same person as this sender."""
    other_id = _int(other.strip().lstrip("#"), "the other sender's number")
    if other_id is None:
        raise InvalidInputError("enter the number of the sender to merge")
    service(request).triage.merge_senders(session.user, sender_id, other_id)
    return RedirectResponse(f"/senders/{sender_id}", status_code=303)


__all__ = ["current_session", "router"]


def _review_state(action: str) -> ReviewState:
    """The review state a form's action button names."""
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}")
    return ACTIONS[action]
