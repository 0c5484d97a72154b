"""Storage of the account inventory: accounts (recovery contacts, address and notes encrypted)
and when each privacy check was last done."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from civicshield.crypto import Cipher
from civicshield.domain.errors import NotFoundError
from civicshield.domain.inventory import Account, AccountKind, CheckDone
from civicshield.storage.tables import inventory_accounts, inventory_checks


class SqlInventoryRepository:
    """Accounts over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    def _seal(self, values: dict[str, str]) -> bytes:
        return self.cipher.encrypt(json.dumps(values).encode(), context=b"inventory-account")

    def add(self, principal_id: int, platform: str, handle: str, kind: AccountKind,
            controlled_by: str, details: dict[str, str], now: datetime, *,
            two_factor: bool | None) -> int:
        """A new account; returns its id."""
        row = self.conn.execute(insert(inventory_accounts).values(
            principal_id=principal_id, platform=platform, handle=handle, kind=kind.value,
            controlled_by=controlled_by, two_factor=two_factor,
            details_encrypted=self._seal(details), created_at=now, updated_at=now,
        ).returning(inventory_accounts.c.id)).one()
        return int(row.id)

    def update(self, account_id: int, now: datetime, *, details: dict[str, str] | None = None,
               **values: Any) -> None:
        """Change an account."""
        if details is not None:
            values["details_encrypted"] = self._seal(details)
        if isinstance(values.get("kind"), AccountKind):
            values["kind"] = values["kind"].value
        self.conn.execute(update(inventory_accounts).where(
            inventory_accounts.c.id == account_id).values(updated_at=now, **values))

    def remove(self, account_id: int) -> None:
        """Delete an account and its checks."""
        self.conn.execute(delete(inventory_checks).where(
            inventory_checks.c.account_id == account_id))
        self.conn.execute(delete(inventory_accounts).where(
            inventory_accounts.c.id == account_id))

    def mark(self, account_id: int, check_key: str, now: datetime, actor: str) -> None:
        """Record that a privacy check was done now."""
        self.conn.execute(delete(inventory_checks).where(
            inventory_checks.c.account_id == account_id,
            inventory_checks.c.check_key == check_key))
        self.conn.execute(insert(inventory_checks).values(
            account_id=account_id, check_key=check_key, done_at=now, done_by=actor))

    def accounts(self, principal_id: int) -> list[Account]:
        """Every account of a principal, by platform."""
        rows = self.conn.execute(select(inventory_accounts).where(
            inventory_accounts.c.principal_id == principal_id).order_by(
            inventory_accounts.c.platform, inventory_accounts.c.handle)).all()
        checks: dict[int, dict[str, CheckDone]] = {}
        if rows:
            for c in self.conn.execute(select(inventory_checks).where(
                    inventory_checks.c.account_id.in_([r.id for r in rows]))):
                checks.setdefault(c.account_id, {})[c.check_key] = CheckDone(c.done_at,
                                                                             c.done_by)
        return [self._account(r, checks.get(r.id, {})) for r in rows]

    def account(self, account_id: int) -> Account:
        """One account."""
        row = self.conn.execute(select(inventory_accounts).where(
            inventory_accounts.c.id == account_id)).first()
        if row is None:
            raise NotFoundError(f"no account with id {account_id}")
        return next(a for a in self.accounts(row.principal_id) if a.id == account_id)

    def _account(self, row: Any, checks: dict[str, CheckDone]) -> Account:
        details = json.loads(self.cipher.decrypt(row.details_encrypted,
                                                 context=b"inventory-account"))
        return Account(id=row.id, principal_id=row.principal_id, platform=row.platform,
                       handle=row.handle, kind=AccountKind(row.kind),
                       controlled_by=row.controlled_by, two_factor=row.two_factor,
                       recovery_email=details.get("recovery_email", ""),
                       recovery_phone=details.get("recovery_phone", ""),
                       url=details.get("url", ""), notes=details.get("notes", ""),
                       checks=checks)
