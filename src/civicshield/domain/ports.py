"""The interfaces the core needs from the outside world.

The repository is the single door to storage; the SQL implementation lives in
``civicshield.storage``. Everything here is typed in domain terms only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

from civicshield.domain.echo import BlockedPattern
from civicshield.domain.errors import ImportFailure
from civicshield.domain.escalation import MessageSummary, RiskAssessment
from civicshield.domain.forms import FormMapping
from civicshield.domain.models import (
    ApiToken,
    AuditEntry,
    Channel,
    ChannelKind,
    Finding,
    MessageDraft,
    Principal,
    QueueRow,
    ReviewBatch,
    ReviewState,
    Sender,
    SenderMerge,
    StoredMessage,
    User,
)
from civicshield.domain.profile import ProtectedProfile
from civicshield.domain.search import SearchQuery


@dataclass(frozen=True)
class ImportSource:
    """The file being read, the name to use for it in errors, and the receiving account.

    With ``skip_bad`` a malformed record is set aside (its one line kept in ``bad``) and the
    rest of the file is read; without it, the first one stops the import (nothing is stored).
    """

    path: Path
    name: str
    account: str = ""
    skip_bad: bool = False
    bad: list[str] = field(default_factory=list)
    #: How a form export's columns map onto messages (the form importer only).
    mapping: FormMapping | None = None
    #: The office's time zone, for dates written without one.
    zone: tzinfo = UTC

    def keep(self, make: Callable[[], MessageDraft | None]) -> MessageDraft | None:
        """One record's draft, or None when it is malformed and bad records are skipped."""
        try:
            return make()
        except ImportFailure as failure:
            if not self.skip_bad:
                raise
            self.bad.append(failure.describe())
            return None


class Importer(Protocol):
    """A file format civicshield can read."""

    fmt: str
    platform: str
    description: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file looks like this format (``head`` is its first 4 KiB)."""
        ...

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """Stream the file's messages in order."""
        ...


@dataclass(frozen=True)
class QueueFilter:
    """What the triage queue is narrowed to; empty fields mean 'any'."""

    principal_id: int | None = None
    channel_id: int | None = None
    label: str | None = None
    state: ReviewState | None = None
    since: datetime | None = None
    until: datetime | None = None
    sender_group_id: int | None = None
    flagged_only: bool = False
    #: Words and phrases the message's subject or text must hold.
    search: SearchQuery | None = None


@dataclass(frozen=True)
class AnalysedMessage:
    """A message with what the pipeline concluded about it, ready to store."""

    draft: MessageDraft
    findings: tuple[Finding, ...]
    flags: tuple[str, ...]
    priority: float
    signature: str = ""
    #: Threat-assessment cues found in the text (weapon, home_family, ...), for escalation.
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportRecord:
    """Where a batch of messages came from."""

    id: int
    principal_id: int
    channel_id: int
    fmt: str
    file_name: str
    file_sha256: str
    #: Its messages are written hidden, and shown only when the import is published.
    staged: bool = False
    #: A bulk import (staged, its messages unjudged): they join their sender groups when it
    #: is published. Known to the import under way only (not stored).
    bulk: bool = False


class Repository(Protocol):
    """Storage, seen from the core. One instance is one transaction."""

    # principals and channels
    def add_principal(self, slug: str, display_name: str, title: str,
                      profile: ProtectedProfile | None) -> Principal: ...
    def principals(self) -> list[Principal]: ...
    def principal_by_slug(self, slug: str) -> Principal: ...
    def profile(self, principal_id: int) -> ProtectedProfile | None: ...
    def set_profile(self, principal_id: int, profile: ProtectedProfile) -> None: ...
    def ensure_channel(self, principal_id: int, platform: str, handle: str,
                       kind: ChannelKind) -> Channel: ...
    def channels(self) -> list[Channel]: ...

    # imports and messages
    def start_import(self, principal_id: int, channel_id: int, fmt: str, file_name: str,
                     file_sha256: str, actor: str) -> ImportRecord: ...
    def finish_import(self, import_id: int, added: int, skipped: int) -> None: ...
    def existing_keys(self, principal_id: int,
                      keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]: ...
    def latest_versions(self, principal_id: int, keys: Sequence[tuple[str, str]]
                        ) -> dict[tuple[str, str], tuple[str, str, int]]: ...
    def link_versions(self, principal_id: int,
                      pairs: Sequence[tuple[tuple[str, str], tuple[str, str]]]) -> None: ...
    def sender_histories(self, keys: Sequence[tuple[str, str]]
                         ) -> dict[tuple[str, str], list[MessageSummary]]: ...
    def store_messages(self, record: ImportRecord, messages: Sequence[AnalysedMessage],
                       risks: dict[tuple[str, str], RiskAssessment]) -> int: ...
    def messages_to_analyse(self, signature: str, after_id: int, limit: int, *,
                            include_current: bool) -> list[StoredMessage]: ...
    def replace_findings(self, analysed: Sequence[tuple[int, AnalysedMessage]],
                         signature: str) -> None: ...
    def update_sender_risks(self, risks: dict[tuple[str, str], RiskAssessment]) -> None: ...

    # triage
    def queue(self, flt: QueueFilter, limit: int, offset: int = 0, *,
              after: tuple[float, datetime, int] | None = None) -> list[StoredMessage]: ...
    def queue_rows(self, flt: QueueFilter, limit: int, offset: int = 0, *,
                   after: tuple[float, datetime, int] | None = None) -> list[QueueRow]: ...
    def queue_count(self, flt: QueueFilter, *, cap: int | None = None) -> int: ...
    def message(self, message_id: int) -> StoredMessage: ...
    def raw_payload(self, message_id: int) -> bytes: ...
    def set_review_state(self, message_ids: Sequence[int], state: ReviewState,
                         actor: str) -> ReviewBatch: ...
    def review_batch(self, batch: str) -> ReviewBatch: ...
    def undo_review(self, batch: str) -> int: ...
    def recent_review_batches(self, limit: int, actor: str = "") -> list[ReviewBatch]: ...
    def sender(self, sender_id: int) -> Sender: ...
    def sender_group(self, group_id: int) -> list[Sender]: ...
    def sender_timeline(self, group_id: int, limit: int) -> list[StoredMessage]: ...
    def merge_senders(self, keep_group_id: int, merge_group_id: int,
                      actor: str) -> SenderMerge: ...
    def sender_merge(self, merge_id: int) -> SenderMerge: ...
    def undo_merge(self, merge_id: int, actor: str) -> SenderMerge: ...
    def search_senders(self, query: str, limit: int) -> list[Sender]: ...
    def group_summaries(self, group_id: int) -> list[MessageSummary]: ...
    def set_group_risk(self, group_id: int, risk: RiskAssessment) -> None: ...
    def set_blocked(self, group_id: int, when: datetime | None) -> None: ...
    def blocked_patterns(self, per_group: int = 200) -> list[BlockedPattern]: ...

    # people and accountability
    def add_user(self, username: str, password_hash: str, role: str) -> User: ...
    def user(self, user_id: int) -> User: ...
    def user_by_name(self, username: str) -> tuple[User, str] | None: ...
    def users(self) -> list[User]: ...
    def update_user(self, user_id: int, *, role: str | None = None,
                    password_hash: str | None = None, blur_abusive: bool | None = None,
                    disabled: bool | None = None) -> None: ...
    def add_session(self, token_hash: str, user_id: int, csrf_token: str,
                    expires_at: datetime) -> None: ...
    def session(self, token_hash: str, now: datetime) -> tuple[User, str] | None: ...
    def drop_session(self, token_hash: str) -> None: ...
    def add_api_token(self, token_hash: str, user_id: int, name: str) -> None: ...
    def user_for_api_token(self, token_hash: str) -> User | None: ...
    def api_tokens(self, user_id: int | None = None) -> list[ApiToken]: ...
    def revoke_api_token(self, token_id: int) -> ApiToken: ...
    def audit(self, actor: str, action: str, target: str, details: str = "") -> None: ...
    def audit_entries(self, limit: int, offset: int) -> list[AuditEntry]: ...


@dataclass(frozen=True)
class Delivery:
    """What a live connector read: messages, and the checkpoint to keep once they are stored
    (``drafts`` is empty for a heartbeat: the source answered and had nothing new)."""

    drafts: tuple[MessageDraft, ...]
    checkpoint: Mapping[str, Any]


class StopSignal(Protocol):
    """Tells a running connector to stop (a threading.Event fits)."""

    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class LiveConnection(Protocol):
    """One configured source, read as messages arrive."""

    def stream(self, checkpoint: Mapping[str, Any], stop: StopSignal) -> Iterator[Delivery]:
        """Connect, catch up from the checkpoint, then yield what arrives until ``stop`` is set;
        a failure raises SourceError (domain.errors) saying whether a retry can help."""
        ...


@dataclass(frozen=True)
class Reach:
    """Where live sources may connect: hosts allowed although local or private (set by the
    machine's operator), and a file of extra certificate authorities to trust."""

    allowed_hosts: frozenset[str] = frozenset()
    ca_file: str = ""


class LiveKind(Protocol):
    """A kind of live source (IMAP, Mastodon streaming, Bluesky polling)."""

    kind: str
    platform: str
    description: str
    #: The credential fields this kind asks for (stored encrypted, never shown again).
    secret_fields: tuple[str, ...]

    def check(self, config: Mapping[str, Any], secret: Mapping[str, str]) -> dict[str, Any]:
        """The validated settings; InvalidInputError naming the field that is wrong."""
        ...

    def connect(self, config: Mapping[str, Any], secret: Mapping[str, str],
                reach: Reach) -> LiveConnection:
        """A connection to the source (nothing is reached before ``stream``)."""
        ...
