"""What every service shares: settings, the store, the cipher and the evidence key, the
registries and a clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from civicshield.config import Settings
from civicshield.crypto import Cipher, EvidenceSigner
from civicshield.domain.detection import DetectorRegistry
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.escalation import Weights
from civicshield.domain.models import Principal
from civicshield.domain.ports import Importer, LiveKind
from civicshield.storage.database import connect
from civicshield.storage.repository import SqlRepository


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


#: The plugins' parts: the detectors, the importers by format and the live source kinds.
PluginParts = tuple[DetectorRegistry, Mapping[str, Importer], Mapping[str, LiveKind]]


@dataclass(frozen=True)
class ServiceContext:
    """One workspace's shared parts, handed to every service. The plugins (detectors,
    importers, live sources) are built by ``plugins`` the first time one is asked for, so a
    command that needs none of them starts without loading a model."""

    settings: Settings
    engine: Engine
    cipher: Cipher
    plugins: Callable[[], PluginParts]
    weights: Weights
    signer: EvidenceSigner
    clock: Callable[[], datetime] = field(default=utc_now)
    #: Builds the detectors again (picklable): what cluster workers run.
    registry_factory: Callable[[], DetectorRegistry] | None = None
    _built: list[PluginParts] = field(default_factory=list, compare=False, repr=False)
    _building: threading.Lock = field(default_factory=threading.Lock, compare=False,
                                      repr=False)

    def _parts(self) -> PluginParts:
        with self._building:
            if not self._built:
                self._built.append(self.plugins())
            return self._built[0]

    @property
    def registry(self) -> DetectorRegistry:
        """The detectors in use."""
        return self._parts()[0]

    @property
    def importers(self) -> Mapping[str, Importer]:
        """The importers, by format."""
        return self._parts()[1]

    @property
    def live_sources(self) -> Mapping[str, LiveKind]:
        """The kinds of live source, by name."""
        return self._parts()[2]

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[SqlRepository]:
        """One unit of work: committed at the end, rolled back on any error. ``write`` for a
        unit that reads and then writes while other processes may write too (live intake,
        alerts): it waits for the write lock at its start instead of failing half way."""
        with connect(self.engine, write=write) as conn:
            yield SqlRepository(conn, self.cipher, self.signer)


def resolve_principal(repo: SqlRepository, slug: str | None) -> Principal:
    """The named principal, or the only one when none is named."""
    if slug:
        return repo.principal_by_slug(slug)
    found = repo.principals()
    if len(found) != 1:
        raise InvalidInputError("name the protected person with --principal "
                                f"({', '.join(p.slug for p in found) or 'none added yet'})")
    return found[0]
