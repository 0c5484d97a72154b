"""The chain-of-custody ledger: any change, gap or reordering is found and named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from civicshield.domain.evidence import (
    GENESIS,
    EvidenceItem,
    LedgerEntry,
    entry_hash,
    sha256_hex,
    verify,
)

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _chain(n: int) -> list[LedgerEntry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        at = START + timedelta(minutes=seq)
        digest = entry_hash(prev, seq, at, "analyst", "captured", 1, seq, "{}")
        entries.append(LedgerEntry(seq, at, "analyst", "captured", 1, seq, "{}", prev, digest))
        prev = digest
    return entries


def _item(data: bytes) -> EvidenceItem:
    return EvidenceItem(id=3, incident_id=1, kind="message", sha256=sha256_hex(data),
                        size=len(data), captured_at=START, captured_by="analyst", source={},
                        file_name="message-3.json")


def test_an_intact_chain_and_items_verify() -> None:
    result = verify(_chain(5), [(_item(b"original"), b"original")])
    assert result.ok and result.checked_entries == 5 and result.checked_items == 1


def test_an_altered_entry_is_named() -> None:
    entries = _chain(5)
    entries[2] = replace(entries[2], actor="someone else")
    result = verify(entries, [])
    assert not result.ok and result.problem.startswith("ledger entry 3 was altered")


def test_a_recomputed_entry_still_breaks_the_next_link() -> None:
    entries = _chain(5)
    forged = replace(entries[1], details='{"note": "changed"}')
    forged = replace(forged, hash=entry_hash(forged.prev_hash, 2, forged.at, forged.actor,
                                             forged.action, 1, 2, forged.details))
    entries[1] = forged
    result = verify(entries, [])
    assert not result.ok and result.problem.startswith("ledger entry 3 does not follow entry 2")


def test_reordered_and_missing_entries_are_named() -> None:
    entries = _chain(5)
    swapped = [entries[0], entries[2], entries[1], entries[3], entries[4]]
    assert verify(swapped, []).problem.startswith("ledger entry 3 is out of order")
    missing = verify(entries[:2] + entries[3:], [])
    assert missing.problem.startswith("ledger entry 4 is out of order")


def test_an_altered_item_is_named() -> None:
    item = _item(b"original")
    result = verify(_chain(2), [(item, b"0riginal")])
    assert not result.ok
    assert result.problem.startswith("evidence item 3 (message-3.json) was altered")
