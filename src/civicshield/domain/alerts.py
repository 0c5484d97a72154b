"""Alerts: declarative rules over analysed messages, and groups of messages that fire together.

A rule names what must hold (every condition it sets, any of the values listed in each) and how
its alerts are grouped, like Alertmanager: messages with the same group key join one alert, the
first notification waits ``group_wait`` for the rest of a burst, later messages are announced at
most every ``group_interval``, and an alert nobody acknowledged is repeated every
``repeat_interval`` and, when ``escalate_after`` is set, passed to the next person in the safety
plan's chain. Everything here is pure; the alerts service stores and sends.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from civicshield.domain.evidence import Severity
from civicshield.domain.models import Finding, RiskLevel

RISK_ORDER = (RiskLevel.LOW, RiskLevel.ELEVATED, RiskLevel.HIGH, RiskLevel.CRITICAL)
SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)

#: What a rule may group its alerts by (the rule itself is always part of the key).
GROUP_FIELDS = frozenset({"principal", "sender", "channel"})

#: What doxxing a message does, read from its doxxing findings' reasons.
DOXXING_TARGETS: dict[str, tuple[str, ...]] = {
    "home": ("home address", "home street", "used to live"),
    "family": ("family", "children attend"),
    "phone": ("phone",),
    "email": ("personal email",),
    "vehicle": ("vehicle",),
    "account": ("personal account",),
}

#: Threat-assessment cues a rule may name as families, besides the threat rules' own kinds.
CUE_FAMILIES = frozenset({"weapon", "time_place", "home_family", "movement", "last_resort",
                          "leakage"})
#: The kinds of threat the threat rules name in their reasons ("... (veiled threat)").
THREAT_KINDS = frozenset({"explicit", "veiled", "conditional", "incitement"})
_KIND = re.compile(r"\((explicit|veiled|conditional) threat\)|\((incitement)\)")


class AlertStatus(enum.StrEnum):
    """Where an alert stands: open (nobody has taken it), acknowledged, or resolved."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


def rank_of(severity: Severity) -> int:
    """0 for low up to 3 for critical."""
    return SEVERITY_ORDER.index(severity)


@dataclass(frozen=True)
class AlertRule:
    """One rule: the conditions (all must hold) and how its alerts are grouped and repeated."""

    name: str
    severity: Severity
    description: str = ""
    labels: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()
    doxxing: frozenset[str] = frozenset()
    min_risk: RiskLevel | None = None
    risk_rise: int = 0
    rise_window: timedelta = timedelta(days=7)
    channels: frozenset[str] = frozenset()
    hours: tuple[int, int] | None = None
    group_by: tuple[str, ...] = ("principal",)
    group_wait: timedelta = timedelta(seconds=10)
    group_interval: timedelta = timedelta(minutes=5)
    repeat_interval: timedelta = timedelta(hours=4)
    escalate_after: timedelta | None = None


@dataclass(frozen=True)
class AlertEvent:
    """What a rule can see of one newly stored message."""

    message_id: int
    principal_id: int
    sender_group_id: int
    sender_label: str
    platform: str
    created_at: datetime
    flags: frozenset[str]
    families: frozenset[str]
    doxxing: frozenset[str]
    risk: RiskLevel
    #: The sender's lowest risk level within the longest rise window of any rule.
    risk_before: RiskLevel = RiskLevel.LOW


def families_of(findings: Iterable[Finding]) -> frozenset[str]:
    """The kinds of threat (explicit, veiled, conditional, incitement) and the threat-assessment
    cues a message's findings name."""
    found: set[str] = set()
    for finding in findings:
        if finding.cue:
            found.add(finding.cue)
        elif finding.label == "threat":
            found.update(k for pair in _KIND.findall(finding.why) for k in pair if k)
    return frozenset(found)


def doxxing_of(findings: Iterable[Finding]) -> frozenset[str]:
    """What the message's doxxing findings reveal: home, family, phone, email, vehicle, account."""
    found: set[str] = set()
    for finding in findings:
        if finding.label != "doxxing":
            continue
        why = finding.why.lower()
        found.update(t for t, words in DOXXING_TARGETS.items() if any(w in why for w in words))
    return frozenset(found)


def _in_hours(at: datetime, hours: tuple[int, int], zone: tzinfo) -> bool:
    start, end = hours
    hour = at.astimezone(zone).hour
    return start <= hour < end if start < end else hour >= start or hour < end


def reasons(rule: AlertRule, event: AlertEvent, zone: tzinfo) -> tuple[str, ...] | None:
    """Why the rule fires on the event, in plain words, or None when it does not."""
    said: list[str] = []
    if rule.labels:
        hit = sorted(rule.labels & event.flags)
        if not hit:
            return None
        said.append(f"flagged as {', '.join(h.replace('_', ' ') for h in hit)}")
    if rule.families:
        hit = sorted(rule.families & event.families)
        if not hit:
            return None
        said.append(f"threat signs: {', '.join(h.replace('_', ' ') for h in hit)}")
    if rule.doxxing:
        hit = sorted(rule.doxxing & event.doxxing)
        if not hit:
            return None
        said.append(f"reveals the official's {' and '.join(hit)} (doxxing)")
    if rule.min_risk is not None:
        if RISK_ORDER.index(event.risk) < RISK_ORDER.index(rule.min_risk):
            return None
        said.append(f"the sender's risk is {event.risk.value}")
    if rule.risk_rise:
        risen = RISK_ORDER.index(event.risk) - RISK_ORDER.index(event.risk_before)
        if risen < rule.risk_rise:
            return None
        said.append(f"the sender's risk rose from {event.risk_before.value} to "
                    f"{event.risk.value} within {rule.rise_window.days} days")
    if rule.channels:
        if event.platform not in rule.channels:
            return None
        said.append(f"arrived by {event.platform}")
    if rule.hours is not None:
        if not _in_hours(event.created_at, rule.hours, zone):
            return None
        said.append(f"arrived between {rule.hours[0]:02d}:00 and {rule.hours[1]:02d}:00")
    return tuple(said)


def group_key(rule: AlertRule, event: AlertEvent) -> str:
    """The key that puts the event into an alert with others: the rule and its grouping."""
    parts = [rule.name]
    for name in rule.group_by:
        if name == "principal":
            parts.append(f"principal:{event.principal_id}")
        elif name == "sender":
            parts.append(f"sender:{event.sender_group_id}")
        elif name == "channel":
            parts.append(f"channel:{event.platform}")
    return "|".join(parts)


@dataclass(frozen=True)
class Match:
    """One rule firing on one message."""

    rule: AlertRule
    event: AlertEvent
    key: str
    reasons: tuple[str, ...]


def evaluate(rules: Sequence[AlertRule], events: Sequence[AlertEvent],
             zone: tzinfo) -> list[Match]:
    """Every (rule, message) pair that fires, in the order given."""
    found = []
    for event in events:
        for rule in rules:
            said = reasons(rule, event, zone)
            if said is not None:
                found.append(Match(rule, event, group_key(rule, event), said))
    return found


@dataclass(frozen=True)
class Alert:
    """A group of messages one rule fired on, as staff see it."""

    id: int
    rule: str
    group_key: str
    severity: Severity
    status: AlertStatus
    principal_id: int
    summary: str
    reasons: tuple[str, ...]
    first_at: datetime
    last_at: datetime
    message_count: int
    sender_count: int
    notified_count: int = 0
    last_notified_at: datetime | None = None
    next_notify_at: datetime | None = None
    escalation_step: int = 0
    escalated_at: datetime | None = None
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    resolved_by: str = ""
    resolved_at: datetime | None = None
    incident_id: int | None = None


def next_notification(alert: Alert, rule: AlertRule, now: datetime) -> datetime | None:
    """When an alert that just gained messages should next be announced."""
    if alert.status is not AlertStatus.OPEN:
        return alert.next_notify_at
    if alert.last_notified_at is None:
        return alert.next_notify_at or max(alert.first_at + rule.group_wait, now)
    soonest = alert.last_notified_at + rule.group_interval
    if alert.next_notify_at is not None:
        return min(alert.next_notify_at, max(soonest, now))
    return max(soonest, now)


def quiet_until(at: datetime, quiet: tuple[int, int] | None, zone: tzinfo) -> datetime | None:
    """The end of the contact's quiet hours when ``at`` falls inside them, else None."""
    if quiet is None or quiet[0] == quiet[1] or not _in_hours(at, quiet, zone):
        return None
    local = at.astimezone(zone)
    end = local.replace(hour=quiet[1], minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end
