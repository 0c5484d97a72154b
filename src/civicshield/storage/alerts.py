"""Storage of alerts and the messages in each, the notification outbox (payloads encrypted),
webhook targets (address and secret encrypted) and sender risk changes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row

from civicshield.crypto import Cipher
from civicshield.domain.alerts import RISK_ORDER, Alert, AlertStatus
from civicshield.domain.errors import InvalidInputError, NotFoundError
from civicshield.domain.evidence import Severity
from civicshield.domain.models import RiskLevel
from civicshield.storage.tables import (
    alert_messages,
    alerts,
    messages,
    notify_targets,
    outbox,
    risk_changes,
    senders,
)

_UNRESOLVED = (AlertStatus.OPEN.value, AlertStatus.ACKNOWLEDGED.value)


@dataclass(frozen=True)
class Outgoing:
    """One notification in the outbox."""

    id: int
    alert_id: int | None
    kind: str
    target: str
    key: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class NotifyTarget:
    """A webhook an admin configured; ``url`` and ``secret`` only when asked for by the sender."""

    id: int
    name: str
    kind: str
    min_severity: Severity
    enabled: bool
    url: str = ""
    secret: str = ""


class SqlAlertRepository:
    """Alerts, outbox and targets over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    # ---- alerts ---------------------------------------------------------------------------
    def unresolved(self, group_key: str) -> Alert | None:
        """The open or acknowledged alert with this group key, if any."""
        row = self.conn.execute(select(alerts).where(
            alerts.c.group_key == group_key, alerts.c.status.in_(_UNRESOLVED))
            .order_by(alerts.c.id.desc())).first()
        return None if row is None else self._alert(row)

    def create(self, *, rule: str, key: str, severity: Severity, principal_id: int,
               summary: str, reasons: Sequence[str], at: datetime,
               next_notify_at: datetime) -> int:
        """A new open alert; returns its id."""
        row = self.conn.execute(insert(alerts).values(
            rule=rule, group_key=key, severity=severity.value, status=AlertStatus.OPEN.value,
            principal_id=principal_id, summary=summary[:500], reasons=json.dumps(list(reasons)),
            first_at=at, last_at=at, message_count=0, notified_count=0, escalation_step=0,
            next_notify_at=next_notify_at, acknowledged_by="", resolved_by="",
        ).returning(alerts.c.id)).one()
        return int(row.id)

    def add_messages(self, alert_id: int, message_ids: Sequence[int], now: datetime) -> int:
        """Put messages in the alert (those already in it are left); returns how many were new."""
        have = set(self.conn.execute(select(alert_messages.c.message_id).where(
            alert_messages.c.alert_id == alert_id,
            alert_messages.c.message_id.in_(list(message_ids)))).scalars())
        fresh = [m for m in dict.fromkeys(message_ids) if m not in have]
        if fresh:
            self.conn.execute(insert(alert_messages), [
                {"alert_id": alert_id, "message_id": m, "added_at": now} for m in fresh])
            count = self.conn.execute(select(func.count()).select_from(alert_messages).where(
                alert_messages.c.alert_id == alert_id)).scalar_one()
            first, last = self.conn.execute(select(
                func.min(messages.c.created_at), func.max(messages.c.created_at)).select_from(
                alert_messages.join(messages, messages.c.id == alert_messages.c.message_id))
                .where(alert_messages.c.alert_id == alert_id)).one()
            self.update(alert_id, message_count=int(count), first_at=first or now,
                        last_at=last or now)
        return len(fresh)

    def update(self, alert_id: int, **values: Any) -> None:
        """Change stored fields of one alert."""
        for key, value in list(values.items()):
            if isinstance(value, AlertStatus | Severity):
                values[key] = value.value
        self.conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))

    def alert(self, alert_id: int) -> Alert:
        """One alert."""
        row = self.conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise NotFoundError(f"no alert with id {alert_id}")
        return self._alert(row)

    def alerts(self, *, statuses: Sequence[AlertStatus] = (), limit: int = 100,
               principal_id: int | None = None) -> list[Alert]:
        """Alerts, most serious and newest first."""
        query = select(alerts)
        if statuses:
            query = query.where(alerts.c.status.in_([s.value for s in statuses]))
        if principal_id is not None:
            query = query.where(alerts.c.principal_id == principal_id)
        rows = self.conn.execute(query.order_by(alerts.c.last_at.desc()).limit(limit)).all()
        found = [self._alert(r) for r in rows]
        order = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
        return sorted(found, key=lambda a: (a.status is AlertStatus.RESOLVED,
                                            order[a.severity], -a.last_at.timestamp()))

    def message_ids(self, alert_id: int) -> list[int]:
        """The messages in an alert, in the order they arrived."""
        return list(self.conn.execute(select(alert_messages.c.message_id).where(
            alert_messages.c.alert_id == alert_id).order_by(alert_messages.c.message_id))
            .scalars())

    def due(self, now: datetime) -> list[Alert]:
        """Open alerts whose next notification is due."""
        rows = self.conn.execute(select(alerts).where(
            alerts.c.status == AlertStatus.OPEN.value, alerts.c.next_notify_at <= now)
            .order_by(alerts.c.id)).all()
        return [self._alert(r) for r in rows]

    def _alert(self, row: Row[Any]) -> Alert:
        senders_in = self.conn.execute(
            select(func.count(func.distinct(senders.c.group_id))).select_from(
                alert_messages.join(messages, messages.c.id == alert_messages.c.message_id)
                .join(senders, senders.c.id == messages.c.sender_id))
            .where(alert_messages.c.alert_id == row.id)).scalar_one()
        return Alert(
            id=row.id, rule=row.rule, group_key=row.group_key, severity=Severity(row.severity),
            status=AlertStatus(row.status), principal_id=row.principal_id, summary=row.summary,
            reasons=tuple(json.loads(row.reasons)), first_at=row.first_at, last_at=row.last_at,
            message_count=row.message_count, sender_count=int(senders_in),
            notified_count=row.notified_count, last_notified_at=row.last_notified_at,
            next_notify_at=row.next_notify_at, escalation_step=row.escalation_step,
            escalated_at=row.escalated_at, acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at, resolved_by=row.resolved_by,
            resolved_at=row.resolved_at, incident_id=row.incident_id)

    def counts(self) -> dict[str, int]:
        """Open (unacknowledged) alerts by severity, for the dashboard banner."""
        rows = self.conn.execute(select(alerts.c.severity, func.count()).where(
            alerts.c.status == AlertStatus.OPEN.value).group_by(alerts.c.severity)).all()
        return {severity: int(n) for severity, n in rows}

    # ---- sender risk changes ----------------------------------------------------------------
    def lowest_risk_since(self, group_ids: Sequence[int], since: datetime
                          ) -> dict[int, RiskLevel]:
        """Each group's lowest risk level from ``since`` until now (the level in force at
        ``since`` included; a group with no earlier change started low)."""
        lowest: dict[int, RiskLevel] = {}
        for group in dict.fromkeys(group_ids):
            before = self.conn.execute(select(risk_changes.c.level).where(
                risk_changes.c.group_id == group, risk_changes.c.at < since)
                .order_by(risk_changes.c.at.desc(), risk_changes.c.id.desc()).limit(1)).scalar()
            levels = [RiskLevel(before or "low"), *(RiskLevel(v) for v in self.conn.execute(
                select(risk_changes.c.level).where(risk_changes.c.group_id == group,
                                                   risk_changes.c.at >= since)).scalars())]
            lowest[group] = min(levels, key=RISK_ORDER.index)
        return lowest

    # ---- the outbox -------------------------------------------------------------------------
    def enqueue(self, *, alert_id: int | None, kind: str, target: str, key: str,
                payload: dict[str, Any], at: datetime) -> bool:
        """Write one notification unless one with the same key exists; True when written."""
        exists = self.conn.execute(select(outbox.c.id).where(
            outbox.c.idempotency_key == key)).first()
        if exists is not None:
            return False
        self.conn.execute(insert(outbox).values(
            alert_id=alert_id, kind=kind, target=target[:300], idempotency_key=key,
            payload_encrypted=self.cipher.encrypt(json.dumps(payload).encode(),
                                                  context=key.encode()),
            status="pending", attempts=0, next_attempt_at=at, last_error="", created_at=at))
        return True

    def pending(self, now: datetime, limit: int = 50) -> list[Outgoing]:
        """Notifications due to be sent, oldest first."""
        rows = self.conn.execute(select(outbox).where(
            outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.id).limit(limit)).all()
        return [self._outgoing(r) for r in rows]

    def outgoing(self, *, limit: int = 100, alert_id: int | None = None) -> list[Outgoing]:
        """Recent notifications, newest first."""
        query = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
        if alert_id is not None:
            query = query.where(outbox.c.alert_id == alert_id)
        return [self._outgoing(r) for r in self.conn.execute(query)]

    def mark_sent(self, outgoing_id: int, now: datetime) -> None:
        """The receiver took it."""
        self.conn.execute(update(outbox).where(outbox.c.id == outgoing_id).values(
            status="sent", sent_at=now, attempts=outbox.c.attempts + 1, last_error=""))

    def mark_retry(self, outgoing_id: int, error: str, next_at: datetime, *,
                   give_up: bool) -> None:
        """A failed attempt: try again at ``next_at``, or stop (``give_up``)."""
        self.conn.execute(update(outbox).where(outbox.c.id == outgoing_id).values(
            status="failed" if give_up else "pending", next_attempt_at=next_at,
            attempts=outbox.c.attempts + 1, last_error=error[:500]))

    def _outgoing(self, row: Row[Any]) -> Outgoing:
        payload = json.loads(self.cipher.decrypt(row.payload_encrypted,
                                                 context=row.idempotency_key.encode()))
        return Outgoing(id=row.id, alert_id=row.alert_id, kind=row.kind, target=row.target,
                        key=row.idempotency_key, payload=payload, status=row.status,
                        attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                        last_error=row.last_error, sent_at=row.sent_at)

    # ---- webhook targets --------------------------------------------------------------------
    def add_target(self, name: str, kind: str, url: str, secret: str, min_severity: Severity,
                   now: datetime) -> int:
        """A new webhook target; returns its id."""
        if self.conn.execute(select(notify_targets.c.id).where(
                notify_targets.c.name == name)).first() is not None:
            raise InvalidInputError(f"a notification target named {name!r} already exists")
        row = self.conn.execute(insert(notify_targets).values(
            name=name, kind=kind, url_encrypted=self.cipher.encrypt(url.encode(),
                                                                    context=b"target-url"),
            secret_encrypted=self.cipher.encrypt(secret.encode(), context=b"target-secret")
            if secret else None, min_severity=min_severity.value, enabled=True,
            created_at=now).returning(notify_targets.c.id)).one()
        return int(row.id)

    def targets(self, *, with_secrets: bool = False) -> list[NotifyTarget]:
        """Every webhook target (address and secret only ``with_secrets``, for sending)."""
        found = []
        for r in self.conn.execute(select(notify_targets).order_by(notify_targets.c.name)):
            url = secret = ""
            if with_secrets:
                url = self.cipher.decrypt(r.url_encrypted, context=b"target-url").decode()
                secret = self.cipher.decrypt(r.secret_encrypted, context=b"target-secret"
                                             ).decode() if r.secret_encrypted else ""
            found.append(NotifyTarget(r.id, r.name, r.kind, Severity(r.min_severity),
                                      r.enabled, url, secret))
        return found

    def remove_target(self, target_id: int) -> None:
        """Delete a webhook target."""
        self.conn.execute(update(notify_targets).where(notify_targets.c.id == target_id)
                          .values(enabled=False))
