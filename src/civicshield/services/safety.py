"""Safety plans: the guided editor's reads and writes, review every 90 days, the printable PDF and
the wallet card. The plan's contacts are the alert escalation chain (services/alerts)."""

from __future__ import annotations

from dataclasses import replace

from civicshield.domain.access import require
from civicshield.domain.models import Role, User
from civicshield.domain.safety import SafetyPlan, validate
from civicshield.reports.safety_plan import card_pdf, plan_pdf
from civicshield.services.context import ServiceContext, resolve_principal
from civicshield.storage.safety import SqlSafetyRepository


class Safety:
    """One plan per protected person."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def plan(self, actor: User, principal: str | None = None) -> tuple[str, SafetyPlan]:
        """The principal's name and plan (an empty plan when none was written yet); analysts
        and admins (it names family and safe places)."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            target = resolve_principal(repo, principal)
            found = SqlSafetyRepository(repo.conn, self.context.cipher).plan(target.id)
            return target.display_name, found or SafetyPlan()

    def save(self, actor: User, plan: SafetyPlan, principal: str | None = None) -> SafetyPlan:
        """Check and store the plan (admins); InvalidInputError names the field."""
        require(actor, Role.ADMIN)
        now = self.context.clock()
        with self.context.transaction(write=True) as repo:
            target = resolve_principal(repo, principal)
            store = SqlSafetyRepository(repo.conn, self.context.cipher)
            before = store.plan(target.id)
            kept = replace(validate(plan), updated_at=now, updated_by=actor.username,
                           reviewed_at=before.reviewed_at if before else None)
            store.save(target.id, kept, now)
            repo.audit(actor.username, "safety.plan_saved", f"principal:{target.slug}",
                       f"{len(kept.contacts)} contacts, {len(kept.safe_places)} safe places")
        return kept

    def mark_reviewed(self, actor: User, principal: str | None = None) -> SafetyPlan:
        """Record that the plan was read through and is current (admins)."""
        require(actor, Role.ADMIN)
        now = self.context.clock()
        with self.context.transaction(write=True) as repo:
            target = resolve_principal(repo, principal)
            store = SqlSafetyRepository(repo.conn, self.context.cipher)
            kept = replace(store.plan(target.id) or SafetyPlan(), reviewed_at=now,
                           updated_at=now, updated_by=actor.username)
            store.save(target.id, kept, now)
            repo.audit(actor.username, "safety.plan_reviewed", f"principal:{target.slug}", "")
        return kept

    def pdf(self, actor: User, principal: str | None = None) -> bytes:
        """The plan to print."""
        name, plan = self.plan(actor, principal)
        return plan_pdf(plan, name, self.context.settings.zone, self.context.clock())

    def card(self, actor: User, principal: str | None = None) -> bytes:
        """The wallet card to print."""
        name, plan = self.plan(actor, principal)
        return card_pdf(plan, name)
