"""The protected person's private identifiers, used to recognise doxxing."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from civicshield.domain.errors import InvalidInputError

_LIST_FIELDS = ("aliases", "phones", "emails", "family", "schools", "vehicles")


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

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "profile") -> ProtectedProfile:
        """Build a profile from parsed JSON, naming the field that is wrong."""
        if not isinstance(data, dict):
            raise InvalidInputError(f"{source}: expected a JSON object")
        unknown = set(data) - {"name", "home_address", *_LIST_FIELDS}
        if unknown:
            raise InvalidInputError(f"{source}: unknown field '{sorted(unknown)[0]}'")
        values: dict[str, Any] = {}
        for key in ("name", "home_address"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise InvalidInputError(f"{source}: field '{key}' must be text")
            values[key] = value.strip()
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
