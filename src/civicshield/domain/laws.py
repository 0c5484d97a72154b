"""The statute table: which law a removal request can cite, for whom, and how soon it is due.

``statutes()`` reads ``domain/data/statutes.toml`` (or another file) and validates it, naming the
row and field that are wrong. ``bases_for`` lists, best first, what a request about one exposure
can rely on. Rows marked ``verify`` stay flagged in every screen and letter draft. Not legal advice.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from civicshield.domain.errors import ConfigError

DEFAULT_TABLE = Path(__file__).parent / "data" / "statutes.toml"
ADDRESSEES = ("business", "broker", "agency")
#: The request kinds that are not a statute.
BROKER_OPTOUT = "broker-optout"
GENERAL = "general"
#: Days to wait for a reply where nothing sets a deadline.
GENERAL_FOLLOW_UP_DAYS = 30

_DEADLINE = re.compile(r"^(\d+) (hours|days|business days)$")


@dataclass(frozen=True)
class Deadline:
    """How long an addressee has to act: an amount of hours, days or business days."""

    amount: int
    unit: str  # hours, days, business days

    @classmethod
    def parse(cls, text: str, *, source: str = "deadline") -> Deadline | None:
        """'48 hours', '3 business days', '45 days'; '' means none."""
        if not text:
            return None
        found = _DEADLINE.match(text.strip())
        if not found:
            raise ConfigError(f"{source}: write a deadline as '48 hours', '3 business days' or "
                              f"'45 days', not {text!r}")
        return cls(int(found.group(1)), found.group(2))

    def due(self, sent: datetime) -> datetime:
        """When a request delivered at ``sent`` is due (weekends skipped for business days;
        public holidays are not known and not skipped)."""
        if self.unit == "hours":
            return sent + timedelta(hours=self.amount)
        if self.unit == "days":
            return sent + timedelta(days=self.amount)
        day, left = sent, self.amount
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class Statute:
    """One row of the statute table."""

    id: str
    state: str
    citation: str
    title: str
    covered_roles: tuple[str, ...]
    data: tuple[str, ...]
    addressees: tuple[str, ...]
    deadline: Deadline | None
    threat_statement_roles: tuple[str, ...]
    agent: str
    validity_years: int
    status: str
    verify_note: str
    sources: tuple[str, ...]

    @property
    def unverified(self) -> bool:
        """True until someone confirms the row against the official code."""
        return self.status != "enacted"

    def covers(self, role: str) -> bool:
        """Whether the office is protected by this rule."""
        return "*" in self.covered_roles or role in self.covered_roles

    def needs_threat_statement(self, role: str) -> bool:
        """Whether a demand from this office must describe a threat or fear for safety."""
        return role in self.threat_statement_roles


@dataclass(frozen=True)
class Basis:
    """What a removal request relies on: a statute, the broker's own opt-out, or a plain ask."""

    kind: str  # a statute id, BROKER_OPTOUT or GENERAL
    statute: Statute | None = None

    @property
    def label(self) -> str:
        """A plain name for screens."""
        if self.statute:
            return self.statute.title
        return ("The site's own opt-out process" if self.kind == BROKER_OPTOUT
                else "A general request (no law found that covers this case)")


_FIELDS: dict[str, type] = {
    "id": str, "state": str, "citation": str, "title": str, "covered_roles": list, "data": list,
    "addressees": list, "deadline": str, "threat_statement_roles": list, "agent": str,
    "validity_years": int, "status": str, "verify_note": str, "sources": list,
}


def load_statutes(path: Path = DEFAULT_TABLE) -> dict[str, Statute]:
    """Read and check the statute table; errors name the row and field."""
    try:
        rows = tomllib.loads(path.read_text(encoding="utf-8")).get("statute", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the statute table ({exc})") from exc
    table: dict[str, Statute] = {}
    for number, row in enumerate(rows, start=1):
        statute = _statute(row, f"{path.name}, statute {number}")
        if statute.id in table:
            raise ConfigError(f"{path.name}, statute {number}: id {statute.id!r} is used twice")
        table[statute.id] = statute
    return table


def _statute(row: dict[str, Any], where: str) -> Statute:
    for name, kind in _FIELDS.items():
        if not isinstance(row.get(name), kind):
            raise ConfigError(f"{where}: field {name!r} must be {kind.__name__}")
    if unknown := set(row) - set(_FIELDS):
        raise ConfigError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    if bad := set(row["addressees"]) - set(ADDRESSEES):
        raise ConfigError(f"{where}: field 'addressees' has {sorted(bad)[0]!r}")
    if row["status"] not in ("enacted", "verify"):
        raise ConfigError(f"{where}: field 'status' must be 'enacted' or 'verify'")
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()}
    values["deadline"] = Deadline.parse(row["deadline"], source=f"{where}, field 'deadline'")
    return Statute(**values)


@lru_cache(maxsize=4)
def statutes(path: Path = DEFAULT_TABLE) -> dict[str, Statute]:
    """The statute table, read once."""
    return load_statutes(path)


def bases_for(state: str, role: str, kind: str, addressee: str, *, broker_has_optout: bool,
              table: dict[str, Statute]) -> list[Basis]:
    """What a request about one exposure (finding kind ``kind``) sent to ``addressee`` can rely
    on, best first: a statute that protects this office and this data in the official's state
    (or federally), then the broker's opt-out, then privacy laws open to every resident, then a
    general request."""
    matching = [s for s in table.values()
                if s.state in (state, "US") and addressee in s.addressees and kind in s.data]
    for_office = [s for s in matching if "*" not in s.covered_roles and s.covers(role)]
    for_everyone = [s for s in matching if "*" in s.covered_roles]
    if addressee == "broker":  # DROP reaches every registered broker at once: after CCPA
        for_everyone.sort(key=lambda s: s.id == "ca-drop")
    bases = [Basis(s.id, s) for s in sorted(for_office, key=lambda s: s.unverified)]
    if broker_has_optout:
        bases.append(Basis(BROKER_OPTOUT))
    bases += [Basis(s.id, s) for s in for_everyone]
    bases.append(Basis(GENERAL))
    return bases


def basis(kind: str, table: dict[str, Statute]) -> Basis:
    """A stored request's basis by its id."""
    if kind in (BROKER_OPTOUT, GENERAL):
        return Basis(kind)
    if kind not in table:
        raise ConfigError(f"the statute table has no row {kind!r}")
    return Basis(kind, table[kind])

#: The states (and "US" for federal law) by name, for screens.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "US": "Federal",
}


def state_name(code: str) -> str:
    """A state's name from its postal code ('CA' gives 'California'); the code if unknown."""
    return STATE_NAMES.get(code.upper(), code)
