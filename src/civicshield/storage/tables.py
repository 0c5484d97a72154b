"""Every table of the store, in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned as UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Store aware UTC; naive values are taken to be UTC already."""
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return aware UTC whatever the database gave back."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

TS = UTCDateTime()

principals = Table(
    "principals", metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    Column("profile_encrypted", LargeBinary, nullable=True),
    Column("created_at", TS, nullable=False),
)

channels = Table(
    "channels", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    UniqueConstraint("principal_id", "platform", "handle", name="uq_channels_account"),
)

senders = Table(
    "senders", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("handle", String(300), nullable=False, default=""),
    Column("display_name", String(300), nullable=False, default=""),
    Column("group_id", Integer, nullable=True, index=True),
    Column("risk_level", String(16), nullable=False, default="low"),
    Column("risk_score", Float, nullable=False, default=0.0),
    Column("risk_signals", Text, nullable=False, default="[]"),
    Column("blocked_at", TS, nullable=True),
    UniqueConstraint("platform", "external_id", name="uq_senders_identity"),
)

#: What each sender identity may share with another identity of the same person
#: (domain.similarity.identity_keys): an email address, a user name, a full name.
sender_keys = Table(
    "sender_keys", metadata,
    Column("sender_id", ForeignKey("senders.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(400), primary_key=True),
    Index("ix_sender_keys_key", "key"),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    Column("format", String(32), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=True),
    Column("added", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
)

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    Column("sender_id", ForeignKey("senders.id"), nullable=False),
    Column("import_id", ForeignKey("imports.id"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("private", Boolean, nullable=False, default=False),
    Column("subject", String(500), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("created_at", TS, nullable=False, index=True),
    Column("thread_id", String(300), nullable=False, default=""),
    Column("reply_to", String(300), nullable=False, default=""),
    Column("url", String(1000), nullable=False, default=""),
    Column("raw", LargeBinary, nullable=False),
    Column("raw_sha256", String(64), nullable=False),
    Column("flags", String(200), nullable=False, default=""),
    Column("cues", String(200), nullable=False, default="", server_default=""),
    Column("priority", Float, nullable=False, default=0.0),
    Column("analysis_signature", String(500), nullable=False, default=""),
    Column("review_state", String(16), nullable=False, default="new", index=True),
    Column("reviewed_by", String(100), nullable=True),
    Column("reviewed_at", TS, nullable=True),
    # An edited record: later versions point at the first, and all but the newest are
    # superseded (kept as evidence; the queue shows the newest).
    Column("origin_id", Integer, ForeignKey("messages.id"), nullable=True),
    Column("superseded", Boolean, nullable=False, default=False, server_default=false()),
    # Written by an import still under way: hidden until the import is published, removed if
    # it fails (a failed file leaves the store as it was).
    Column("staged", Boolean, nullable=False, default=False, server_default=false()),
    # Equal for messages that differ only in case, spacing, punctuation, links or numbers
    # (domain.similarity.near_key): the queue shows one sender's repeats as one row.
    Column("near_key", String(16), nullable=False, default="", server_default=""),
    # What the queue is ordered by and filtered on, kept current by the repository: the
    # priority plus the sender's risk bonus, the sender's group, and whether anything flagged.
    Column("rank", Float, nullable=False, default=0.0, server_default="0"),
    Column("group_id", Integer, nullable=True),
    Column("flagged", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("principal_id", "platform", "external_id", name="uq_messages_identity"),
)
#: The rows a queue can show: the newest version, not an import still under way.
_SHOWN = messages.c.superseded.is_(False) & messages.c.staged.is_(False)
#: Each partial index and its condition. PostgreSQL's copy of the condition is named when a
#: PostgreSQL store is opened (`name_postgresql_conditions`): naming it here would load
#: SQLAlchemy's PostgreSQL dialect in every command, a tenth of a second on a small machine.
_PARTIAL: list[tuple[Index, ColumnElement[bool]]] = []


def _partial_index(name: str, *columns: Column[Any], where: ColumnElement[bool]) -> None:
    _PARTIAL.append((Index(name, *columns, sqlite_where=where), where))


def name_postgresql_conditions() -> None:
    """Give the partial indexes their condition on PostgreSQL too (idempotent)."""
    for index, where in _PARTIAL:
        index.dialect_kwargs["postgresql_where"] = where


_partial_index("ix_messages_queue_all", messages.c.rank, messages.c.created_at, messages.c.id,
               where=_SHOWN)
_partial_index("ix_messages_queue_state", messages.c.review_state, messages.c.rank,
               messages.c.created_at, messages.c.id, where=_SHOWN)
_partial_index("ix_messages_queue_todo", messages.c.flagged, messages.c.review_state,
               messages.c.rank, messages.c.created_at, messages.c.id, where=_SHOWN)
_partial_index("ix_messages_queue_group", messages.c.group_id, messages.c.rank,
               messages.c.created_at, messages.c.id, where=_SHOWN)
_partial_index("ix_messages_queue_channel", messages.c.channel_id, messages.c.rank,
               messages.c.created_at, messages.c.id, where=_SHOWN)
#: A bulk import's rows have no sender group until the import is published (then the
#: group-keyed indexes take them all at once: SqlRepository.publish_import).
_GROUPED = messages.c.group_id.is_not(None)
_partial_index("ix_messages_group_time", messages.c.group_id, messages.c.created_at,
               where=_GROUPED)
#: Messages a bulk import stored unjudged (no detector signature yet): few or none.
_UNJUDGED = (messages.c.analysis_signature == "") & _SHOWN
_partial_index("ix_messages_unjudged", messages.c.id, where=_UNJUDGED)
Index("ix_messages_sender_time", messages.c.sender_id, messages.c.created_at)
#: An edited record's later versions, by their first (the others have no origin).
_EDITED = messages.c.origin_id.is_not(None)
_partial_index("ix_messages_origin_id", messages.c.origin_id, where=_EDITED)

#: Every word the search index holds, listed once (a prefix is searched as the words that
#: start with it: storage.search); compared byte by byte on both stores, so that the words
#: starting with a prefix are a range.
search_words = Table(
    "search_words", metadata,
    Column("word", Text().with_variant(Text(collation="C"), "postgresql"), primary_key=True),
    sqlite_with_rowid=False,
)
#: SQLite: messages written whose words are not listed yet (noted by a trigger, cleared by
#: the repository as it lists them: storage.search.list_pending_words); empty on PostgreSQL,
#: whose triggers list the words themselves.
search_words_pending = Table(
    "search_words_pending", metadata,
    Column("message_id", Integer, primary_key=True, autoincrement=False),
)

#: The queue narrowed to a label, from an index: one row per flagged label of a message, with
#: the message's queue columns copied (the repository keeps them in step with messages).
message_labels = Table(
    "message_labels", metadata,
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("label", String(32), primary_key=True),
    Column("shown", Boolean, nullable=False),
    Column("review_state", String(16), nullable=False),
    Column("rank", Float, nullable=False),
    Column("created_at", TS, nullable=False),
)
Index("ix_message_labels_state", message_labels.c.label, message_labels.c.shown,
      message_labels.c.review_state, message_labels.c.rank, message_labels.c.created_at,
      message_labels.c.message_id)
Index("ix_message_labels_all", message_labels.c.label, message_labels.c.shown,
      message_labels.c.rank, message_labels.c.created_at, message_labels.c.message_id)
_partial_index("ix_messages_repeats", messages.c.group_id, messages.c.near_key,
               messages.c.rank, where=_GROUPED)

#: Every review action, so it can be undone and listed under "recently changed".
review_changes = Table(
    "review_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("batch", String(32), nullable=False, index=True),
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("before_state", String(16), nullable=False),
    Column("before_by", String(100), nullable=True),
    Column("before_at", TS, nullable=True),
    Column("after_state", String(16), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", TS, nullable=False, index=True),
    Column("undone_at", TS, nullable=True),
)

#: Sender merges, with the identities each moved, so a merge can be undone.
sender_merges = Table(
    "sender_merges", metadata,
    Column("id", Integer, primary_key=True),
    Column("keep_group_id", Integer, nullable=False),
    Column("merged_group_id", Integer, nullable=False),
    Column("sender_ids", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", TS, nullable=False),
    Column("undone_at", TS, nullable=True),
    Column("undone_by", String(100), nullable=True),
)

#: How a CSV's columns map onto messages, remembered per set of headers (one form's export).
import_mappings = Table(
    "import_mappings", metadata,
    Column("id", Integer, primary_key=True),
    Column("headers_key", String(64), nullable=False, unique=True),
    Column("source_name", String(200), nullable=False),
    Column("mapping", Text, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", TS, nullable=False),
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("detector", String(100), nullable=False),
    Column("version", String(50), nullable=False),
    Column("label", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("span_start", Integer, nullable=True),
    Column("span_end", Integer, nullable=True),
    Column("why", String(500), nullable=False),
    Column("flagged", Boolean, nullable=False),
    Column("cue", String(32), nullable=False, default="", server_default=""),
)
Index("ix_findings_label_flagged", findings.c.label, findings.c.flagged, findings.c.message_id)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(16), nullable=False),
    Column("blur_abusive", Boolean, nullable=False, default=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", TS, nullable=False),
    # "one_time" (generated, not used yet), "used" (logged in once; must be changed), "set"
    Column("password_state", String(16), nullable=False, server_default="set"),
)

#: Failed logins, one row per attempt and key ("account:NAME" or "address:IP"), for throttling.
login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False),
    Column("at", TS, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", TS, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False),
    Column("details", Text, nullable=False, default=""),
)

incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("police_reports", Text, nullable=False, default="[]"),
    Column("involved", Text, nullable=False, default="[]"),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("notices", Text, nullable=False, default="[]", server_default="[]"),
    Column("impact_statement", Text, nullable=False, default="", server_default=""),
    Column("head_seq", Integer, nullable=False, default=0, server_default="0"),
    Column("head_hash", String(64), nullable=False, default="0" * 64,
           server_default="0" * 64),
)

evidence_items = Table(
    "evidence_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", ForeignKey("incidents.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("message_id", ForeignKey("messages.id"), nullable=True),
    Column("derived_from", ForeignKey("evidence_items.id"), nullable=True),
    Column("file_name", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("captured_at", TS, nullable=False),
    Column("captured_by", String(100), nullable=False),
    Column("source", Text, nullable=False),
    Column("content_encrypted", LargeBinary, nullable=False),
    UniqueConstraint("incident_id", "message_id", name="uq_evidence_items_message"),
)

ledger = Table(
    "ledger", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("at", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("incident_id", Integer, nullable=False, index=True),
    Column("item_id", Integer, nullable=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(128), nullable=False, default="", server_default=""),
)

exposure_scans = Table(
    "exposure_scans", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=True),
    Column("actor", String(100), nullable=False),
    Column("targets", Text, nullable=False),
    Column("documents", Integer, nullable=False, default=0),
    Column("findings", Integer, nullable=False, default=0),
    Column("errors", Text, nullable=False, default="[]"),
)

exposure_findings = Table(
    "exposure_findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False, index=True),
    Column("scan_id", ForeignKey("exposure_scans.id"), nullable=False),
    Column("match_key", String(64), nullable=False),
    Column("location", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", String(32), nullable=False, default=""),
    Column("confidence", Float, nullable=False),
    Column("why", Text, nullable=False),
    Column("content_encrypted", LargeBinary, nullable=False),
    Column("page_sha256", String(64), nullable=False),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("status", String(16), nullable=False),
    UniqueConstraint("principal_id", "match_key", name="uq_exposure_findings_match"),
)

broker_checks = Table(
    "broker_checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("broker_id", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("listing_url_encrypted", LargeBinary, nullable=True),
    Column("checked_at", TS, nullable=True),
    Column("checked_by", String(100), nullable=False),
    UniqueConstraint("principal_id", "broker_id", name="uq_broker_checks_site"),
)

removal_requests = Table(
    "removal_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False, index=True),
    Column("finding_id", ForeignKey("exposure_findings.id"), nullable=True),
    Column("broker_id", String(200), nullable=False, default=""),
    Column("addressee", String(300), nullable=False),
    Column("addressee_kind", String(16), nullable=False),
    Column("location", Text, nullable=False),
    Column("basis", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("letter_encrypted", LargeBinary, nullable=False),
    Column("email_to", String(300), nullable=False, default=""),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("sent_at", TS, nullable=True),
    Column("due_at", TS, nullable=True),
    Column("updated_at", TS, nullable=False),
    Column("last_checked", TS, nullable=True),
)

request_events = Table(
    "request_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", ForeignKey("removal_requests.id"), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("at", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

#: Live connectors an admin configured: what to read (config, JSON without secrets), the
#: credentials (encrypted, never shown again), where reading stopped, and how it is going.
intake_sources = Table(
    "intake_sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("channel_kind", String(16), nullable=False),
    Column("config", Text, nullable=False, default="{}"),
    Column("secret_encrypted", LargeBinary, nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("checkpoint", Text, nullable=False, default="{}"),
    Column("last_message_at", TS, nullable=True),
    Column("last_poll_at", TS, nullable=True),
    Column("last_error", String(500), nullable=False, default=""),
    Column("last_error_at", TS, nullable=True),
    Column("created_at", TS, nullable=False),
)

#: Each change of a sender group's risk level, for rules on a rise ("two levels in a week").
risk_changes = Table(
    "risk_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, nullable=False),
    Column("level", String(16), nullable=False),
    Column("at", TS, nullable=False),
    Index("ix_risk_changes_group_at", "group_id", "at"),
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("rule", String(100), nullable=False),
    Column("group_key", String(300), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("reasons", Text, nullable=False, default="[]"),
    Column("first_at", TS, nullable=False),
    Column("last_at", TS, nullable=False),
    Column("message_count", Integer, nullable=False, default=0),
    Column("notified_count", Integer, nullable=False, default=0),
    Column("last_notified_at", TS, nullable=True),
    Column("next_notify_at", TS, nullable=True, index=True),
    Column("escalation_step", Integer, nullable=False, default=0),
    Column("escalated_at", TS, nullable=True),
    Column("acknowledged_by", String(100), nullable=False, default=""),
    Column("acknowledged_at", TS, nullable=True),
    Column("resolved_by", String(100), nullable=False, default=""),
    Column("resolved_at", TS, nullable=True),
    Column("incident_id", ForeignKey("incidents.id"), nullable=True),
    Index("ix_alerts_group_key_status", "group_key", "status"),
)

alert_messages = Table(
    "alert_messages", metadata,
    Column("alert_id", ForeignKey("alerts.id"), primary_key=True),
    Column("message_id", ForeignKey("messages.id"), primary_key=True),
    Column("added_at", TS, nullable=False),
)

#: Notifications are written here before they are sent and marked sent after: a crash or a
#: restart resends what was not marked, under the same idempotency key.
outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", ForeignKey("alerts.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("target", String(300), nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("payload_encrypted", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", TS, nullable=False),
    Column("last_error", String(500), nullable=False, default=""),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS, nullable=True),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
)

#: Webhooks an admin configured (generic signed JSON, Slack or Teams); address and signing
#: secret encrypted.
notify_targets = Table(
    "notify_targets", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("url_encrypted", LargeBinary, nullable=False),
    Column("secret_encrypted", LargeBinary, nullable=True),
    Column("min_severity", String(16), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
)

safety_plans = Table(
    "safety_plans", metadata,
    Column("principal_id", ForeignKey("principals.id"), primary_key=True),
    Column("plan_encrypted", LargeBinary, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("reviewed_at", TS, nullable=True),
)

#: Audit rounds: the key that fingerprints passwords for reuse is derived per round, so that
#: fingerprints from different rounds cannot be compared (a new round rotates the key).
hygiene_rounds = Table(
    "hygiene_rounds", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", TS, nullable=False),
    Column("started_by", String(100), nullable=False),
)

#: One audit of one person's export: never a password; counts and the score.
hygiene_audits = Table(
    "hygiene_audits", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("round_id", ForeignKey("hygiene_rounds.id"), nullable=False),
    Column("person", String(200), nullable=False),
    Column("format", String(32), nullable=False),
    Column("vault_kind", String(16), nullable=False),
    Column("policy", String(32), nullable=False),
    Column("breach_check", String(16), nullable=False),
    Column("entries", Integer, nullable=False),
    Column("score", Integer, nullable=False),
    Column("counts", Text, nullable=False, default="{}"),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
    Index("ix_hygiene_audits_person", "principal_id", "person", "created_at"),
)

#: What an audit found: the issue, for reuse a keyed fingerprint (HMAC under the round's key),
#: and the entry's name, site, user name and the detail, encrypted.
hygiene_findings = Table(
    "hygiene_findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("audit_id", ForeignKey("hygiene_audits.id"), nullable=False, index=True),
    Column("issue", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False, default=""),
    Column("details_encrypted", LargeBinary, nullable=False),
)

#: The keyed fingerprint of every password of an audit (HMAC under the round's key), so that
#: reuse across the office's staff is found without keeping any password.
hygiene_fingerprints = Table(
    "hygiene_fingerprints", metadata,
    Column("id", Integer, primary_key=True),
    Column("audit_id", ForeignKey("hygiene_audits.id"), nullable=False, index=True),
    Column("fingerprint", String(64), nullable=False),
)

#: Findings staff set aside on purpose, with the reason and until when.
hygiene_exclusions = Table(
    "hygiene_exclusions", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False),
    Column("issue", String(32), nullable=False),
    Column("site_encrypted", LargeBinary, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
)

#: The protected person's accounts; recovery email and phone, address and notes encrypted.
inventory_accounts = Table(
    "inventory_accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("principal_id", ForeignKey("principals.id"), nullable=False, index=True),
    Column("platform", String(40), nullable=False),
    Column("handle", String(300), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("controlled_by", String(200), nullable=False),
    Column("two_factor", Boolean, nullable=True),
    Column("details_encrypted", LargeBinary, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

#: When each privacy check of an account was last done, and by whom.
inventory_checks = Table(
    "inventory_checks", metadata,
    Column("account_id", ForeignKey("inventory_accounts.id"), primary_key=True),
    Column("check_key", String(64), primary_key=True),
    Column("done_at", TS, nullable=False),
    Column("done_by", String(100), nullable=False),
)
