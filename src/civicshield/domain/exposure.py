"""Exposure of the protected person's data: findings, broker checks, removal requests, due dates.

Plain data and rules only; scanning lives in ``civicshield.exposure``, storage in
``civicshield.storage.exposure``.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicshield.domain.laws import GENERAL_FOLLOW_UP_DAYS, Deadline

#: Finding kinds, with the words screens use.
KINDS = {
    "home_address": "Home address", "past_address": "Past address", "phone": "Personal phone",
    "email": "Personal email", "family": "Family member", "school": "Child's school",
    "vehicle": "Vehicle plate", "username": "Personal account", "name": "Name",
    "separation": "Official page reveals private life",
}
#: Kinds that are personal data a removal request can name.
REMOVABLE = ("home_address", "past_address", "phone", "email", "family", "school", "vehicle",
             "username")


class FindingStatus(enum.StrEnum):
    """Where a finding stands."""

    OPEN = "open"
    REQUESTED = "requested"
    REMOVED = "removed"
    RELISTED = "relisted"
    DISMISSED = "dismissed"


class RequestState(enum.StrEnum):
    """The life of a removal request."""

    DRAFTED = "drafted"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REMOVED = "removed"
    REFUSED = "refused"
    RELISTED = "relisted"


#: Which state may follow which (a re-listed item is asked again: sent).
TRANSITIONS: dict[RequestState, tuple[RequestState, ...]] = {
    RequestState.DRAFTED: (RequestState.SENT,),
    RequestState.SENT: (RequestState.ACKNOWLEDGED, RequestState.REMOVED, RequestState.REFUSED),
    RequestState.ACKNOWLEDGED: (RequestState.REMOVED, RequestState.REFUSED),
    RequestState.REMOVED: (RequestState.RELISTED,),
    RequestState.REFUSED: (RequestState.SENT,),
    RequestState.RELISTED: (RequestState.SENT, RequestState.REMOVED),
}
#: States in which the addressee still owes an answer.
WAITING = (RequestState.SENT, RequestState.ACKNOWLEDGED, RequestState.RELISTED)


@dataclass(frozen=True)
class Scan:
    """One run of the scanner."""

    id: int
    principal_id: int
    started_at: datetime
    finished_at: datetime | None
    actor: str
    targets: tuple[str, ...]
    documents: int
    findings: int
    errors: tuple[str, ...]


@dataclass(frozen=True)
class ExposureFinding:
    """One place where the protected person's data is exposed."""

    id: int
    principal_id: int
    scan_id: int
    location: str  # a URL or a file path
    kind: str
    confidence: float
    why: str
    context: str  # the matched text with some words either side (encrypted at rest)
    matched: str
    page_sha256: str
    first_seen: datetime
    last_seen: datetime
    status: FindingStatus
    detail: str = ""  # for separation findings: which kind of private data

    @property
    def is_url(self) -> bool:
        """Whether the finding is on a web page (it can be re-checked online)."""
        return self.location.startswith(("http://", "https://"))

    @property
    def host(self) -> str:
        """The web site's host, or '' for a file."""
        found = re.match(r"https?://([^/:?#]+)", self.location)
        return found.group(1).lower().removeprefix("www.") if found else ""

    @property
    def data_kind(self) -> str:
        """The kind of personal data (a separation finding's underlying kind)."""
        return self.detail if self.kind == "separation" and self.detail else self.kind


@dataclass(frozen=True)
class BrokerCheck:
    """Whether the principal was found on one catalogue site."""

    principal_id: int
    broker_id: str
    status: str  # unchecked, found, not_found
    listing_url: str
    checked_at: datetime | None
    checked_by: str


@dataclass(frozen=True)
class RequestEvent:
    """A change of a request's state."""

    state: RequestState
    at: datetime
    actor: str
    note: str


@dataclass(frozen=True)
class RemovalRequest:
    """A request to take the principal's data down."""

    id: int
    principal_id: int
    finding_id: int | None
    broker_id: str
    addressee: str
    addressee_kind: str  # business, broker, agency
    location: str
    basis: str  # a statute id, broker-optout or general
    kind: str  # the data it asks to remove
    state: RequestState
    body: str
    subject: str
    email_to: str
    created_at: datetime
    created_by: str
    sent_at: datetime | None
    due_at: datetime | None
    updated_at: datetime
    last_checked: datetime | None
    events: tuple[RequestEvent, ...] = ()

    def overdue(self, now: datetime) -> bool:
        """Sent, unanswered, and past its due date."""
        return self.state in WAITING and self.due_at is not None and self.due_at < now


def match_key(principal_id: int, location: str, kind: str, matched: str) -> str:
    """The same data at the same place is one finding, however often it is scanned."""
    normal = re.sub(r"[^a-z0-9]", "", matched.lower())
    return hashlib.sha256(f"{principal_id}|{location}|{kind}|{normal}".encode()).hexdigest()


def due_date(sent: datetime, deadline: Deadline | None, fallback_days: int | None) -> datetime:
    """When an answer is due: the statute's deadline, else the site's typical processing time,
    else a general follow-up."""
    if deadline is not None:
        return deadline.due(sent)
    return sent + timedelta(days=fallback_days or GENERAL_FOLLOW_UP_DAYS)


def check_transition(current: RequestState, new: RequestState) -> bool:
    """Whether a request may move from ``current`` to ``new``."""
    return new in TRANSITIONS[current]
