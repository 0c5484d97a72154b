"""The safety plan editor: a guided form (contacts in escalation order, safe places, steps for
home, family, travel, events and mail, who speaks for the office, what each alert level sets in
motion), the printable PDF and the wallet card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import Severity
from civicshield.domain.models import Role
from civicshield.domain.safety import (
    CONTACT_ROLES,
    STEP_AREAS,
    Contact,
    SafePlace,
    SafetyPlan,
)
from civicshield.web.auth import Session, needs, service
from civicshield.web.render import page

router = APIRouter()
#: Empty rows the form offers beyond those filled in.
SPARE_CONTACTS = 3
SPARE_PLACES = 2


def _editor(request: Request, session: Session, plan: SafetyPlan, principal: str, *,
            error: str = "", status_code: int = 200, saved: bool = False) -> HTMLResponse:
    now = service(request).context.clock()
    return page(request, "safety.html", status_code=status_code, session=session, plan=plan,
                principal=principal, roles=CONTACT_ROLES, areas=STEP_AREAS,
                severities=list(reversed(Severity)), error=error, saved=saved,
                contact_rows=[*plan.contacts, *[None] * SPARE_CONTACTS],
                place_rows=[*plan.safe_places, *[None] * SPARE_PLACES],
                due=plan.review_due(now), can_edit=session.user.role.allows(Role.ADMIN))


@router.get("/safety", response_class=HTMLResponse)
def safety_page(request: Request, session: Annotated[Session, needs(Role.ANALYST)]
                ) -> HTMLResponse:
    """The plan, ready to edit."""
    principal, plan = service(request).safety.plan(session.user)
    return _editor(request, session, plan, principal)


def _lines(value: str) -> tuple[str, ...]:
    return tuple(line.strip()[:500] for line in value.splitlines() if line.strip())[:40]


def _hour(value: str, where: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInputError(f"{where}: quiet hours are hours of the day, 0 to 23")
    return int(value)


def plan_from_form(form: dict[str, str]) -> SafetyPlan:
    """The plan a submitted editor form describes (empty rows are skipped)."""
    contacts: list[Contact] = []
    for i in range(50):
        name = form.get(f"contact_{i}_name", "").strip()
        if f"contact_{i}_name" not in form:
            break
        if not name and not form.get(f"contact_{i}_phone", "").strip():
            continue
        where = f"contact {len(contacts) + 1}"
        order = form.get(f"contact_{i}_order", "0").strip() or "0"
        if not order.isdigit():
            raise InvalidInputError(f"{where}: the order in the chain must be a number")
        start = _hour(form.get(f"contact_{i}_quiet_from", ""), where)
        end = _hour(form.get(f"contact_{i}_quiet_to", ""), where)
        try:
            receives = Severity(form.get(f"contact_{i}_receives", "high"))
        except ValueError as exc:
            raise InvalidInputError(f"{where}: unknown alert level") from exc
        contacts.append(Contact(
            name=name[:200], role=form.get(f"contact_{i}_role", "trusted"),
            phone=form.get(f"contact_{i}_phone", "").strip()[:50],
            email=form.get(f"contact_{i}_email", "").strip()[:320], order=int(order[:3]),
            receives=receives,
            quiet_hours=(start, end) if start is not None and end is not None else None))
    places: list[SafePlace] = []
    for i in range(50):
        if f"place_{i}_name" not in form:
            break
        name = form.get(f"place_{i}_name", "").strip()
        if not name and not form.get(f"place_{i}_address", "").strip():
            continue
        places.append(SafePlace(name[:200], form.get(f"place_{i}_address", "").strip()[:300],
                                form.get(f"place_{i}_phone", "").strip()[:50],
                                form.get(f"place_{i}_notes", "").strip()[:500]))
    return SafetyPlan(
        contacts=tuple(contacts), safe_places=tuple(places),
        steps={area: lines for area in STEP_AREAS
               if (lines := _lines(form.get(f"steps_{area}", "")))},
        spokesperson=form.get("spokesperson", "").strip()[:300],
        triggers={level: lines for level in Severity
                  if (lines := _lines(form.get(f"trigger_{level.value}", "")))})


@router.post("/safety", response_class=HTMLResponse)
async def save_plan(request: Request, session: Annotated[Session, needs(Role.ADMIN, form=True)]
                    ) -> HTMLResponse:
    """Save the plan; a mistake is shown with everything typed kept."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    safety = service(request).safety
    principal, _ = safety.plan(session.user)
    try:
        plan = plan_from_form(form)
        saved = safety.save(session.user, plan)
    except InvalidInputError as exc:
        try:
            kept = plan_from_form(form)
        except InvalidInputError:
            kept = safety.plan(session.user)[1]
        return _editor(request, session, kept, principal, error=str(exc), status_code=400)
    return _editor(request, session, saved, principal, saved=True)


@router.post("/safety/reviewed")
def reviewed(request: Request, session: Annotated[Session, needs(Role.ADMIN, form=True)]
             ) -> RedirectResponse:
    """Mark the plan read through and current."""
    service(request).safety.mark_reviewed(session.user)
    return RedirectResponse("/safety", status_code=303)


@router.post("/safety/pdf")
def plan_pdf(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
             ) -> Response:
    """The plan to print."""
    data = service(request).safety.pdf(session.user)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="safety-plan.pdf"'})


@router.post("/safety/card")
def wallet_card(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
                ) -> Response:
    """The wallet card to print."""
    data = service(request).safety.card(session.user)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="wallet-card.pdf"'})
