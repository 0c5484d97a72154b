"""The safety plan of one protected person: who to call, where to go, what to do, and which
alert levels set which steps in motion. Its contacts, in their order, are the alert escalation
chain. The plan is stored encrypted (storage/safety.py) and reviewed every 90 days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import Severity

REVIEW_EVERY = timedelta(days=90)
FORMAT = 1

#: The kinds of contact a plan holds, in the words the editor shows.
CONTACT_ROLES: dict[str, str] = {
    "security_lead": "Security lead",
    "police_liaison": "Police liaison",
    "chief_of_staff": "Chief of staff",
    "trusted": "Trusted contact",
    "family": "Family",
    "emergency": "Emergency number",
}

#: The sections of steps, with the question the editor asks for each.
STEP_AREAS: dict[str, str] = {
    "home": "At home: what to do if the home address is out or someone comes to the door",
    "family": "Family: who tells the family, school pick-ups, what the children know",
    "travel": "Travel and commuting: varying routes, who knows the schedule, parking",
    "events": "Public events: entrances, a staff member nearby, when to leave",
    "mail": "Mail and packages: where they are opened, what is suspicious, who to call",
}


@dataclass(frozen=True)
class Contact:
    """A person in the plan. ``order`` 1, 2, 3 ... is their place in the escalation chain (0: not
    in the chain); ``receives`` is the lowest alert severity they are told of."""

    name: str
    role: str
    phone: str = ""
    email: str = ""
    order: int = 0
    receives: Severity = Severity.HIGH
    quiet_hours: tuple[int, int] | None = None
    notes: str = ""


@dataclass(frozen=True)
class SafePlace:
    """Somewhere to go if home is not safe."""

    name: str
    address: str = ""
    phone: str = ""
    notes: str = ""


@dataclass(frozen=True)
class SafetyPlan:
    """The whole plan. ``triggers`` maps an alert severity to the steps it sets in motion."""

    contacts: tuple[Contact, ...] = ()
    safe_places: tuple[SafePlace, ...] = ()
    steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spokesperson: str = ""
    triggers: dict[Severity, tuple[str, ...]] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: str = ""
    reviewed_at: datetime | None = None

    def chain(self) -> list[Contact]:
        """The escalation chain: contacts with an order, first to last."""
        return sorted((c for c in self.contacts if c.order > 0), key=lambda c: c.order)

    def review_due(self, now: datetime) -> bool:
        """True when the plan was last reviewed or changed 90 days ago or more."""
        last = max((t for t in (self.reviewed_at, self.updated_at) if t), default=None)
        return last is None or now - last >= REVIEW_EVERY


def validate(plan: SafetyPlan) -> SafetyPlan:
    """The plan, or InvalidInputError naming the first field that is wrong."""
    for number, contact in enumerate(plan.contacts, start=1):
        where = f"contact {number}"
        if not contact.name.strip():
            raise InvalidInputError(f"{where}: a name is needed")
        if contact.role not in CONTACT_ROLES:
            raise InvalidInputError(f"{where}: unknown role {contact.role!r}")
        if contact.email and ("@" not in contact.email or " " in contact.email.strip()):
            raise InvalidInputError(f"{where}: {contact.email!r} is not an email address")
        if not 0 <= contact.order <= 20:
            raise InvalidInputError(f"{where}: the order in the chain must be 0 to 20")
        if contact.quiet_hours and not all(0 <= h <= 23 for h in contact.quiet_hours):
            raise InvalidInputError(f"{where}: quiet hours are hours of the day, 0 to 23")
    for number, place in enumerate(plan.safe_places, start=1):
        if not place.name.strip():
            raise InvalidInputError(f"safe place {number}: a name is needed")
    unknown = set(plan.steps) - set(STEP_AREAS)
    if unknown:
        raise InvalidInputError(f"unknown section of steps {sorted(unknown)[0]!r}")
    return plan


def to_json(plan: SafetyPlan) -> dict[str, Any]:
    """The plan as plain JSON values (what is encrypted and stored)."""
    data = asdict(plan)
    data["format"] = FORMAT
    data["triggers"] = {k.value: list(v) for k, v in plan.triggers.items()}
    for key in ("updated_at", "reviewed_at"):
        value = getattr(plan, key)
        data[key] = value.isoformat() if value else None
    return data


def from_json(data: dict[str, Any]) -> SafetyPlan:
    """Rebuild a plan from ``to_json``."""
    contacts = tuple(Contact(
        name=c["name"], role=c["role"], phone=c.get("phone", ""), email=c.get("email", ""),
        order=int(c.get("order", 0)), receives=Severity(c.get("receives", "high")),
        quiet_hours=(int(c["quiet_hours"][0]), int(c["quiet_hours"][1]))
        if c.get("quiet_hours") else None,
        notes=c.get("notes", "")) for c in data.get("contacts", []))
    places = tuple(SafePlace(**p) for p in data.get("safe_places", []))
    return SafetyPlan(
        contacts=contacts, safe_places=places,
        steps={k: tuple(v) for k, v in data.get("steps", {}).items()},
        spokesperson=data.get("spokesperson", ""),
        triggers={Severity(k): tuple(v) for k, v in data.get("triggers", {}).items()},
        updated_at=_time(data.get("updated_at")), updated_by=data.get("updated_by", ""),
        reviewed_at=_time(data.get("reviewed_at")))


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
