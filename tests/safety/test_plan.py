"""The safety plan: checked, stored encrypted, printed as a PDF and a one-page wallet card."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import InvalidInputError, PermissionDeniedError
from civicshield.domain.evidence import Severity
from civicshield.domain.models import Role, User
from civicshield.domain.safety import Contact, SafePlace, SafetyPlan
from civicshield.storage.tables import safety_plans

PLAN = SafetyPlan(
    contacts=(Contact("Rosa Diaz", "security_lead", phone="(916) 555-0111",
                      email="rosa@riverton.test", order=1, receives=Severity.MEDIUM),
              Contact("Sgt. Anita Lee", "police_liaison", phone="(916) 555-0199",
                      email="lee@riverton.pd.test", order=2, receives=Severity.CRITICAL),
              Contact("Daniel Marsh", "family", phone="(916) 555-0100")),
    safe_places=(SafePlace("Aunt Carol's house", "88 Orchard Rd, Davis", "(530) 555-0123",
                           "Key under the blue pot"),),
    steps={"home": ("Close the blinds and keep the porch light on",
                    "Do not open the door to unannounced visitors"),
           "mail": ("Open packages at City Hall, not at home",)},
    spokesperson="Jamie Cho, communications director",
    triggers={Severity.CRITICAL: ("Leave home for the safe place", "Call Sgt. Lee")})


def test_the_plan_is_stored_encrypted(sqlite_service: CivicShield) -> None:
    sqlite_service.safety.save(cli_actor(), PLAN)
    with sqlite_service.context.engine.connect() as conn:
        blob = conn.execute(select(safety_plans.c.plan_encrypted)).scalar_one()
    for secret in (b"Orchard", b"Rosa", b"555-0111", b"blue pot"):
        assert secret not in blob
    name, back = sqlite_service.safety.plan(cli_actor())
    assert name == "Elena Marsh"
    assert back.contacts == PLAN.contacts and back.safe_places == PLAN.safe_places
    assert back.triggers == PLAN.triggers and back.updated_by.startswith("cli:")


@pytest.mark.parametrize(("plan", "named"), [
    (SafetyPlan(contacts=(Contact("", "trusted"),)), "contact 1: a name is needed"),
    (SafetyPlan(contacts=(Contact("A", "bodyguard"),)), "contact 1: unknown role"),
    (SafetyPlan(contacts=(Contact("A", "trusted", email="not-an-address"),)),
     "is not an email address"),
    (SafetyPlan(contacts=(Contact("A", "trusted", quiet_hours=(22, 30)),)), "quiet hours"),
    (SafetyPlan(safe_places=(SafePlace(""),)), "safe place 1: a name is needed"),
    (SafetyPlan(steps={"garden": ("x",)}), "unknown section of steps"),
])
def test_mistakes_are_named(sqlite_service: CivicShield, plan: SafetyPlan, named: str) -> None:
    with pytest.raises(InvalidInputError, match=named):
        sqlite_service.safety.save(cli_actor(), plan)


def test_only_analysts_read_it_and_admins_change_it(sqlite_service: CivicShield) -> None:
    with pytest.raises(PermissionDeniedError):
        sqlite_service.safety.plan(User(id=5, username="volunteer", role=Role.VIEWER))
    with pytest.raises(PermissionDeniedError):
        sqlite_service.safety.save(User(id=6, username="staff", role=Role.ANALYST), PLAN)


def test_review_is_due_after_90_days(sqlite_service: CivicShield) -> None:
    saved = sqlite_service.safety.save(cli_actor(), PLAN)
    assert saved.updated_at is not None
    assert not saved.review_due(saved.updated_at + timedelta(days=89))
    assert saved.review_due(saved.updated_at + timedelta(days=90))
    reviewed = sqlite_service.safety.mark_reviewed(cli_actor())
    assert reviewed.reviewed_at is not None and reviewed.contacts == PLAN.contacts


def pdf_text(data: bytes, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True,
                          text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    return text, pages


def test_the_printed_plan_and_the_wallet_card(sqlite_service: CivicShield,
                                              tmp_path: Path) -> None:
    sqlite_service.safety.save(cli_actor(), PLAN)
    text, pages = pdf_text(sqlite_service.safety.pdf(cli_actor()), tmp_path)
    assert pages >= 1
    for words in ("Safety plan", "Elena Marsh", "Rosa Diaz", "Aunt Carol", "call 911",
                  "Open packages at City Hall", "Leave home for the safe place",
                  "Jamie Cho"):
        assert words in text
    card, card_pages = pdf_text(sqlite_service.safety.card(cli_actor()), tmp_path)
    assert card_pages == 1
    for words in ("call 911", "(916) 555-0199", "Aunt Carol", "Leave home"):
        assert words in card
