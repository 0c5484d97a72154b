"""Recognise a new account that repeats a blocked sender's wording.

Harassers who are blocked often come back under a new name and keep writing the same things. A
blocked sender's abusive messages are reduced to a set of word three-grams; an abusive message
from another sender, sent after the block, "echoes" them when most of its three-grams are in
that set. It is a signal for a person to check, never proof that two accounts are one person.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

#: Share of a message's three-grams that must appear in a blocked sender's set.
CONTAINMENT = 0.5
#: Fewest shared three-grams for an echo (a short common phrase is not enough).
MIN_SHARED = 4

_WORD = re.compile(r"[a-z0-9']+")


def shingles(text: str) -> frozenset[int]:
    """The text's word three-grams, lower-cased and hashed."""
    words = _WORD.findall(text.lower())
    return frozenset(zlib.crc32(" ".join(words[i:i + 3]).encode()) for i in range(len(words) - 2))


@dataclass(frozen=True)
class BlockedPattern:
    """What a blocked sender group wrote, and when staff blocked it."""

    group_id: int
    members: frozenset[tuple[str, str]]
    blocked_at: datetime
    shingles: frozenset[int]

    @classmethod
    def of(cls, group_id: int, members: Iterable[tuple[str, str]], blocked_at: datetime,
           texts: Iterable[str]) -> BlockedPattern:
        """Build a pattern from the group's abusive texts."""
        found: set[int] = set()
        for text in texts:
            found |= shingles(text)
        return cls(group_id, frozenset(members), blocked_at, frozenset(found))


def echoed(text: str, sender: tuple[str, str], sent_at: datetime,
           blocked: Sequence[BlockedPattern]) -> BlockedPattern | None:
    """The blocked pattern this message repeats, if any (never the sender's own group)."""
    own = shingles(text)
    if len(own) < MIN_SHARED:
        return None
    for pattern in blocked:
        if sender in pattern.members or sent_at <= pattern.blocked_at:
            continue
        shared = len(own & pattern.shingles)
        if shared >= MIN_SHARED and shared >= CONTAINMENT * len(own):
            return pattern
    return None
