"""What an evidence packet holds, read by both the packet writer and its PDF report.

Everything here comes from the ledger (the facts each entry hashed) and the originals; nothing
is read from the store's editable tables, so an edit there cannot reach a packet unnoticed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from civicshield.domain.evidence import EvidenceItem, Incident, LedgerEntry


@dataclass(frozen=True)
class CapturedMessage:
    """A message as its capture entry recorded it, with the original it was captured from."""

    item: EvidenceItem
    entry_seq: int
    facts: dict[str, Any]
    path: str  # where the original sits inside the packet

    @property
    def created_at(self) -> datetime:
        """When it was sent (UTC)."""
        return datetime.fromisoformat(self.facts["created_at"]).astimezone(UTC)

    @property
    def sender_label(self) -> str:
        """How staff recognised the sender at capture."""
        handle, name = self.facts.get("sender_handle", ""), self.facts.get("sender_name", "")
        if handle and name and name != handle:
            return f"{name} ({handle})"
        return str(handle or name or self.facts.get("sender_id", ""))

    @property
    def account(self) -> dict[str, str]:
        """The account as the platform names it (id, handle, server, note)."""
        found = self.facts.get("account", {})
        return found if isinstance(found, dict) else {}

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Email headers that matter (empty for other platforms)."""
        return [(str(n), str(v)) for n, v in self.facts.get("headers", [])]

    def get(self, key: str) -> Any:
        """One captured fact ('' when absent)."""
        return self.facts.get(key, "")


@dataclass(frozen=True)
class PacketContents:
    """What goes into a packet: the incident's fields as its ledger binds them, and sources
    that re-read the store in chunks, so that nothing proportional to the incident's size
    beyond its ledger is held in memory."""

    incident: Incident
    fields: dict[str, Any]  # the incident's fields folded from its ledger
    principal: str
    generated_at: datetime
    generated_by: str
    zone: tzinfo
    key_fingerprint: str
    entries: Sequence[LedgerEntry]  # the incident's entries before the export
    messages: Callable[[], Iterable[CapturedMessage]]  # oldest first
    items: Callable[[], Iterable[EvidenceItem]]
    originals: Callable[[], Iterable[tuple[EvidenceItem, bytes]]]


@dataclass
class Summary:
    """Counts over all of an incident's messages, for the report's first page."""

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    categories: Counter[str] = field(default_factory=Counter)
    senders: Counter[str] = field(default_factory=Counter)
    accounts: dict[str, CapturedMessage] = field(default_factory=dict)
    account_counts: Counter[str] = field(default_factory=Counter)

    def add(self, message: CapturedMessage) -> None:
        """Count one message."""
        self.count += 1
        when = message.created_at
        self.first = min(self.first, when) if self.first else when
        self.last = max(self.last, when) if self.last else when
        self.categories.update(message.facts.get("flags", []))
        self.senders[message.sender_label] += 1
        key = f"{message.get('platform')}:{message.get('sender_id')}"
        self.accounts.setdefault(key, message)
        self.account_counts[key] += 1

    def top_accounts(self, limit: int) -> list[tuple[CapturedMessage, int]]:
        """The accounts that sent the most messages, with how many each sent."""
        return [(self.accounts[k], n) for k, n in self.account_counts.most_common(limit)]
