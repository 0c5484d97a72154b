"""The composition root: builds one shared context and the services on it, and hands them to
the web app and the command line. Nothing imports this module back except those two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError

from civicshield.config import Settings
from civicshield.crypto import Cipher, EvidenceSigner, decode_key, write_key_file
from civicshield.domain.detection import DetectorRegistry
from civicshield.domain.errors import ConfigError
from civicshield.domain.escalation import load_weights
from civicshield.domain.ports import Importer, LiveKind
from civicshield.plugins import detector_registry, importers, live_sources, make_plugin_manager
from civicshield.services.context import ServiceContext, utc_now
from civicshield.storage.database import (
    PLAIN_SQLITE,
    check_current,
    encrypt_plain_store,
    make_engine,
    migrate,
)
from civicshield.storage.files import protect

if TYPE_CHECKING:
    from civicshield.services.accounts import Accounts
    from civicshield.services.alerts import Alerts
    from civicshield.services.exposure import Exposure
    from civicshield.services.hygiene import Hygiene
    from civicshield.services.incidents import Incidents
    from civicshield.services.intake import Intake
    from civicshield.services.principals import Principals
    from civicshield.services.safety import Safety
    from civicshield.services.triage import Triage

log = logging.getLogger("civicshield")


def load_cipher(settings: Settings) -> Cipher:
    """The encryption key from the setting, or the key file that init wrote."""
    if settings.secret_key:
        return Cipher(decode_key(settings.secret_key, source="CIVICSHIELD_SECRET_KEY"))
    if not settings.key_file.is_file():
        raise ConfigError(f"no encryption key: {settings.key_file} is missing and "
                          "CIVICSHIELD_SECRET_KEY is not set (run `civicshield init`)")
    return Cipher(decode_key(settings.key_file.read_text(encoding="ascii"),
                             source=str(settings.key_file)))


def build_plugins(settings: Settings) -> tuple[DetectorRegistry, dict[str, Importer],
                                              dict[str, LiveKind]]:
    """Detectors, importers and live source kinds from the configured plugins."""
    pm = make_plugin_manager(load_defaults=settings.load_default_plugins, extra=settings.plugins)
    return (detector_registry(pm, disabled=settings.disabled_detectors), importers(pm),
            live_sources(pm))


def build_registry(settings: Settings) -> tuple[DetectorRegistry, dict[str, Importer]]:
    """Detectors and importers from the configured plugins."""
    registry, found, _ = build_plugins(settings)
    return registry, found


@dataclass(frozen=True)
class RegistryFactory:
    """Builds the configured detectors; picklable, so that cluster workers build the same."""

    settings: Settings

    def __call__(self) -> DetectorRegistry:
        """The detectors, as this workspace configures them."""
        return build_registry(self.settings)[0]


def build_context(settings: Settings, *, migrate_store: bool = False,
                  clock: Callable[[], datetime] = utc_now) -> ServiceContext:
    """The shared context of an initialised workspace (migrating its store when asked). The data
    folder is checked first: for its owner only (storage/files.py)."""
    for line in protect(settings.data_dir):
        log.warning("data folder tightened: %s", line)
    cipher = load_cipher(settings)
    engine = _store(settings, cipher, migrate_store=migrate_store)
    if migrate_store:
        migrate(engine)
    else:
        check_current(engine)
    return ServiceContext(settings=settings, engine=engine, cipher=cipher,
                          plugins=partial(build_plugins, settings),
                          registry_factory=RegistryFactory(settings),
                          weights=load_weights(settings.escalation_weights),
                          signer=EvidenceSigner.load(settings.signing_key_file,
                                                     settings.signing_passphrase), clock=clock)


def _store(settings: Settings, cipher: Cipher, *, migrate_store: bool) -> Engine:
    """The store's engine. An SQLite store is encrypted whole with a key derived from the
    workspace key; one an earlier version wrote in clear is encrypted by `civicshield init`."""
    url = settings.resolved_database_url
    if not url.startswith("sqlite"):
        return make_engine(url, pool_size=settings.db_pool_size,
                           pool_overflow=settings.db_pool_overflow)
    key = cipher.derive(b"sqlite-store")
    path = Path(url.split("///", 1)[-1])
    if path.is_file() and path.read_bytes()[:16] == PLAIN_SQLITE:
        if not migrate_store:
            raise ConfigError("the store is not encrypted yet: run `civicshield init` to "
                              "encrypt it")
        encrypt_plain_store(path, key)
        log.warning("the store %s was encrypted", path.name)
    engine = make_engine(url, key=key)
    if path.is_file():
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")
        except DatabaseError as exc:
            engine.dispose()
            raise ConfigError(f"cannot open the store {path.name}: it was encrypted with another "
                              "key (check CIVICSHIELD_SECRET_KEY or secret.key), or the file "
                              "is damaged") from exc
    return engine


class CivicShield:
    """One workspace: the shared context and one service per capability. Each service (and
    what it needs: HTTP, PDF and archive readers, the detectors) is loaded the first time it
    is used, so that a command starts quickly."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def __repr__(self) -> str:
        return f"CivicShield({self.context.settings.data_dir})"

    @classmethod
    def build(cls, context: ServiceContext) -> CivicShield:
        """The workspace over one context."""
        return cls(context)

    @cached_property
    def triage(self) -> Triage:
        """Messages in, findings and sender risk out, and their review."""
        from civicshield.services.triage import Triage

        return Triage(self.context)

    @cached_property
    def principals(self) -> Principals:
        """The protected people, their profiles and channels."""
        from civicshield.services.principals import Principals

        return Principals(self.context)

    @cached_property
    def incidents(self) -> Incidents:
        """Incidents, evidence and the chain of custody."""
        from civicshield.services.incidents import Incidents

        return Incidents(self.context)

    @cached_property
    def exposure(self) -> Exposure:
        """Where the protected person's data is exposed, and removal requests."""
        from civicshield.services.exposure import Exposure

        return Exposure(self.context)

    @cached_property
    def accounts(self) -> Accounts:
        """Staff accounts, sessions, API tokens and the audit log."""
        from civicshield.services.accounts import Accounts

        return Accounts(self.context)

    @cached_property
    def alerts(self) -> Alerts:
        """Alert rules, firing, the outbox and escalation."""
        from civicshield.services.alerts import Alerts

        return Alerts(self.context)

    @cached_property
    def intake(self) -> Intake:
        """Live sources; what they deliver fires the alert rules."""
        from civicshield.services.intake import Intake

        return Intake(self.context, on_stored=self.alerts.fire)

    @cached_property
    def safety(self) -> Safety:
        """The safety plan."""
        from civicshield.services.safety import Safety

        return Safety(self.context)

    @cached_property
    def hygiene(self) -> Hygiene:
        """Password audits and the account inventory."""
        from civicshield.services.hygiene import Hygiene

        return Hygiene(self.context)

    @classmethod
    def open(cls, settings: Settings) -> CivicShield:
        """Open an initialised workspace."""
        return cls.build(build_context(settings))

    @classmethod
    def initialise(cls, settings: Settings) -> tuple[CivicShield, bool]:
        """Create the data folder, key and store if missing; True when a key was made."""
        protect(settings.data_dir)
        created_key = False
        if not settings.secret_key and not settings.key_file.exists():
            write_key_file(settings.key_file)
            created_key = True
        if not settings.signing_key_file.exists():
            EvidenceSigner.create(settings.signing_key_file, settings.signing_passphrase)
        built = cls.build(build_context(settings, migrate_store=True))
        protect(settings.data_dir)  # the store's files SQLite just made
        return built, created_key

    @property
    def settings(self) -> Settings:
        """The workspace's settings."""
        return self.context.settings


__all__ = ["CivicShield", "build_context", "build_registry", "load_cipher"]
