"""The safety plan as a printable PDF, and the wallet card: a one-page sheet with a card to cut
out and fold (who to call, where to go, the first steps)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from civicshield.domain.evidence import Severity
from civicshield.domain.safety import CONTACT_ROLES, STEP_AREAS, SafetyPlan
from civicshield.reports.pdf import html_to_pdf, render_template

SEVERITY_WORDS = {Severity.CRITICAL: "Critical alert", Severity.HIGH: "High alert",
                  Severity.MEDIUM: "Medium alert", Severity.LOW: "Low alert"}


def _local(when: datetime | None, zone: tzinfo) -> str:
    if when is None:
        return "never"
    return when.astimezone(zone).strftime("%d %B %Y")


def plan_html(plan: SafetyPlan, principal: str, zone: tzinfo, now: datetime) -> str:
    """The whole plan as HTML (every value escaped)."""
    return render_template(
        "safety_plan.html", plan=plan, principal=principal, roles=CONTACT_ROLES,
        areas=STEP_AREAS, severities=SEVERITY_WORDS,
        contacts=sorted(plan.contacts, key=lambda c: (c.order == 0, c.order)),
        updated=_local(plan.updated_at, zone), reviewed=_local(plan.reviewed_at, zone),
        printed=_local(now.astimezone(UTC), zone), due=plan.review_due(now))


def card_html(plan: SafetyPlan, principal: str) -> str:
    """The wallet card as HTML."""
    first = [c for c in plan.contacts if c.phone][:5]
    steps = list(plan.triggers.get(Severity.CRITICAL, ()))[:4] or list(
        plan.steps.get("home", ()))[:4]
    return render_template("wallet_card.html", plan=plan, principal=principal,
                           roles=CONTACT_ROLES, contacts=first,
                           places=plan.safe_places[:2], steps=steps)


def plan_pdf(plan: SafetyPlan, principal: str, zone: tzinfo, now: datetime) -> bytes:
    """The plan as PDF bytes."""
    return html_to_pdf(plan_html(plan, principal, zone, now))


def card_pdf(plan: SafetyPlan, principal: str) -> bytes:
    """The wallet card as one PDF page."""
    return html_to_pdf(card_html(plan, principal))
