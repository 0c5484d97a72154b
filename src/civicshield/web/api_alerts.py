"""The alert endpoints of the JSON API: open alerts, one alert with its message ids, and
acknowledging or resolving one (for a pager or a chat bot)."""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI, Request
from pydantic import BaseModel

from civicshield.domain.alerts import Alert
from civicshield.web.api_auth import Caller, _svc


class AlertOut(BaseModel):
    """An alert: the rule that fired, why, and how far it went."""

    id: int
    rule: str
    severity: str
    status: str
    summary: str
    reasons: list[str]
    first_at: datetime
    last_at: datetime
    message_count: int
    sender_count: int
    escalation_step: int
    acknowledged_by: str
    resolved_by: str
    incident_id: int | None
    message_ids: list[int] = []


def _out(alert: Alert) -> AlertOut:
    return AlertOut(id=alert.id, rule=alert.rule, severity=alert.severity.value,
                    status=alert.status.value, summary=alert.summary,
                    reasons=list(alert.reasons), first_at=alert.first_at, last_at=alert.last_at,
                    message_count=alert.message_count, sender_count=alert.sender_count,
                    escalation_step=alert.escalation_step,
                    acknowledged_by=alert.acknowledged_by, resolved_by=alert.resolved_by,
                    incident_id=alert.incident_id)


def add_alert_routes(api: FastAPI) -> None:
    """Register the alert endpoints on the /api/v1 application."""
    service = _svc

    @api.get("/alerts", response_model=list[AlertOut])
    def alerts(request: Request, user: Caller, *, include_resolved: bool = False
               ) -> list[AlertOut]:
        """Open and acknowledged alerts, most serious first (resolved ones too when asked)."""
        return [_out(a) for a in service(request).alerts.overview(
            user, include_resolved=include_resolved)]

    @api.get("/alerts/{alert_id}", response_model=AlertOut)
    def alert(request: Request, user: Caller, alert_id: int) -> AlertOut:
        """One alert with the ids of its messages."""
        view = service(request).alerts.view(user, alert_id)
        out = _out(view.alert)
        out.message_ids = [m.id for m in view.messages]
        return out

    @api.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
    def acknowledge(request: Request, user: Caller, alert_id: int) -> AlertOut:
        """Someone is handling it: reminders and escalation stop."""
        service(request).alerts.acknowledge(user, alert_id)
        return _out(service(request).alerts.view(user, alert_id).alert)

    @api.post("/alerts/{alert_id}/resolve", response_model=AlertOut)
    def resolve(request: Request, user: Caller, alert_id: int) -> AlertOut:
        """It is over."""
        service(request).alerts.resolve(user, alert_id)
        return _out(service(request).alerts.view(user, alert_id).alert)
