"""Storage of live intake sources: their settings, encrypted credentials, checkpoints and
health."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from civicshield.crypto import Cipher
from civicshield.domain.errors import InvalidInputError, NotFoundError
from civicshield.domain.models import ChannelKind
from civicshield.storage.tables import intake_sources


@dataclass(frozen=True)
class IntakeSource:
    """A configured live connector and how it is going (credentials never included)."""

    id: int
    name: str
    kind: str
    principal_id: int
    channel_kind: ChannelKind
    config: dict[str, Any]
    enabled: bool
    checkpoint: dict[str, Any]
    last_message_at: datetime | None
    last_poll_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    has_secret: bool


class SqlIntakeRepository:
    """Intake sources over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    def add(self, *, name: str, kind: str, principal_id: int, channel_kind: ChannelKind,
            config: dict[str, Any], secret: dict[str, str], now: datetime) -> int:
        """A new source; ``secret`` (passwords, tokens) is encrypted."""
        if self.conn.execute(select(intake_sources.c.id).where(
                intake_sources.c.name == name)).first() is not None:
            raise InvalidInputError(f"a source named {name!r} already exists")
        row = self.conn.execute(insert(intake_sources).values(
            name=name, kind=kind, principal_id=principal_id, channel_kind=channel_kind.value,
            config=json.dumps(config), secret_encrypted=self._seal(name, secret),
            enabled=True, checkpoint="{}", last_error="", created_at=now,
        ).returning(intake_sources.c.id)).one()
        return int(row.id)

    def _seal(self, name: str, secret: dict[str, str]) -> bytes | None:
        if not secret:
            return None
        return self.cipher.encrypt(json.dumps(secret).encode(), context=f"intake:{name}".encode())

    def set_secret(self, source_id: int, secret: dict[str, str]) -> None:
        """Replace a source's credentials."""
        source = self.source(source_id)
        self.conn.execute(update(intake_sources).where(intake_sources.c.id == source_id)
                          .values(secret_encrypted=self._seal(source.name, secret)))

    def secret(self, source_id: int) -> dict[str, str]:
        """A source's credentials, for the connector only."""
        row = self.conn.execute(select(intake_sources.c.name, intake_sources.c.secret_encrypted)
                                .where(intake_sources.c.id == source_id)).first()
        if row is None:
            raise NotFoundError(f"no intake source with id {source_id}")
        if row.secret_encrypted is None:
            return {}
        data: dict[str, str] = json.loads(self.cipher.decrypt(
            row.secret_encrypted, context=f"intake:{row.name}".encode()))
        return data

    def sources(self, *, enabled_only: bool = False) -> list[IntakeSource]:
        """Every source, by name."""
        query = select(intake_sources).order_by(intake_sources.c.name)
        if enabled_only:
            query = query.where(intake_sources.c.enabled.is_(True))
        return [_source(r) for r in self.conn.execute(query)]

    def source(self, source_id: int) -> IntakeSource:
        """One source."""
        row = self.conn.execute(select(intake_sources).where(
            intake_sources.c.id == source_id)).first()
        if row is None:
            raise NotFoundError(f"no intake source with id {source_id}")
        return _source(row)

    def save_checkpoint(self, source_id: int, checkpoint: dict[str, Any], now: datetime, *,
                        got_messages: bool) -> None:
        """Where reading stopped (written in the transaction that stored the messages)."""
        values: dict[str, Any] = {"checkpoint": json.dumps(checkpoint), "last_poll_at": now,
                                  "last_error": ""}
        if got_messages:
            values["last_message_at"] = now
        self.conn.execute(update(intake_sources).where(intake_sources.c.id == source_id)
                          .values(**values))

    def record_error(self, source_id: int, error: str, now: datetime) -> None:
        """The last thing that went wrong, in plain words."""
        self.conn.execute(update(intake_sources).where(intake_sources.c.id == source_id)
                          .values(last_error=error[:500], last_error_at=now))

    def set_enabled(self, source_id: int, *, enabled: bool) -> None:
        """Switch a source on or off."""
        self.conn.execute(update(intake_sources).where(intake_sources.c.id == source_id)
                          .values(enabled=enabled))


def _source(row: Row[Any]) -> IntakeSource:
    return IntakeSource(
        id=row.id, name=row.name, kind=row.kind, principal_id=row.principal_id,
        channel_kind=ChannelKind(row.channel_kind), config=json.loads(row.config),
        enabled=row.enabled, checkpoint=json.loads(row.checkpoint),
        last_message_at=row.last_message_at, last_poll_at=row.last_poll_at,
        last_error=row.last_error, last_error_at=row.last_error_at,
        has_secret=row.secret_encrypted is not None)
