"""Alert pages: open alerts (acknowledge, resolve), one alert with its messages and what was
sent, an incident opened from it, and the rules editor and webhooks (admins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicshield.domain.alerts import AlertStatus
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import Severity
from civicshield.domain.models import Role
from civicshield.web.auth import Session, needs, service
from civicshield.web.render import page

router = APIRouter()


@router.get("/alerts", response_class=HTMLResponse)
def alert_list(request: Request, session: Annotated[Session, needs(Role.VIEWER)],
               show: str = "open") -> HTMLResponse:
    """Open and acknowledged alerts, most serious first (or every alert)."""
    found = service(request).alerts.overview(session.user, include_resolved=show == "all")
    return page(request, "alerts.html", session=session, alerts=found, show=show)


@router.get("/alerts/rules", response_class=HTMLResponse)
def rules_page(request: Request, session: Annotated[Session, needs(Role.ADMIN)]) -> HTMLResponse:
    """The rules file, editable, and the webhooks alerts are sent to."""
    ruleset, text = service(request).alerts.rules()
    return page(request, "alert_rules.html", session=session, text=text, ruleset=ruleset,
                targets=service(request).alerts.targets(session.user), error="",
                severities=list(Severity),
                outbox=service(request).alerts.outbox(session.user, limit=30))


@router.post("/alerts/rules", response_class=HTMLResponse)
def save_rules(request: Request, session: Annotated[Session, needs(Role.ADMIN, form=True)],
               text: Annotated[str, Form()]) -> HTMLResponse:
    """Check and save the rules; a mistake is shown with the text kept as typed."""
    alerts = service(request).alerts
    try:
        ruleset = alerts.save_rules(session.user, text[:200_000])
        error, status = "", 200
    except InvalidInputError as exc:
        ruleset, _ = alerts.rules()
        error, status = str(exc), 400
    return page(request, "alert_rules.html", status_code=status, session=session, text=text,
                ruleset=ruleset, targets=alerts.targets(session.user), error=error,
                saved=not error, severities=list(Severity),
                outbox=alerts.outbox(session.user, limit=30))


@router.post("/alerts/webhooks")
def add_webhook(request: Request, session: Annotated[Session, needs(Role.ADMIN, form=True)],
                name: Annotated[str, Form()], kind: Annotated[str, Form()],
                url: Annotated[str, Form()], secret: Annotated[str, Form()] = "",
                min_severity: Annotated[str, Form()] = "high") -> RedirectResponse:
    """Send alerts to a webhook, Slack or Teams."""
    try:
        severity = Severity(min_severity)
    except ValueError as exc:
        raise InvalidInputError(f"unknown severity {min_severity!r}") from exc
    service(request).alerts.add_target(session.user, name, kind, url.strip(), secret, severity)
    return RedirectResponse("/alerts/rules", status_code=303)


@router.post("/alerts/webhooks/{target_id}/remove")
def remove_webhook(request: Request, target_id: int,
                   session: Annotated[Session, needs(Role.ADMIN, form=True)]
                   ) -> RedirectResponse:
    """Stop sending alerts to a webhook."""
    service(request).alerts.remove_target(session.user, target_id)
    return RedirectResponse("/alerts/rules", status_code=303)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: int,
               session: Annotated[Session, needs(Role.VIEWER)]) -> HTMLResponse:
    """One alert: which rule fired and why, every message in it, what was sent to whom."""
    view = service(request).alerts.view(session.user, alert_id)
    doxxed = any("doxxing" in m.flags for m in view.messages)
    show_plan = session.user.role.allows(Role.ANALYST) and view.plan is not None
    now = service(request).context.clock()
    due = view.alert.next_notify_at
    stale = due is not None and now - due > timedelta(minutes=1)
    return page(request, "alert.html", session=session, view=view, statuses=AlertStatus,
                doxxed=doxxed, plan=view.plan if show_plan else None,
                blur=session.user.blur_abusive, stale=stale)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: int,
                session: Annotated[Session, needs(Role.ANALYST, form=True)]) -> RedirectResponse:
    """Take the alert: reminders and escalation stop."""
    service(request).alerts.acknowledge(session.user, alert_id)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/resolve")
def resolve(request: Request, alert_id: int,
            session: Annotated[Session, needs(Role.ANALYST, form=True)]) -> RedirectResponse:
    """Close the alert."""
    service(request).alerts.resolve(session.user, alert_id)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/incident")
def open_incident(request: Request, alert_id: int,
                  session: Annotated[Session, needs(Role.ANALYST, form=True)]
                  ) -> RedirectResponse:
    """Open an incident holding every message of the alert, at the alert's severity."""
    shield = service(request)
    view = shield.alerts.view(session.user, alert_id)
    if view.alert.incident_id is not None:
        return RedirectResponse(f"/incidents/{view.alert.incident_id}", status_code=303)
    incident = shield.incidents.open(
        session.user, f"Alert #{alert_id}: {view.alert.summary}"[:300],
        [m.id for m in view.messages], severity=view.alert.severity)
    shield.alerts.link_incident(session.user, alert_id, incident.id)
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)
