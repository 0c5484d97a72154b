"""Alerts: rules fired on newly stored messages, grouped like Alertmanager, announced through a
persistent outbox (email over SMTP, signed webhooks, Slack, Teams; the dashboard banner reads the
open alerts), escalated along the safety plan's chain when nobody acknowledges them.

``fire`` runs inside the transaction that stored the messages, so an alert exists exactly when
its messages do. ``tick`` decides which notifications are due and writes them to the outbox;
``deliver`` sends what the outbox holds and marks each sent. A crash between sending and marking
resends with the same idempotency key (the email's Message-ID, the webhook's Idempotency-Key).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from civicshield.domain.access import require, visible_to
from civicshield.domain.alerts import (
    Alert,
    AlertEvent,
    AlertRule,
    AlertStatus,
    doxxing_of,
    evaluate,
    families_of,
    next_notification,
    quiet_until,
    rank_of,
)
from civicshield.domain.errors import ConfigError, InvalidInputError
from civicshield.domain.evidence import Severity
from civicshield.domain.models import Role, StoredMessage, User
from civicshield.domain.ports import StopSignal
from civicshield.domain.safety import Contact, SafetyPlan
from civicshield.notify import smtp
from civicshield.services.alerts.messages import notification_text
from civicshield.services.alerts.rules import RuleSet, load_rules, parse_rules
from civicshield.services.context import ServiceContext
from civicshield.storage.alerts import NotifyTarget, Outgoing, SqlAlertRepository
from civicshield.storage.repository import SqlRepository
from civicshield.storage.safety import SqlSafetyRepository

log = logging.getLogger("civicshield.alerts")

#: Attempts before a notification is given up (shown on the alerts page as failed).
MAX_ATTEMPTS = 12
#: Longest pause between two attempts.
MAX_BACKOFF = timedelta(minutes=15)


@dataclass(frozen=True)
class AlertView:
    """An alert page: the alert, its messages as the viewer may see them, and what was sent."""

    alert: Alert
    rule: AlertRule | None
    messages: list[StoredMessage]
    sent: list[Outgoing]
    plan: SafetyPlan | None


@dataclass(frozen=True)
class Recipient:
    """Who a notification goes to."""

    kind: str  # "email" or a webhook kind
    target: str  # the address, or the webhook target's name
    quiet_hours: tuple[int, int] | None = None


class Alerts:
    """Rules, alerts, notifications and acknowledgement."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    # ---- rules --------------------------------------------------------------------------
    def rules(self) -> tuple[RuleSet, str]:
        """The rules in force and the text of their file."""
        return load_rules(self.context.settings.alert_rules_file)

    def save_rules(self, actor: User, text: str) -> RuleSet:
        """Check and save a new rules file (admins); InvalidInputError names rule and field."""
        require(actor, Role.ADMIN)
        ruleset = parse_rules(text, "the alert rules")
        path = self.context.settings.alert_rules_file
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(0o600)
        temporary.replace(path)
        with self.context.transaction(write=True) as repo:
            repo.audit(actor.username, "alerts.rules_saved", "alert rules",
                       f"{len(ruleset.rules)} rules")
        return ruleset

    # ---- firing -------------------------------------------------------------------------
    def fire(self, repo: SqlRepository, principal_id: int,
             keys: Sequence[tuple[str, str]]) -> int:
        """Fire the rules on newly stored messages, in the caller's transaction; returns how
        many messages joined an alert."""
        ruleset, _ = self.rules()
        if not ruleset.rules or not keys:
            return 0
        stored = repo.messages_by_keys(principal_id, keys)
        return self._fire(repo, ruleset, stored)

    def fire_since(self, actor: User, since: datetime) -> int:
        """Fire the rules on every message that arrived since ``since`` (after an import)."""
        require(actor, Role.ANALYST)
        ruleset, _ = self.rules()
        total = 0
        with self.context.transaction(write=True) as repo:
            for principal in repo.principals():
                keys = repo.recent_keys(principal.id, since)
                total += self._fire(repo, ruleset, repo.messages_by_keys(principal.id, keys))
        return total

    def _fire(self, repo: SqlRepository, ruleset: RuleSet,
              stored: Sequence[StoredMessage]) -> int:
        store = SqlAlertRepository(repo.conn, self.context.cipher)
        now = self.context.clock()
        window = max((r.rise_window for r in ruleset.rules), default=timedelta(days=7))
        lowest = store.lowest_risk_since([m.sender.group_id for m in stored], now - window)
        events = [_event(m, lowest) for m in stored]
        taken: set[int] = set()
        joined = 0
        for match in evaluate(ruleset.rules, events, self.context.settings.zone):
            message_id = match.event.message_id
            if message_id in taken:
                continue
            if match.rule.name not in ruleset.continues:
                taken.add(message_id)
            joined += self._join(store, match.rule, match.key, match.reasons, match.event, now)
        return joined

    def _join(self, store: SqlAlertRepository, rule: AlertRule, key: str,
              reasons: tuple[str, ...], event: AlertEvent, now: datetime) -> int:
        alert = store.unresolved(key)
        if alert is None:
            alert_id = store.create(rule=rule.name, key=key, severity=rule.severity,
                                    principal_id=event.principal_id,
                                    summary=rule.description or rule.name, reasons=reasons,
                                    at=now, next_notify_at=now + rule.group_wait)
        else:
            alert_id = alert.id
        added = store.add_messages(alert_id, [event.message_id], now)
        if added and alert is not None:
            store.update(alert_id, next_notify_at=next_notification(alert, rule, now))
        return added

    # ---- notifications -------------------------------------------------------------------
    def tick(self) -> int:
        """Write the notifications that are due to the outbox (first ones after the group
        wait, updates, reminders, escalations, safety plan reviews); returns how many."""
        ruleset, _ = self.rules()
        by_name = {r.name: r for r in ruleset.rules}
        now = self.context.clock()
        written = 0
        with self.context.transaction(write=True) as repo:
            store = SqlAlertRepository(repo.conn, self.context.cipher)
            plans = SqlSafetyRepository(repo.conn, self.context.cipher).all_plans()
            names = {p.id: p.display_name for p in repo.principals()}
            targets = store.targets()
            for alert in store.due(now):
                rule = by_name.get(alert.rule)
                written += self._announce(repo, store, alert, rule, plans, names, targets, now,
                                          include_text=ruleset.include_message_text)
            for alert in store.alerts(statuses=(AlertStatus.OPEN,), limit=500):
                rule = by_name.get(alert.rule)
                written += self._escalate(repo, store, alert, rule, plans, names, now)
            written += self._plan_reminders(store, plans, names, now)
        return written

    def _announce(self, repo: SqlRepository, store: SqlAlertRepository, alert: Alert,
                  rule: AlertRule | None, plans: dict[int, SafetyPlan], names: dict[int, str],
                  targets: list[NotifyTarget], now: datetime, *, include_text: bool) -> int:
        plan = plans.get(alert.principal_id)
        steps = self._chain(plan, alert.severity)
        people = [r for step in steps[:alert.escalation_step + 1] for r in step]
        hooks = [Recipient(t.kind, t.name) for t in targets
                 if t.enabled and rank_of(t.min_severity) <= rank_of(alert.severity)]
        note = notification_text(alert, rule, names.get(alert.principal_id, ""), plan,
                                 self._message_lines(repo, store, alert, include_text=include_text),
                                 self.context.settings.dashboard_url,
                                 self.context.settings.zone)
        due = int((alert.next_notify_at or now).timestamp())
        written = self._enqueue(store, alert, [*people, *hooks], note, f"n{due}", now)
        repeat = rule.repeat_interval if rule else timedelta(hours=4)
        store.update(alert.id, last_notified_at=now, notified_count=alert.message_count,
                     next_notify_at=now + repeat)
        return written

    def _escalate(self, repo: SqlRepository, store: SqlAlertRepository, alert: Alert,
                  rule: AlertRule | None, plans: dict[int, SafetyPlan], names: dict[int, str],
                  now: datetime) -> int:
        if rule is None or rule.escalate_after is None or alert.last_notified_at is None:
            return 0
        since = alert.escalated_at or alert.last_notified_at
        plan = plans.get(alert.principal_id)
        steps = self._chain(plan, alert.severity)
        step = alert.escalation_step + 1
        if now - since < rule.escalate_after or step >= len(steps):
            return 0
        store.update(alert.id, escalation_step=step, escalated_at=now)
        moved = replace(alert, escalation_step=step)
        note = notification_text(moved, rule, names.get(alert.principal_id, ""), plan,
                                 self._message_lines(repo, store, alert, include_text=False),
                                 self.context.settings.dashboard_url, self.context.settings.zone,
                                 escalated_after=rule.escalate_after)
        return self._enqueue(store, alert, steps[step], note, f"e{step}", now)

    def _plan_reminders(self, store: SqlAlertRepository, plans: dict[int, SafetyPlan],
                        names: dict[int, str], now: datetime) -> int:
        written = 0
        for principal_id, plan in plans.items():
            chain = plan.chain()
            if not plan.review_due(now) or not chain or not chain[0].email:
                continue
            since = (plan.reviewed_at or plan.updated_at or now).date().isoformat()
            url = f"{self.context.settings.dashboard_url}/safety/{principal_id}"
            note = {"subject": f"[civicshield] Time to review the safety plan of "
                               f"{names.get(principal_id, '')}",
                    "text": "Safety plans are reviewed every 90 days: check the contacts, the "
                            f"safe places and the steps, then mark it reviewed.\n\n{url}",
                    "url": url, "severity": "low", "rule": "safety-plan-review"}
            written += store.enqueue(alert_id=None, kind="email", target=chain[0].email,
                                     key=f"plan-review:{principal_id}:{since}", payload=note,
                                     at=now)
        return written

    def _chain(self, plan: SafetyPlan | None, severity: Severity) -> list[list[Recipient]]:
        """The escalation chain for this severity: each step the contacts who share an order
        (and receive this severity); the alert_contacts setting when the plan names nobody."""
        steps: dict[int, list[Recipient]] = {}
        for contact in plan.chain() if plan else []:
            if contact.email and rank_of(contact.receives) <= rank_of(severity):
                steps.setdefault(contact.order, []).append(_recipient(contact))
        if steps:
            return [steps[k] for k in sorted(steps)]
        fallback = [Recipient("email", a) for a in self.context.settings.alert_contacts]
        return [fallback] if fallback else []

    def _enqueue(self, store: SqlAlertRepository, alert: Alert, recipients: list[Recipient],
                 note: dict[str, Any], stage: str, now: datetime) -> int:
        written = 0
        zone = self.context.settings.zone
        for person in recipients:
            held = None if alert.severity is Severity.CRITICAL else quiet_until(
                now, person.quiet_hours, zone)
            key = f"alert:{alert.id}:{stage}:{person.kind}:{person.target}"
            written += store.enqueue(alert_id=alert.id, kind=person.kind, target=person.target,
                                     key=key, payload=note, at=held or now)
        return written

    def _message_lines(self, repo: SqlRepository, store: SqlAlertRepository, alert: Alert, *,
                       include_text: bool) -> list[str]:
        ids = store.message_ids(alert.id)
        senders: dict[int, str] = {}
        texts: list[str] = []
        for message_id in ids[-20:]:
            message = repo.message(message_id)
            senders[message.sender.group_id] = message.sender.label
            if include_text and len(texts) < 3:
                texts.append(f"{message.sender.label}: {message.text[:500]}")
        lines = [f"From: {', '.join(list(senders.values())[:5])}"
                 + (" and others" if alert.sender_count > 5 else "")]
        return lines + texts

    def deliver(self, *, limit: int = 50) -> int:
        """Send what the outbox holds that is due; returns how many were sent."""
        now = self.context.clock()
        with self.context.transaction() as repo:
            store = SqlAlertRepository(repo.conn, self.context.cipher)
            due = store.pending(now, limit)
            hooks = {t.name: t for t in store.targets(with_secrets=True)} if due else {}
        sent = 0
        for item in due:
            error = self._send(item, hooks)
            with self.context.transaction(write=True) as repo:
                store = SqlAlertRepository(repo.conn, self.context.cipher)
                if error is None:
                    store.mark_sent(item.id, self.context.clock())
                    sent += 1
                else:
                    message, retryable = error
                    give_up = not retryable or item.attempts + 1 >= MAX_ATTEMPTS
                    wait = min(timedelta(seconds=5 * 2 ** item.attempts), MAX_BACKOFF)
                    store.mark_retry(item.id, message, self.context.clock() + wait,
                                     give_up=give_up)
                    log.warning("notification %d not sent: %s", item.id, message)
        return sent

    def _send(self, item: Outgoing, hooks: dict[str, NotifyTarget]) -> tuple[str, bool] | None:
        from civicshield.network import guarded_client  # HTTP is loaded when sending
        from civicshield.notify import webhook

        note = item.payload
        reference = hashlib.sha256(item.key.encode()).hexdigest()[:40]
        settings = self.context.settings
        try:
            if item.kind == "email":
                smtp.send(smtp.MailServer(settings.smtp_host, settings.smtp_port,
                                          settings.smtp_username, settings.smtp_password,
                                          settings.smtp_starttls, settings.smtp_from),
                          (item.target,), note["subject"], note["text"], message_id=reference)
                return None
            target = hooks.get(item.target)
            if target is None or not target.enabled:
                return f"the webhook {item.target!r} was removed", False
            with guarded_client(frozenset(settings.allowed_local_hosts),
                                user_agent="civicshield-alerts",
                                ca_file=str(settings.ca_file or "")) as client:
                webhook.post(client, target.url, target.kind, target.secret, note, reference)
            return None
        except ConfigError as exc:
            return str(exc), True
        except webhook.DeliveryError as exc:
            return str(exc), exc.retryable

    def run(self, stop: StopSignal, *, every: float = 1.0) -> None:
        """Tick and deliver until ``stop`` is set (the intake process runs this)."""
        while not stop.is_set():
            try:
                self.tick()
                self.deliver()
            except Exception:  # keep alerting alive; the next round tries again
                log.exception("alert round failed")
            stop.wait(every)

    # ---- staff --------------------------------------------------------------------------
    def overview(self, actor: User, *, include_resolved: bool = False) -> list[Alert]:
        """Alerts, open and most serious first."""
        require(actor, Role.VIEWER)
        statuses = () if include_resolved else (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
        with self.context.transaction() as repo:
            return SqlAlertRepository(repo.conn, self.context.cipher).alerts(statuses=statuses)

    def counts(self, actor: User) -> dict[str, int]:
        """Open alerts by severity (the dashboard banner)."""
        require(actor, Role.VIEWER)
        with self.context.transaction() as repo:
            return SqlAlertRepository(repo.conn, self.context.cipher).counts()

    def view(self, actor: User, alert_id: int) -> AlertView:
        """One alert with its messages (as the viewer may see them) and its notifications."""
        require(actor, Role.VIEWER)
        ruleset, _ = self.rules()
        with self.context.transaction() as repo:
            store = SqlAlertRepository(repo.conn, self.context.cipher)
            alert = store.alert(alert_id)
            found = [visible_to(actor, repo.message(m)) for m in store.message_ids(alert_id)]
            plan = SqlSafetyRepository(repo.conn, self.context.cipher).plan(alert.principal_id)
            return AlertView(alert, next((r for r in ruleset.rules if r.name == alert.rule),
                                         None), found, store.outgoing(alert_id=alert_id), plan)

    def acknowledge(self, actor: User, alert_id: int) -> None:
        """Someone has it: reminders and escalation stop; new messages still join."""
        self._set_status(actor, alert_id, AlertStatus.ACKNOWLEDGED, "alert.acknowledged")

    def resolve(self, actor: User, alert_id: int) -> None:
        """Done: a later message starts a new alert."""
        self._set_status(actor, alert_id, AlertStatus.RESOLVED, "alert.resolved")

    def _set_status(self, actor: User, alert_id: int, status: AlertStatus, action: str) -> None:
        require(actor, Role.ANALYST)
        now = self.context.clock()
        with self.context.transaction(write=True) as repo:
            store = SqlAlertRepository(repo.conn, self.context.cipher)
            alert = store.alert(alert_id)
            if alert.status is AlertStatus.RESOLVED:
                raise InvalidInputError("this alert is already resolved")
            if status is AlertStatus.ACKNOWLEDGED:
                store.update(alert_id, status=status, acknowledged_by=actor.username,
                             acknowledged_at=now, next_notify_at=None)
            else:
                store.update(alert_id, status=status, resolved_by=actor.username,
                             resolved_at=now, next_notify_at=None)
            repo.audit(actor.username, action, f"alert:{alert_id}", alert.rule)

    def link_incident(self, actor: User, alert_id: int, incident_id: int) -> None:
        """Record the incident opened from this alert."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            SqlAlertRepository(repo.conn, self.context.cipher).update(alert_id,
                                                                      incident_id=incident_id)

    def outbox(self, actor: User, *, limit: int = 100) -> list[Outgoing]:
        """Recent notifications and how each went (admins)."""
        require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            return SqlAlertRepository(repo.conn, self.context.cipher).outgoing(limit=limit)

    # ---- webhook targets -----------------------------------------------------------------
    def targets(self, actor: User) -> list[NotifyTarget]:
        """The configured webhooks (never their address or secret)."""
        require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            return SqlAlertRepository(repo.conn, self.context.cipher).targets()

    def add_target(self, actor: User, name: str, kind: str, url: str, secret: str,
                   min_severity: Severity) -> int:
        """A new webhook (admins); the address must be https unless the operator allowed its
        host."""
        from civicshield.notify import webhook

        require(actor, Role.ADMIN)
        if kind not in webhook.KINDS:
            raise InvalidInputError(f"unknown webhook kind {kind!r} ({', '.join(webhook.KINDS)})")
        if not name.strip():
            raise InvalidInputError("give the webhook a name")
        _check_url(url, frozenset(self.context.settings.allowed_local_hosts))
        with self.context.transaction(write=True) as repo:
            target = SqlAlertRepository(repo.conn, self.context.cipher).add_target(
                name.strip(), kind, url, secret, min_severity, self.context.clock())
            repo.audit(actor.username, "alerts.target_added", f"webhook:{name}", kind)
            return target

    def remove_target(self, actor: User, target_id: int) -> None:
        """Switch a webhook off."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            SqlAlertRepository(repo.conn, self.context.cipher).remove_target(target_id)
            repo.audit(actor.username, "alerts.target_removed", f"webhook:{target_id}", "")


def _check_url(url: str, allowed: frozenset[str]) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidInputError("field 'url': not a web address")
    if parts.scheme != "https" and host not in allowed:
        raise InvalidInputError("field 'url': webhooks are sent over https only")


def _recipient(contact: Contact) -> Recipient:
    return Recipient("email", contact.email, contact.quiet_hours)


def _event(message: StoredMessage, lowest: dict[int, Any]) -> AlertEvent:
    return AlertEvent(
        message_id=message.id, principal_id=message.principal_id,
        sender_group_id=message.sender.group_id, sender_label=message.sender.label,
        platform=message.platform, created_at=message.created_at,
        flags=frozenset(message.flags), families=families_of(message.findings),
        doxxing=doxxing_of(message.findings), risk=message.sender.risk_level,
        risk_before=lowest.get(message.sender.group_id, message.sender.risk_level))
