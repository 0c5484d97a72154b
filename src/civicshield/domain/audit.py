"""The audit log in words staff read: each action code's plain name, and an entry's details
as "what: value" pairs instead of raw JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass

from civicshield.domain.models import AuditEntry

#: Action codes and what they mean; an unknown code is shown as it is written.
ACTION_WORDS: dict[str, str] = {
    "alerts.rules_saved": "saved the alert rules",
    "alerts.target_added": "added a webhook",
    "alerts.target_removed": "stopped a webhook",
    "alert.acknowledged": "acknowledged an alert",
    "alert.resolved": "resolved an alert",
    "analysis.completed": "ran the detectors again",
    "api_token.created": "created an API token",
    "api_token.revoked": "revoked an API token",
    "broker.checked": "recorded a data-broker check",
    "evidence.receipt": "wrote a custody receipt",
    "evidence.receipt_sent": "emailed a custody receipt",
    "exposure.dismissed": "set an exposure aside",
    "exposure.reported": "made the exposure report",
    "exposure.scanned": "scanned for exposures",
    "exposure.viewed": "viewed an exposure",
    "hygiene.audited": "audited a password export",
    "hygiene.excluded": "set a password finding aside",
    "hygiene.new_round": "started a password audit round",
    "import.completed": "imported a file",
    "incident.exported": "downloaded an evidence packet",
    "incident.opened": "opened an incident",
    "incident.updated": "updated an incident",
    "intake.credentials_replaced": "replaced a source's password or token",
    "intake.enabled": "switched a source on",
    "intake.disabled": "switched a source off",
    "intake.source_added": "added a live source",
    "inventory.added": "added an account",
    "inventory.checked": "did a privacy check",
    "inventory.removed": "removed an account",
    "login": "logged in",
    "login.failed": "failed to log in",
    "login.throttled": "was refused: too many failed logins",
    "logout": "logged out",
    "message.raw_downloaded": "downloaded an original message",
    "principal.added": "added a protected person",
    "profile.updated": "changed the protected profile",
    "profile.viewed": "viewed the protected profile",
    "request.drafted": "drafted a removal request",
    "request.edited": "edited a removal request",
    "request.viewed": "viewed a removal request",
    "safety.plan_reviewed": "reviewed the safety plan",
    "safety.plan_saved": "saved the safety plan",
    "sender.blocked": "marked a sender blocked",
    "sender.merged": "merged two senders",
    "user.added": "added a staff account",
    "user.password_changed": "changed a password",
    "user.preferences": "changed their settings",
    "user.updated": "changed a staff account",
}


@dataclass(frozen=True)
class ReadableEntry:
    """An audit entry as the audit log page shows it."""

    entry: AuditEntry
    action: str
    details: tuple[tuple[str, str], ...]


def readable(entry: AuditEntry) -> ReadableEntry:
    """The entry with its action in words and its details as pairs."""
    details: tuple[tuple[str, str], ...] = ()
    text = entry.details.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            details = tuple((str(k).replace("_", " "), _value(v)) for k, v in data.items())
    elif text:
        details = (("", text),)
    return ReadableEntry(entry, ACTION_WORDS.get(entry.action, entry.action), details)


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
