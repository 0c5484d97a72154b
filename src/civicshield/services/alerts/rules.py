"""The alert rules file: TOML, checked with pydantic, every mistake named by rule and field."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from civicshield.domain.alerts import (
    CUE_FAMILIES,
    DOXXING_TARGETS,
    GROUP_FIELDS,
    THREAT_KINDS,
    AlertRule,
)
from civicshield.domain.detection import LABELS
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import Severity
from civicshield.domain.models import PLATFORMS, RiskLevel

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> timedelta:
    """'30s', '10m', '4h', '2d' as a timedelta; ValueError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 30s, 10m, 4h or 2d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _one_of(values: list[str], allowed: frozenset[str] | set[str], what: str) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r} (choose from "
                         f"{', '.join(sorted(allowed))})")
    return values


class RuleSpec(BaseModel):
    """One ``[[rule]]`` table as written."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    description: str = Field(default="", max_length=300)
    severity: Literal["low", "medium", "high", "critical"]
    labels: list[str] = []
    families: list[str] = []
    doxxing: list[str] = []
    min_risk: Literal["elevated", "high", "critical"] | None = None
    risk_rise: int = Field(default=0, ge=0, le=3)
    rise_days: int = Field(default=7, ge=1, le=90)
    channels: list[str] = []
    hours: tuple[int, int] | None = None
    group_by: list[str] = ["principal"]
    group_wait: str = "10s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"
    escalate_after: str | None = None
    #: When false (the default), the first rule that fires on a message takes it.
    continue_: bool = Field(default=False, alias="continue")

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: list[str]) -> list[str]:
        return _one_of(v, set(LABELS), "label")

    @field_validator("families")
    @classmethod
    def _families(cls, v: list[str]) -> list[str]:
        return _one_of(v, CUE_FAMILIES | THREAT_KINDS, "family")

    @field_validator("doxxing")
    @classmethod
    def _doxxing(cls, v: list[str]) -> list[str]:
        return _one_of(v, set(DOXXING_TARGETS), "doxxing target")

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: list[str]) -> list[str]:
        return _one_of(v, set(PLATFORMS), "channel")

    @field_validator("group_by")
    @classmethod
    def _group_by(cls, v: list[str]) -> list[str]:
        return _one_of(v, set(GROUP_FIELDS), "grouping")

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not all(0 <= h <= 23 for h in v):
            raise ValueError("hours are [from, to] with each from 0 to 23")
        return v

    @field_validator("group_wait", "group_interval", "repeat_interval", "escalate_after")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is not None:
            duration(v)
        return v

    def rule(self) -> AlertRule:
        """The domain rule."""
        return AlertRule(
            name=self.name, severity=Severity(self.severity), description=self.description,
            labels=frozenset(self.labels), families=frozenset(self.families),
            doxxing=frozenset(self.doxxing),
            min_risk=RiskLevel(self.min_risk) if self.min_risk else None,
            risk_rise=self.risk_rise, rise_window=timedelta(days=self.rise_days),
            channels=frozenset(self.channels), hours=self.hours, group_by=tuple(self.group_by),
            group_wait=duration(self.group_wait), group_interval=duration(self.group_interval),
            repeat_interval=duration(self.repeat_interval),
            escalate_after=duration(self.escalate_after) if self.escalate_after else None)


class RulesFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid")

    include_message_text: bool = False
    rule: list[RuleSpec] = []


class RuleSet(BaseModel):
    """What the service works with: rules in order, which of them continue, and the text
    setting."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rules: tuple[AlertRule, ...]
    continues: frozenset[str]
    include_message_text: bool


def parse_rules(text: str, source: str) -> RuleSet:
    """Rules from TOML text; InvalidInputError naming the file, the rule and the field."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{source}: {exc}") from exc
    try:
        parsed = RulesFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(f"{source}: {_where(exc, data)}") from exc
    names = [r.name for r in parsed.rule]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidInputError(f"{source}: two rules are named {twice[0]!r}")
    for spec in parsed.rule:
        if not (spec.labels or spec.families or spec.doxxing or spec.min_risk
                or spec.risk_rise):
            raise InvalidInputError(f"{source}: rule {spec.name!r}: set at least one of labels, "
                                    "families, doxxing, min_risk or risk_rise")
    return RuleSet(rules=tuple(s.rule() for s in parsed.rule),
                   continues=frozenset(s.name for s in parsed.rule if s.continue_),
                   include_message_text=parsed.include_message_text)


def _where(exc: ValidationError, data: dict[str, Any]) -> str:
    first = exc.errors()[0]
    loc = list(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] == "rule" and isinstance(loc[1], int):
        rules = data.get("rule") or []
        name = rules[loc[1]].get("name") if loc[1] < len(rules) and isinstance(
            rules[loc[1]], dict) else None
        label = f"rule {name!r}" if name else f"rule {loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:]) or "rule"
        return f"{label}: field '{field}': {message}"
    return f"field '{'.'.join(str(p) for p in loc)}': {message}"


def default_rules_text() -> str:
    """The built-in rules file."""
    return resources.files("civicshield.domain").joinpath("data/alert_rules.toml").read_text(
        encoding="utf-8")


def load_rules(path: Path) -> tuple[RuleSet, str]:
    """The rules an admin saved at ``path``, else the built-in ones; and the text."""
    text = path.read_text(encoding="utf-8") if path.is_file() else default_rules_text()
    return parse_rules(text, path.name if path.is_file() else "built-in alert rules"), text
