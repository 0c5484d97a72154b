"""Sender escalation risk: explainable signals over a sender's history across channels.

This is the foundation's first assessment. It surfaces patterns for a person to judge and never
claims to measure how dangerous someone is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicshield.domain.models import RiskLevel

#: Extra queue rank a sender's risk level adds to each of their messages.
RISK_RANK_BONUS: dict[RiskLevel, float] = {
    RiskLevel.LOW: 0.0,
    RiskLevel.ELEVATED: 8.0,
    RiskLevel.HIGH: 20.0,
    RiskLevel.CRITICAL: 30.0,
}


@dataclass(frozen=True)
class MessageSummary:
    """What escalation needs to know about one message of a sender."""

    created_at: datetime
    platform: str
    private: bool
    flags: tuple[str, ...]
    priority: float


@dataclass(frozen=True)
class RiskAssessment:
    """A risk level, the score behind it, and the signals that drove it, in plain words."""

    level: RiskLevel
    score: float
    signals: tuple[str, ...]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _count(history: Sequence[MessageSummary], label: str) -> int:
    return sum(1 for m in history if label in m.flags)


def _rising(history: Sequence[MessageSummary]) -> bool:
    """True when the latest third of messages is clearly more serious than the first third."""
    if len(history) < 3:
        return False
    third = max(1, len(history) // 3)
    early = sum(m.priority for m in history[:third]) / third
    late = sum(m.priority for m in history[-third:]) / third
    return late >= early + 15


def _went_private(history: Sequence[MessageSummary]) -> bool:
    """True when public abuse was followed by abusive private messages or email."""
    first_public = next((m.created_at for m in history if m.flags and not m.private), None)
    return first_public is not None and any(
        m.private and m.flags and m.created_at > first_public for m in history
    )


def assess(history: Sequence[MessageSummary]) -> RiskAssessment:
    """Assess one sender (or a merged group) from their messages, oldest first."""
    history = sorted(history, key=lambda m: m.created_at)
    score, signals = 0.0, []
    threats, doxxing = _count(history, "threat"), _count(history, "doxxing")
    if threats:
        score += min(60.0, 40.0 + 10.0 * (threats - 1))
        signals.append(f"sent {_plural(threats, 'threatening message')}")
    if doxxing:
        score += min(50.0, 35.0 + 10.0 * (doxxing - 1))
        signals.append(f"posted private details {_plural(doxxing, 'time')}")
    flagged = [m for m in history if m.flags and m.flags != ("spam",)]
    if history:
        month_start = history[-1].created_at - timedelta(days=30)
        recent = sum(1 for m in flagged if m.created_at >= month_start)
        if recent >= 3:
            score += min(25.0, 3.0 * recent)
            signals.append(f"fixation: {_plural(recent, 'abusive message')} in the last 30 days")
    if _rising(history):
        score += 15.0
        signals.append("escalating: recent messages are more serious than earlier ones")
    if _went_private(history):
        score += 10.0
        signals.append("moved from public replies to private messages or email")
    platforms = {m.platform for m in flagged}
    if len(platforms) >= 2:
        score += 10.0
        signals.append(f"abusive on {len(platforms)} platforms: {', '.join(sorted(platforms))}")
    return RiskAssessment(level=_level(score, threats=threats, doxxing=doxxing),
                          score=min(100.0, score), signals=tuple(signals))


def _level(score: float, *, threats: int, doxxing: int) -> RiskLevel:
    if score >= 70 or (threats and doxxing):
        return RiskLevel.CRITICAL
    if score >= 40:
        return RiskLevel.HIGH
    if score >= 15:
        return RiskLevel.ELEVATED
    return RiskLevel.LOW
