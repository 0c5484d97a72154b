"""The words of a notification: what fired, why, how many, where to look, and the safety plan's
steps for this level. Message text only when the rules file turns it on."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import Any

from civicshield.domain.alerts import Alert, AlertRule
from civicshield.domain.safety import SafetyPlan


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"


def notification_text(alert: Alert, rule: AlertRule | None, principal: str,
                      plan: SafetyPlan | None, message_lines: list[str], dashboard: str,
                      zone: tzinfo, *, escalated_after: timedelta | None = None) -> dict[str, Any]:
    """The subject, the plain-text body and the facts of one notification."""
    url = f"{dashboard}/alerts/{alert.id}"
    what = alert.summary or alert.rule
    subject = f"[civicshield] {alert.severity.value.upper()}: {what}"
    if principal:
        subject += f" ({principal})"
    if escalated_after is not None:
        subject = f"{subject} - not acknowledged"
    first = alert.first_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    lines = []
    if escalated_after is not None:
        lines.append(f"Nobody has acknowledged this alert for {_minutes(escalated_after)}; you "
                     "are the next contact in the safety plan.")
    lines += [f"Rule: {alert.rule}" + (f" ({rule.description})" if rule and rule.description
                                        else ""),
              f"Why: {'; '.join(alert.reasons)}",
              f"{alert.message_count} message(s) from {alert.sender_count} sender(s) since "
              f"{first}.", *message_lines]
    steps = plan.triggers.get(alert.severity, ()) if plan else ()
    if steps:
        lines += ["", "Safety plan steps for this level:", *(f"- {s}" for s in steps)]
    lines += ["", f"Open the alert to read the messages and acknowledge it: {url}"]
    return {"subject": subject, "text": "\n".join(lines), "url": url,
            "severity": alert.severity.value, "rule": alert.rule, "alert_id": alert.id,
            "reasons": list(alert.reasons), "messages": alert.message_count,
            "senders": alert.sender_count}
