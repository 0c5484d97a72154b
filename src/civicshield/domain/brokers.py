"""The data-broker catalogue: people-search and data-broker sites and how to opt out of each.

Built by ``scripts/build_broker_catalogue.py`` into ``domain/data/brokers.json`` (format 1).
Opting out at a parent company clears its front sites: ``cleared_by`` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from civicshield.domain.errors import ConfigError

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "brokers.json"
FORMAT = 1
#: What an opt-out can ask of the person, in words for screens.
NEEDS = {"email": "an email address to confirm", "phone": "a phone call or text to confirm",
         "id": "a copy of an ID", "captcha": "a captcha", "profile_url": "the listing's address",
         "account": "an account on the site", "fax": "a fax", "mail": "a posted letter"}

#: How a site takes opt-outs, in words for screens.
CHANNELS = {"web": "a form on its web site", "email": "an email", "fax": "a fax",
            "on-site": "a link on the listing itself", "parent": "its parent company's opt-out",
            "none": "no opt-out offered", "unknown": "no known opt-out route: use its contact "
            "page or a legal demand"}


@dataclass(frozen=True)
class Broker:
    """One people-search or data-broker site."""

    id: str
    name: str
    domain: str
    kind: str  # people-search, data-broker
    parent: str
    optout_url: str
    optout_email: str
    channel: str  # a key of CHANNELS
    needs: tuple[str, ...]
    processing_days: int
    processing_days_estimated: bool
    relists: bool | None
    optout_working: bool | None
    ca_registered: bool
    last_verified: str
    verified_by: str
    sources: tuple[str, ...]

    @property
    def channel_text(self) -> str:
        """How to opt out, in words."""
        return CHANNELS.get(self.channel, self.channel)

    @property
    def needs_text(self) -> str:
        """What the opt-out asks for, in words."""
        return ", ".join(NEEDS.get(n, n) for n in self.needs) or "nothing beyond the form"


class Catalogue:
    """Every site by id, with the parent-company relation."""

    def __init__(self, brokers: list[Broker]) -> None:
        self.by_id = {b.id: b for b in brokers}

    def __iter__(self) -> Iterator[Broker]:
        return iter(sorted(self.by_id.values(), key=lambda b: b.name.lower()))

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, broker_id: str) -> Broker:
        """A site by id (its domain); a clear error if unknown."""
        try:
            return self.by_id[broker_id.lower().removeprefix("www.")]
        except KeyError as exc:
            raise ConfigError(f"the broker catalogue has no site {broker_id!r}") from exc

    def cleared_by(self, broker: Broker) -> list[Broker]:
        """The front sites an opt-out at this company also clears."""
        return [b for b in self if b.parent and b.parent == broker.name and b.id != broker.id]


def load_catalogue(path: Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and check the catalogue; errors name the entry and field."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the broker catalogue ({exc})") from exc
    if document.get("format") != FORMAT:
        raise ConfigError(f"{path}: broker catalogue format {document.get('format')!r}, "
                          f"expected {FORMAT}")
    brokers = []
    for number, row in enumerate(document.get("brokers", []), start=1):
        try:
            values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in row.items()}
            brokers.append(Broker(**values))
        except TypeError as exc:
            raise ConfigError(f"{path.name}, entry {number}: {exc}") from exc
    return Catalogue(brokers)


@lru_cache(maxsize=4)
def catalogue(path: Path = DEFAULT_CATALOGUE) -> Catalogue:
    """The catalogue, read once."""
    return load_catalogue(path)
