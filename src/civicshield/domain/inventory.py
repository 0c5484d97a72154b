"""The account inventory: each of the protected person's accounts by platform, whether it is
official, campaign, personal or mixed, who controls it, its two-factor login and recovery email
and phone, and the platform's privacy checks with when each was last done.

This inventory is also where later work tells official accounts (public forums) from personal
ones. ``inventory_findings`` is pure: shared recovery contacts, accounts without two-factor
login, personal and official mixed in one account, and checks that are due.
"""

from __future__ import annotations

import enum
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from civicshield.domain.errors import InvalidInputError

RECHECK_EVERY = timedelta(days=90)


class AccountKind(enum.StrEnum):
    """What an account is for."""

    OFFICIAL = "official"
    CAMPAIGN = "campaign"
    PERSONAL = "personal"
    MIXED = "mixed"


@dataclass(frozen=True)
class PrivacyCheck:
    """One setting to check on a platform, with the plain instruction."""

    key: str
    title: str
    how: str


@dataclass(frozen=True)
class CheckDone:
    """When a check was last done, and by whom."""

    done_at: datetime
    done_by: str


@dataclass(frozen=True)
class Account:
    """One account of the protected person."""

    id: int
    principal_id: int
    platform: str
    handle: str
    kind: AccountKind
    controlled_by: str
    two_factor: bool | None = None
    recovery_email: str = ""
    recovery_phone: str = ""
    url: str = ""
    notes: str = ""
    checks: dict[str, CheckDone] = field(default_factory=dict)


@cache
def checklists() -> dict[str, tuple[str, tuple[PrivacyCheck, ...]]]:
    """Platform -> (its name, its checks), from data/privacy_checklists.toml."""
    data = tomllib.loads(resources.files("civicshield.domain").joinpath(
        "data/privacy_checklists.toml").read_text(encoding="utf-8"))
    return {platform: (entry["name"], tuple(PrivacyCheck(c["key"], c["title"], c["how"])
                                            for c in entry.get("check", [])))
            for platform, entry in data.items()}


def checks_for(platform: str) -> tuple[PrivacyCheck, ...]:
    """The privacy checks of a platform (none for a platform without a checklist)."""
    return checklists().get(platform, ("", ()))[1]


def due(account: Account, now: datetime) -> list[PrivacyCheck]:
    """The account's checks never done, or done 90 days ago or more."""
    return [c for c in checks_for(account.platform)
            if c.key not in account.checks or now - account.checks[c.key].done_at >= RECHECK_EVERY]


def validate(platform: str, handle: str, kind: str, controlled_by: str) -> AccountKind:
    """The kind, or InvalidInputError naming the field that is wrong."""
    if not platform.strip() or len(platform) > 40:
        raise InvalidInputError("field 'platform': name the platform (x, facebook, ...)")
    if not handle.strip():
        raise InvalidInputError("field 'handle': the account's name on the platform")
    if not controlled_by.strip():
        raise InvalidInputError("field 'controlled_by': who holds the password")
    try:
        return AccountKind(kind)
    except ValueError as exc:
        raise InvalidInputError(f"field 'kind': one of {', '.join(k.value for k in AccountKind)}"
                                ) from exc


@dataclass(frozen=True)
class InventoryFinding:
    """Something to fix in the inventory, in plain words."""

    account_id: int
    title: str
    detail: str


def _normal(value: str) -> str:
    return "".join(c for c in value.lower() if c.isalnum() or c == "@")


def inventory_findings(accounts: list[Account], now: datetime) -> list[InventoryFinding]:
    """Shared recovery contacts, missing two-factor login, mixed accounts, checks due."""
    found: list[InventoryFinding] = []
    by_recovery: dict[str, list[Account]] = {}
    for account in accounts:
        for value in (account.recovery_email, account.recovery_phone):
            if value.strip():
                by_recovery.setdefault(_normal(value), []).append(account)
    for value_accounts in by_recovery.values():
        holders = {a.controlled_by.strip().lower() for a in value_accounts}
        if len(holders) > 1:
            for account in value_accounts:
                others = sorted({a.controlled_by for a in value_accounts
                                 if a.controlled_by != account.controlled_by})
                found.append(InventoryFinding(
                    account.id, "Recovery email or phone shared with someone else",
                    f"{account.platform} {account.handle} can be reset through a recovery "
                    f"contact also used by accounts {', '.join(others)} controls; give it one "
                    "only its own holder controls"))
    for account in accounts:
        if account.two_factor is False:
            found.append(InventoryFinding(account.id, "Two-factor login is off",
                                          f"turn on two-factor login for {account.platform} "
                                          f"{account.handle}"))
        if account.kind is AccountKind.MIXED:
            found.append(InventoryFinding(
                account.id, "Official and personal in one account",
                f"{account.platform} {account.handle} is used for both: an official account "
                "is a public forum and its followers, photos and messages are public record; "
                "keep a separate personal account"))
        pending = due(account, now)
        if pending:
            found.append(InventoryFinding(
                account.id, "Privacy checks due",
                f"{len(pending)} check(s) on {account.platform} {account.handle} "
                f"{'have never been done' if not account.checks else 'are due again'}: "
                f"{', '.join(c.title for c in pending[:4])}"))
    return found
