"""The protected person's private identifiers, used to recognise doxxing."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from civicshield.domain.errors import InvalidInputError

_LIST_FIELDS = ("aliases", "phones", "emails", "family", "schools", "vehicles", "past_addresses",
                "usernames")
_TEXT_FIELDS = ("name", "home_address", "state", "role")
#: Offices the statute table knows; anything else is "other".
ROLES = ("mayor", "council_member", "county_supervisor", "legislator", "statewide_official",
         "judge", "prosecutor", "city_attorney", "police_chief", "law_enforcement",
         "election_official", "staff", "other")


@dataclass(frozen=True)
class ProtectedProfile:
    """Identifiers whose appearance in a message is doxxing.

    The shape is the ``--profile`` file of ``civicshield classify``.
    """

    name: str = ""
    aliases: tuple[str, ...] = field(default=())
    home_address: str = ""
    phones: tuple[str, ...] = field(default=())
    emails: tuple[str, ...] = field(default=())
    family: tuple[str, ...] = field(default=())
    schools: tuple[str, ...] = field(default=())
    vehicles: tuple[str, ...] = field(default=())
    past_addresses: tuple[str, ...] = field(default=())
    #: Personal accounts ("@maria.at.home", "instagram.com/mariar"), kept apart from official ones.
    usernames: tuple[str, ...] = field(default=())
    #: Two-letter state of the home address, and the office held: they choose the law a removal
    #: request cites.
    state: str = ""
    role: str = ""

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "profile") -> ProtectedProfile:
        """Build a profile from parsed JSON, naming the field that is wrong."""
        if not isinstance(data, dict):
            raise InvalidInputError(f"{source}: expected a JSON object")
        unknown = set(data) - {*_TEXT_FIELDS, *_LIST_FIELDS}
        if unknown:
            raise InvalidInputError(f"{source}: unknown field '{sorted(unknown)[0]}'")
        values: dict[str, Any] = {}
        for key in _TEXT_FIELDS:
            value = data.get(key, "")
            if not isinstance(value, str):
                raise InvalidInputError(f"{source}: field '{key}' must be text")
            values[key] = value.strip()
        values["state"] = values["state"].upper()
        if values["state"] and not (len(values["state"]) == 2 and values["state"].isalpha()):
            raise InvalidInputError(f"{source}: field 'state' must be a two-letter state code "
                                    "such as CA")
        if values["role"] and values["role"] not in ROLES:
            raise InvalidInputError(f"{source}: field 'role' must be one of {', '.join(ROLES)}")
        for key in _LIST_FIELDS:
            items = data.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise InvalidInputError(f"{source}: field '{key}' must be a list of text")
            values[key] = tuple(i.strip() for i in items if i.strip())
        return cls(**values)

    @classmethod
    def from_json(cls, text: str, *, source: str = "profile") -> ProtectedProfile:
        """Parse a profile from JSON text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{source}, line {exc.lineno}: not valid JSON") from exc
        return cls.from_dict(data, source=source)

    def to_json(self) -> str:
        """Serialise for encrypted storage."""
        return json.dumps(asdict(self), sort_keys=True)

    def is_empty(self) -> bool:
        """True when there is nothing private to look for."""
        return not (self.home_address or any(getattr(self, f) for f in _LIST_FIELDS[1:]))

    def as_dict(self) -> dict[str, Any]:
        """The profile as plain data (lists, not tuples), for forms and JSON."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
