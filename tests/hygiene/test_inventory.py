"""The account inventory: shared recovery contacts, two-factor login off, mixed accounts,
privacy checks that are due and done, stored with the recovery contacts encrypted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.inventory import checklists, checks_for
from civicshield.storage.tables import inventory_accounts

PLATFORMS = {"x", "facebook", "instagram", "threads", "bluesky", "tiktok", "linkedin",
             "nextdoor", "venmo", "strava", "google"}


def test_every_platform_named_in_the_issue_has_a_checklist() -> None:
    lists = checklists()
    assert set(lists) >= PLATFORMS
    for platform in PLATFORMS:
        checks = checks_for(platform)
        assert checks and all(c.how and c.title for c in checks), platform
        assert len({c.key for c in checks}) == len(checks)


def test_what_the_inventory_finds(sqlite_service: CivicShield) -> None:
    inventory = sqlite_service.hygiene.inventory
    admin = cli_actor()
    mayor = inventory.add(admin, "facebook", "Elena Marsh", "personal", "Elena Marsh",
                          two_factor=True, recovery_phone="(916) 555-0188")
    inventory.add(admin, "x", "@MayorMarsh", "official", "Jamie Cho", two_factor=False,
                  recovery_phone="916-555-0188")  # the staff phone resets the mayor's account
    inventory.add(admin, "instagram", "@elena.and.family", "mixed", "Elena Marsh")
    said = {(f.account_id, f.title) for f in inventory.findings(admin)}
    titles = {t for _, t in said}
    assert (mayor, "Recovery email or phone shared with someone else") in said
    assert {"Two-factor login is off", "Official and personal in one account",
            "Privacy checks due"} <= titles
    for check in checks_for("facebook"):
        inventory.mark_check(admin, mayor, check.key)
    assert (mayor, "Privacy checks due") not in {(f.account_id, f.title)
                                                 for f in inventory.findings(admin)}
    later = CivicShield.build(replace(sqlite_service.context,
                                      clock=lambda: sqlite_service.context.clock()
                                      + timedelta(days=91)))
    assert (mayor, "Privacy checks due") in {(f.account_id, f.title)
                                             for f in later.hygiene.inventory.findings(admin)}
    with pytest.raises(InvalidInputError, match="has no check"):
        inventory.mark_check(admin, mayor, "not-a-check")


def test_recovery_contacts_are_encrypted(sqlite_service: CivicShield) -> None:
    sqlite_service.hygiene.inventory.add(cli_actor(), "google", "elena.marsh.home", "personal",
                                         "Elena Marsh", recovery_email="secret.rec@example.net")
    with sqlite_service.context.engine.connect() as conn:
        blob = conn.execute(select(inventory_accounts.c.details_encrypted)).scalar_one()
    assert b"secret.rec" not in blob
    account = sqlite_service.hygiene.inventory.accounts(cli_actor())[0]
    assert account.recovery_email == "secret.rec@example.net"


@pytest.mark.parametrize(("platform", "handle", "kind", "who", "named"), [
    ("", "@a", "official", "A", "platform"), ("x", " ", "official", "A", "handle"),
    ("x", "@a", "public", "A", "kind"), ("x", "@a", "official", "", "controlled_by"),
])
def test_bad_accounts_name_the_field(sqlite_service: CivicShield, platform: str, handle: str,
                                     kind: str, who: str, named: str) -> None:
    with pytest.raises(InvalidInputError, match=f"field '{named}'"):
        sqlite_service.hygiene.inventory.add(cli_actor(), platform, handle, kind, who)
