"""Sender escalation risk: explainable signals over a sender's history across channels.

Signals: threats and repeated doxxing; fixation (abusive volume and overall volume in a window);
escalation of severity; a move from public replies to private messages or email; abuse across
platforms; threat-assessment cues (home or family, movements, leakage, weapons, "last resort"
language, a time or place); and a new account that repeats a blocked sender's wording. Each
signal adds points from the weights file (escalation_weights.toml) and is reported in words.
It surfaces patterns for a person to judge and never claims to measure how dangerous someone is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from civicshield.domain.errors import InvalidInputError
from civicshield.domain.models import RiskLevel

#: How each cue reads as a sender signal.
CUE_SIGNALS: dict[str, str] = {
    "home_family": "referred to the official's home or family",
    "movement": "referred to the official's movements or routine",
    "leakage": "told others about a plan to act (leakage)",
    "weapon": "mentioned weapons",
    "last_resort": "used 'nothing left to lose' or 'last resort' language",
    "time_place": "named a time or place",
}

Weights = dict[str, dict[str, float]]


def load_weights(path: Path | None = None) -> Weights:
    """The weights file (the built-in one when ``path`` is None), checked against the built-in
    one: every section and key must be known and every value a number."""
    default = tomllib.loads(files("civicshield.domain").joinpath("escalation_weights.toml")
                            .read_text("utf-8"))
    if path is None:
        return _numbers(default, "escalation_weights.toml")
    try:
        given = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read the escalation weights ({exc})") from exc
    merged: dict[str, Any] = {section: dict(values) for section, values in default.items()}
    for section, values in given.items():
        if section not in default or not isinstance(values, dict):
            raise InvalidInputError(f"{path}: unknown section [{section}]")
        for key, value in values.items():
            if key not in default[section]:
                raise InvalidInputError(f"{path}: unknown key '{key}' in [{section}]")
            merged[section][key] = value
    return _numbers(merged, str(path))


def _numbers(data: dict[str, Any], source: str) -> Weights:
    out: Weights = {}
    for section, values in data.items():
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise InvalidInputError(f"{source}: [{section}] {key} must be a number >= 0")
        out[section] = {k: float(v) for k, v in values.items()}
    return out


DEFAULT_WEIGHTS = load_weights()


@dataclass(frozen=True)
class MessageSummary:
    """What escalation needs to know about one message of a sender."""

    created_at: datetime
    platform: str
    private: bool
    flags: tuple[str, ...]
    priority: float
    cues: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RiskAssessment:
    """A risk level, the score behind it, and the signals that drove it, in plain words."""

    level: RiskLevel
    score: float
    signals: tuple[str, ...]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _abusive(message: MessageSummary) -> bool:
    return bool(message.flags) and message.flags != ("spam",)


def _rising(history: Sequence[MessageSummary], rise: float) -> bool:
    """True when the latest third of messages is clearly more serious than the first third."""
    if len(history) < 3:
        return False
    third = max(1, len(history) // 3)
    early = sum(m.priority for m in history[:third]) / third
    late = sum(m.priority for m in history[-third:]) / third
    return late >= early + rise


def _went_private(history: Sequence[MessageSummary]) -> bool:
    """True when public abuse was followed by abusive private messages or email."""
    first_public = next((m.created_at for m in history if _abusive(m) and not m.private), None)
    return first_public is not None and any(
        m.private and _abusive(m) and m.created_at > first_public for m in history)


def _counted(count: int, w: dict[str, float]) -> float:
    return min(w["most"], w["first"] + w["each_more"] * (count - 1)) if count else 0.0


def _fixation(history: Sequence[MessageSummary], w: dict[str, float]) -> list[tuple[float, str]]:
    start = history[-1].created_at - timedelta(days=w["window_days"])
    recent = [m for m in history if m.created_at >= start]
    abusive = sum(1 for m in recent if _abusive(m))
    days = int(w["window_days"])
    out = []
    if abusive >= w["abusive_messages"]:
        out.append((min(w["most"], w["per_abusive_message"] * abusive),
                    f"fixation: {_plural(abusive, 'abusive message')} in the last {days} days"))
    if len(recent) >= w["volume_messages"]:
        out.append((w["volume"], f"fixation: {_plural(len(recent), 'message')} in the last "
                                 f"{days} days"))
    return out


def _signals(history: Sequence[MessageSummary], w: Weights) -> list[tuple[float, str]]:
    threats = sum(1 for m in history if "threat" in m.flags)
    doxxing = sum(1 for m in history if "doxxing" in m.flags)
    out: list[tuple[float, str]] = []
    if threats:
        out.append((_counted(threats, w["threats"]),
                    f"sent {_plural(threats, 'threatening message')}"))
    if doxxing:
        out.append((_counted(doxxing, w["doxxing"]),
                    f"posted the official's private details {_plural(doxxing, 'time')}"))
    out += _fixation(history, w["fixation"])
    if _rising(history, w["escalation"]["rise"]):
        out.append((w["escalation"]["points"],
                    "escalating: recent messages are more serious than earlier ones"))
    if _went_private(history):
        out.append((w["went_private"]["points"],
                    "moved from public replies to private messages or email"))
    platforms = sorted({m.platform for m in history if _abusive(m)})
    if len(platforms) >= w["platforms"]["at_least"]:
        out.append((w["platforms"]["points"],
                    f"abusive on {len(platforms)} platforms: {', '.join(platforms)}"))
    for cue, words in CUE_SIGNALS.items():
        count = sum(1 for m in history if cue in m.cues)
        if count:
            out.append((w["cues"][cue], f"{words} ({_plural(count, 'message')})"))
    echoes = sum(1 for m in history if "blocked_echo" in m.cues)
    if echoes:
        out.append((w["blocked_echo"]["points"], "may be a new account of a blocked sender: "
                    f"repeats their wording ({_plural(echoes, 'message')})"))
    return out


def assess(history: Sequence[MessageSummary], weights: Weights = DEFAULT_WEIGHTS) -> RiskAssessment:
    """Assess one sender (or a merged group) from their messages."""
    history = sorted(history, key=lambda m: m.created_at)
    if not history:
        return RiskAssessment(RiskLevel.LOW, 0.0, ())
    found = [(points, words) for points, words in _signals(history, weights) if points > 0]
    score = min(100.0, sum(points for points, _ in found))
    threats = any("threat" in m.flags for m in history)
    doxxing = any("doxxing" in m.flags for m in history)
    return RiskAssessment(level=_level(score, weights["levels"], both=threats and doxxing),
                          score=score, signals=tuple(words for _, words in found))


def _level(score: float, lines: dict[str, float], *, both: bool) -> RiskLevel:
    """The level a score reaches; threats plus doxxing from one sender is always critical."""
    if score >= lines["critical"] or both:
        return RiskLevel.CRITICAL
    if score >= lines["high"]:
        return RiskLevel.HIGH
    if score >= lines["elevated"]:
        return RiskLevel.ELEVATED
    return RiskLevel.LOW
