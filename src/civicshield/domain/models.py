"""The things civicshield keeps: principals, channels, senders, messages, findings, reviews."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Platform(enum.StrEnum):
    """Where a message came from."""

    EMAIL = "email"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    WEBFORM = "webform"
    OTHER = "other"


class ChannelKind(enum.StrEnum):
    """Whether an account is the office's official one or the person's own."""

    OFFICIAL = "official"
    PERSONAL = "personal"


class ReviewState(enum.StrEnum):
    """Where a message stands in staff review."""

    NEW = "new"
    REVIEWED = "reviewed"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"


class Credential(enum.StrEnum):
    """What a staff account's password is: generated and not used yet, a one-time password
    used for one login (it must be replaced), or one the person chose."""

    ONE_TIME = "one_time"
    USED = "used"
    CHOSEN = "set"


class Role(enum.StrEnum):
    """What a staff account may do: viewers read, analysts act, admins manage."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """True when this role is at least as strong as ``needed``."""
        order = [Role.VIEWER, Role.ANALYST, Role.ADMIN]
        return order.index(self) >= order.index(needed)


class RiskLevel(enum.StrEnum):
    """A sender's escalation risk, from calm to act-now."""

    LOW = "low"
    ELEVATED = "elevated"
    HIGH = "high"
    CRITICAL = "critical"


#: What a sender's risk level adds to each of their messages in the queue: the queue is ordered
#: by ``StoredMessage.rank``, the message's priority plus this.
RISK_RANK_BONUS: dict[RiskLevel, float] = {
    RiskLevel.LOW: 0.0,
    RiskLevel.ELEVATED: 8.0,
    RiskLevel.HIGH: 20.0,
    RiskLevel.CRITICAL: 30.0,
}


@dataclass(frozen=True)
class Principal:
    """A protected person; one workspace can protect several."""

    id: int
    slug: str
    display_name: str
    title: str = ""


@dataclass(frozen=True)
class Channel:
    """An account or inbox of a principal on one platform."""

    id: int
    principal_id: int
    platform: str
    handle: str
    kind: ChannelKind


#: The platforms a message can come from (the generic importers accept these names; "other" is
#: for anything else).
PLATFORMS: frozenset[str] = frozenset({
    "email", "webform", "bluesky", "mastodon", "x", "facebook", "instagram", "threads",
    "tiktok", "youtube", "linkedin", "nextdoor", "reddit", "sms", "phone", "letter", "other"})
#: What kind of message it is on its platform.
MESSAGE_KINDS: frozenset[str] = frozenset({
    "message", "reply", "mention", "quote", "direct", "comment", "post", "email", "form",
    "voicemail", "letter"})


@dataclass(frozen=True)
class SenderRef:
    """A platform identity as an import file names it."""

    platform: str
    external_id: str
    handle: str = ""
    display_name: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """The identity's unique key: platform and the platform's own id."""
        return (self.platform, self.external_id)


@dataclass(frozen=True)
class MessageDraft:
    """A message read from an import file, before it is stored.

    ``raw`` holds the record's bytes as the file gave them (or, for records streamed out of a
    larger JSON document, the record as canonical JSON); its SHA-256 is kept with the message.
    """

    platform: str
    external_id: str
    sender: SenderRef
    text: str
    created_at: datetime
    raw: bytes
    kind: str = "message"
    subject: str = ""
    thread_id: str = ""
    reply_to: str = ""
    url: str = ""
    channel_handle: str = ""
    private: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """The message's unique key within a principal's workspace."""
        return (self.platform, self.external_id)


@dataclass(frozen=True)
class Finding:
    """One detector's explainable judgement about one message."""

    detector: str
    version: str
    label: str
    score: float
    why: str
    span: tuple[int, int] | None = None
    #: Set on threat-assessment cues (weapon, home_family, ...): context, never a flag alone.
    cue: str = ""


@dataclass(frozen=True)
class Sender:
    """A stored platform identity with its assessed risk."""

    id: int
    platform: str
    external_id: str
    handle: str
    display_name: str
    group_id: int
    risk_level: RiskLevel
    risk_score: float
    risk_signals: tuple[str, ...]
    message_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    blocked_at: datetime | None = None

    @property
    def label(self) -> str:
        """How staff recognise this sender."""
        if self.handle and self.display_name and self.display_name != self.handle:
            return f"{self.display_name} ({self.handle})"
        return self.handle or self.display_name or self.external_id


@dataclass(frozen=True)
class StoredMessage:
    """A message as staff see it in the queue or on its own page."""

    id: int
    principal_id: int
    channel: Channel
    sender: Sender
    platform: str
    external_id: str
    kind: str
    subject: str
    text: str
    created_at: datetime
    url: str
    thread_id: str
    reply_to: str
    raw_sha256: str
    priority: float
    review_state: ReviewState
    flags: tuple[str, ...]
    findings: tuple[Finding, ...] = field(default=())
    private: bool = False

    @property
    def rank(self) -> float:
        """The one number the queue is ordered by: how serious the message is (its priority,
        0 to 100) plus what its sender's risk level adds (up to 30)."""
        return self.priority + RISK_RANK_BONUS[self.sender.risk_level]


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue: a message, standing for ``count`` near-identical messages from
    the same sender (``member_ids``, itself included) that the row's actions apply to."""

    message: StoredMessage
    count: int
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReviewBatch:
    """One review action by one person on one or more messages, which can be undone."""

    batch: str
    actor: str
    at: datetime
    state: ReviewState
    message_ids: tuple[int, ...]
    undone: bool = False

    @property
    def count(self) -> int:
        """How many messages the action changed."""
        return len(self.message_ids)


@dataclass(frozen=True)
class SenderMerge:
    """Staff said two senders are one person; ``sender_ids`` moved into ``keep_group_id``."""

    id: int
    keep_group_id: int
    merged_group_id: int
    sender_ids: tuple[int, ...]
    actor: str
    at: datetime
    undone: bool = False


@dataclass(frozen=True)
class User:
    """A staff account."""

    id: int
    username: str
    role: Role
    blur_abusive: bool = True
    disabled: bool = False
    #: Logged in with a one-time password: must choose their own before doing anything else.
    must_change_password: bool = False


@dataclass(frozen=True)
class ApiToken:
    """An API token as staff see it: never its value, which is shown once when it is made."""

    id: int
    username: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One recorded staff action."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: str
