"""Password hygiene pages: upload an export (analysts and admins), the audit's report with what
to fix first, its PDF and CSV, the office's trend, and exclusions (admins). The uploaded file is
written to the data folder (owner only) and deleted by the service the moment it is read."""

from __future__ import annotations

import os
import secrets
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicshield.domain.errors import InvalidInputError
from civicshield.domain.hygiene import (
    ISSUE_ORDER,
    MAX_EXPORT_BYTES,
    POLICIES,
    Issue,
)
from civicshield.domain.inventory import AccountKind, checklists, checks_for, due
from civicshield.domain.models import Role
from civicshield.web.auth import Session, needs, service
from civicshield.web.render import page

router = APIRouter()


def _overview(request: Request, session: Session, *, error: str = "",
              status_code: int = 200) -> HTMLResponse:
    shield = service(request)
    audits = shield.hygiene.overview(session.user)
    latest: dict[str, list[int]] = {}
    for audit in audits:  # newest first: each person's scores, latest first
        latest.setdefault(audit.person, []).append(audit.score)
    return page(request, "hygiene.html", status_code=status_code, session=session,
                audits=audits, office=latest, policies=POLICIES,
                default_policy=shield.settings.password_policy, error=error,
                offline=shield.settings.pwned_file is not None,
                exclusions=shield.hygiene.exclusions(session.user))


@router.get("/hygiene", response_class=HTMLResponse)
def hygiene_page(request: Request, session: Annotated[Session, needs(Role.ANALYST)]
                 ) -> HTMLResponse:
    """Upload an export; every audit so far, per person."""
    return _overview(request, session)


@router.post("/hygiene", response_model=None)
async def upload(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
                 export: Annotated[UploadFile, File()], person: Annotated[str, Form()],
                 vault_kind: Annotated[str, Form()] = "official",
                 policy_name: Annotated[str, Form()] = "",
                 breach_check: Annotated[str, Form()] = "none",
                 birth_years: Annotated[str, Form()] = "",
                 kdbx_password: Annotated[str, Form()] = "") -> HTMLResponse | RedirectResponse:
    """Audit the uploaded export; a problem is one line on the page."""
    shield = service(request)
    folder = shield.settings.data_dir / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"hygiene-{secrets.token_hex(8)}"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(await export.read(MAX_EXPORT_BYTES + 1))
        years = tuple(int(y) for y in birth_years.replace(",", " ").split()
                      if y.isdigit() and 1900 <= int(y) <= 2100)
        view = shield.hygiene.audit(
            session.user, target, person, kdbx_password=kdbx_password,
            breach_check=breach_check, breach_file=shield.settings.pwned_file,
            policy_name=policy_name or shield.settings.password_policy,
            vault_kind=vault_kind, birth_years=years, delete_file=True,
            display_name=export.filename or "the upload")
    except InvalidInputError as exc:
        return _overview(request, session, error=str(exc), status_code=400)
    finally:
        target.unlink(missing_ok=True)
    return RedirectResponse(f"/hygiene/{view.record.id}", status_code=303)


@router.get("/hygiene/{audit_id:int}", response_class=HTMLResponse)
def audit_page(request: Request, audit_id: int,
               session: Annotated[Session, needs(Role.ANALYST)]) -> HTMLResponse:
    """One audit: the score, what to fix first, the shared passwords and every finding."""
    view = service(request).hygiene.view(session.user, audit_id)
    order = sorted((i for i in Issue if view.of(i)), key=lambda i: ISSUE_ORDER[i][0])
    return page(request, "hygiene_audit.html", session=session, view=view, order=order,
                words=ISSUE_ORDER, policy=POLICIES.get(view.record.policy))


@router.post("/hygiene/{audit_id:int}/pdf")
def audit_pdf(request: Request, audit_id: int,
              session: Annotated[Session, needs(Role.ANALYST, form=True)]) -> Response:
    """The report as a PDF."""
    data = service(request).hygiene.pdf_report(session.user, audit_id)
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="password-audit-{audit_id}.pdf"'})


@router.post("/hygiene/{audit_id:int}/csv")
def audit_csv(request: Request, audit_id: int,
              session: Annotated[Session, needs(Role.ANALYST, form=True)]) -> Response:
    """The findings as CSV (no secret in it)."""
    data = service(request).hygiene.csv_report(session.user, audit_id)
    return Response(data, media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="password-audit-{audit_id}.csv"'})


@router.post("/hygiene/exclusions")
def exclude(request: Request, session: Annotated[Session, needs(Role.ADMIN, form=True)],
            issue: Annotated[str, Form()], site: Annotated[str, Form()],
            reason: Annotated[str, Form()], days: Annotated[int, Form()] = 90,
            back: Annotated[str, Form()] = "/hygiene") -> RedirectResponse:
    """Set one kind of finding aside for a site, with a reason, until it expires."""
    try:
        chosen = Issue(issue)
    except ValueError as exc:
        raise InvalidInputError(f"unknown kind of finding {issue!r}") from exc
    service(request).hygiene.exclude(session.user, chosen, site, reason, days=days)
    return RedirectResponse(back if back.startswith("/hygiene") else "/hygiene",
                            status_code=303)


# ---- the account inventory ------------------------------------------------------------------
@router.get("/hygiene/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, session: Annotated[Session, needs(Role.ANALYST)],
                  error: str = "") -> HTMLResponse:
    """Every account of the protected person, what to fix, and the separation warnings."""
    shield = service(request)
    inventory = shield.hygiene.inventory
    now = shield.context.clock()
    separation = []
    if session.user.role.allows(Role.ADMIN):  # exposure findings are for admins
        separation = [f for f in shield.exposure.findings(session.user)
                      if f.kind == "separation"]
    accounts = inventory.accounts(session.user)
    return page(request, "hygiene_accounts.html", session=session, accounts=accounts,
                findings=inventory.findings(session.user), kinds=list(AccountKind),
                platforms=checklists(), due={a.id: len(due(a, now)) for a in accounts},
                separation=separation, error=error)


@router.post("/hygiene/accounts", response_model=None)
def add_account(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
                platform: Annotated[str, Form()] = "", handle: Annotated[str, Form()] = "",
                kind: Annotated[str, Form()] = "", controlled_by: Annotated[str, Form()] = "",
                two_factor: Annotated[str, Form()] = "unknown",
                recovery_email: Annotated[str, Form()] = "",
                recovery_phone: Annotated[str, Form()] = "") -> HTMLResponse | RedirectResponse:
    """Add an account; a mistake names the field."""
    try:
        service(request).hygiene.inventory.add(
            session.user, platform, handle, kind, controlled_by,
            two_factor={"on": True, "off": False}.get(two_factor),
            recovery_email=recovery_email, recovery_phone=recovery_phone)
    except InvalidInputError as exc:
        return accounts_page(request, session, error=str(exc))
    return RedirectResponse("/hygiene/accounts", status_code=303)


@router.get("/hygiene/accounts/{account_id}", response_class=HTMLResponse)
def account_page(request: Request, account_id: int,
                 session: Annotated[Session, needs(Role.ANALYST)]) -> HTMLResponse:
    """One account: its privacy checklist with when each check was done and when it is due."""
    shield = service(request)
    account = shield.hygiene.inventory.account(session.user, account_id)
    now = shield.context.clock()
    pending = {c.key for c in due(account, now)}
    return page(request, "hygiene_account.html", session=session, account=account,
                checks=checks_for(account.platform), pending=pending,
                platform_name=checklists().get(account.platform, (account.platform, ()))[0])


@router.post("/hygiene/accounts/{account_id}/check")
def mark_check(request: Request, account_id: int,
               session: Annotated[Session, needs(Role.ANALYST, form=True)],
               check: Annotated[str, Form()]) -> RedirectResponse:
    """Record that a check was done now."""
    service(request).hygiene.inventory.mark_check(session.user, account_id, check)
    return RedirectResponse(f"/hygiene/accounts/{account_id}", status_code=303)


@router.post("/hygiene/accounts/{account_id}/two-factor")
def two_factor(request: Request, account_id: int,
               session: Annotated[Session, needs(Role.ANALYST, form=True)],
               on: Annotated[str, Form()]) -> RedirectResponse:
    """Record whether two-factor login is on."""
    service(request).hygiene.inventory.set_two_factor(session.user, account_id, on=on == "on")
    return RedirectResponse(f"/hygiene/accounts/{account_id}", status_code=303)
