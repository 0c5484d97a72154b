"""What an evidence packet holds, read by both the packet writer and its PDF report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from civicshield.domain.evidence import EvidenceItem, Incident, LedgerEntry
from civicshield.domain.models import StoredMessage


@dataclass(frozen=True)
class PacketContents:
    """What goes into a packet: the incident, and sources that re-read the store in chunks, so
    that nothing proportional to the incident's size is held in memory."""

    incident: Incident
    principal: str
    generated_at: datetime
    generated_by: str
    messages: Callable[[], Iterable[StoredMessage]]  # oldest first
    items: Callable[[], Iterable[EvidenceItem]]
    originals: Callable[[], Iterable[tuple[EvidenceItem, bytes]]]
    ledger: Callable[[], Iterable[LedgerEntry]]


@dataclass
class Summary:
    """Counts over all of an incident's messages, for the report's first page."""

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    categories: Counter[str] = field(default_factory=Counter)
    senders: Counter[str] = field(default_factory=Counter)

    def add(self, message: StoredMessage) -> None:
        self.count += 1
        self.first = self.first or message.created_at
        self.last = message.created_at
        self.categories.update(message.flags)
        self.senders[message.sender.label] += 1
