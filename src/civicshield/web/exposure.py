"""Exposure pages: the protected profile, scans and findings, the broker catalogue, removal
requests (letters, states, overdue list) and the exposure report. Admins only."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from civicshield.domain.brokers import NEEDS
from civicshield.domain.errors import CivicShieldError, InvalidInputError
from civicshield.domain.exposure import KINDS, TRANSITIONS, RequestState
from civicshield.domain.laws import statutes
from civicshield.domain.models import Role
from civicshield.domain.profile import ROLES, ProtectedProfile
from civicshield.exposure.crawl import CrawlLimits
from civicshield.reports.removal import placeholders
from civicshield.services.exposure import Exposure
from civicshield.web.auth import Session, needs, service, set_cookie
from civicshield.web.render import TEMPLATES, page

router = APIRouter(prefix="/exposure")
ADMIN = needs(Role.ADMIN)
ADMIN_FORM = needs(Role.ADMIN, form=True)
#: Largest upload per scan.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
_LIST_FIELDS = ("aliases", "past_addresses", "phones", "emails", "family", "schools", "vehicles",
                "usernames")
TEMPLATES.env.globals["EXPOSURE_KINDS"] = KINDS
#: Which protected person the exposure pages show, when a workspace protects several.
PRINCIPAL_COOKIE = "civicshield_exposure_principal"
log = logging.getLogger("civicshield.exposure")


def _principal(request: Request) -> str | None:
    return request.query_params.get("principal") or request.cookies.get(PRINCIPAL_COOKIE) or None


@router.get("", response_class=HTMLResponse)
def overview(request: Request, session: Annotated[Session, ADMIN],
             status: str = "") -> HTMLResponse:
    """Findings, the scan form and where requests stand (for one protected person)."""
    app = service(request)
    chosen = _principal(request)
    principals = app.principals.all()
    if chosen and chosen not in {p.slug for p in principals}:
        chosen = None
    if not chosen and len(principals) > 1:
        chosen = principals[0].slug
    exposure = app.exposure
    response = page(request, "exposure.html", session=session,
                    findings=exposure.findings(session.user, status=status or None,
                                               principal=chosen),
                    status=status, scans=exposure.scans(session.user, chosen)[:5],
                    overdue=len(exposure.requests(session.user, overdue=True)),
                    principals=principals, chosen=chosen, running=sorted(RUNNING.values()))
    if chosen:
        set_cookie(request, response, PRINCIPAL_COOKIE, chosen, 30 * 24 * 3600)
    return response


@router.post("/scan")
async def scan(request: Request, session: Annotated[Session, ADMIN_FORM],
               urls: Annotated[str, Form()] = "", crawl: Annotated[str, Form()] = "",
               depth: Annotated[int, Form()] = 2, max_pages: Annotated[int, Form()] = 100,
               official: Annotated[str, Form()] = "",
               files: Annotated[list[UploadFile] | None, File()] = None) -> RedirectResponse:
    """Scan uploaded files and web addresses."""
    exposure = service(request).exposure
    uploads = [(f.filename or "upload", await f.read(MAX_UPLOAD_BYTES)) for f in files or []
               if f.filename]
    targets = [u.strip() for u in urls.splitlines() if u.strip()]
    if any(not t.startswith(("https://", "http://")) for t in targets):
        raise InvalidInputError("web addresses must start with https:// or http://")
    if not uploads and not targets:
        raise InvalidInputError("choose files or enter web addresses to scan")
    limits = CrawlLimits(depth=min(max(depth, 0), 5), max_pages=min(max(max_pages, 1), 1000)) \
        if crawl else None
    principal = _principal(request)
    if targets:  # a crawl takes a second a page: it runs on while the office works
        threading.Thread(target=_scan_in_background, daemon=True,
                         args=(exposure, session, targets, limits, bool(official), principal),
                         ).start()
    if uploads:  # read off the event loop: the dashboard keeps answering meanwhile
        done = await run_in_threadpool(partial(exposure.scan_uploads, session.user, uploads,
                                               official=bool(official), principal=principal))
        return RedirectResponse(f"/exposure?scanned={done.scan_id}"
                                + ("&started=1" if targets else ""), status_code=303)
    return RedirectResponse("/exposure?started=1", status_code=303)


#: Web scans running in this process: a key -> what they have done so far, in words.
RUNNING: dict[str, str] = {}


def _scan_in_background(exposure: Exposure, session: Session, targets: list[str],
                        limits: CrawlLimits | None, official: bool,  # noqa: FBT001
                        principal: str | None) -> None:
    key = f"{datetime.now(UTC):%H:%M:%S} {session.user.username} {len(RUNNING)}"
    started = f"started {datetime.now(UTC):%H:%M} UTC by {session.user.username}"
    RUNNING[key] = f"Scan of {len(targets)} address(es), {started}: starting"

    def progress(line: str) -> None:
        RUNNING[key] = f"Scan of {len(targets)} address(es), {started}: {line}"

    try:
        exposure.scan(session.user, targets, limits=limits, official=official,
                      principal=principal, progress=progress)
    except CivicShieldError as exc:
        log.warning("a background scan by %s stopped: %s", session.user.username,
                    type(exc).__name__)
    finally:
        RUNNING.pop(key, None)


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, session: Annotated[Session, ADMIN]) -> HTMLResponse:
    """The protected profile (viewing it is written to the audit log)."""
    principal, profile = service(request).exposure.profile(session.user, _principal(request))
    return page(request, "exposure_profile.html", session=session, principal=principal,
                profile=profile.as_dict(), roles=ROLES, list_fields=_LIST_FIELDS)


@router.post("/profile")
async def save_profile(request: Request,
                       session: Annotated[Session, ADMIN_FORM]) -> RedirectResponse:
    """Replace the protected profile from the form (lists: one item per line)."""
    form = await request.form()
    data: dict[str, object] = {k: str(form.get(k, "")) for k in ("name", "home_address",
                                                                 "state", "role")}
    for key in _LIST_FIELDS:
        data[key] = [line.strip() for line in str(form.get(key, "")).splitlines() if line.strip()]
    service(request).exposure.set_profile(session.user,
                                          ProtectedProfile.from_dict(data, source="the form"),
                                          principal=_principal(request))
    return RedirectResponse("/exposure/profile?saved=1", status_code=303)


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: int,
                 session: Annotated[Session, ADMIN]) -> HTMLResponse:
    """A finding in context, with the laws a removal request could cite."""
    shield = service(request)
    view = shield.exposure.finding(session.user, finding_id)
    plan = None
    if view.finding.data_kind in ("home_address", "past_address", "family", "school"):
        plan = shield.safety.plan(session.user)[1]  # what to do while the address is out
    return page(request, "exposure_finding.html", session=session, view=view, plan=plan)


@router.post("/findings/{finding_id}/dismiss")
def dismiss(request: Request, finding_id: int,
            session: Annotated[Session, ADMIN_FORM]) -> RedirectResponse:
    """Set a finding aside."""
    service(request).exposure.dismiss(session.user, finding_id)
    return RedirectResponse("/exposure", status_code=303)


@router.get("/brokers", response_class=HTMLResponse)
def brokers(request: Request, session: Annotated[Session, ADMIN],
            q: str = "", show: str = "") -> HTMLResponse:
    """The data-broker catalogue, with what was recorded for the principal."""
    rows = service(request).exposure.brokers(session.user, principal=_principal(request))
    relisted = service(request).exposure.relistings(session.user, principal=_principal(request))
    total = len(rows)
    checked = sum(1 for _, check in rows if check and check.status != "unchecked")
    listed = sum(1 for _, check in rows if check and check.status == "found")
    if q:
        rows = [r for r in rows if q.lower() in f"{r[0].name} {r[0].domain}".lower()]
    if show:
        rows = [r for r in rows if (r[1].status if r[1] else "unchecked") == show]
    return page(request, "exposure_brokers.html", session=session, rows=rows, q=q, show=show,
                total=total, needs=NEEDS, relisted=relisted, checked=checked, listed=listed)


@router.post("/brokers/{broker_id}")
def mark_broker(request: Request, broker_id: str, session: Annotated[Session, ADMIN_FORM],
                status: Annotated[str, Form()], listing_url: Annotated[str, Form()] = "",
                ) -> RedirectResponse:
    """Record whether the principal was found on a site."""
    broker = service(request).exposure.mark_broker(session.user, broker_id, status,
                                                   listing_url=listing_url,
                                                   principal=_principal(request))
    return RedirectResponse(f"/exposure/brokers?q={broker.domain}", status_code=303)


@router.post("/requests")
def draft(request: Request, session: Annotated[Session, ADMIN_FORM],
          finding_id: Annotated[int | None, Form()] = None,
          broker_id: Annotated[str, Form()] = "", basis: Annotated[str, Form()] = "",
          agent: Annotated[str, Form()] = "") -> RedirectResponse:
    """Draft a removal request from a finding or a broker listing."""
    drafted = service(request).exposure.draft(session.user, finding_id=finding_id,
                                              broker_id=broker_id or None,
                                              basis_id=basis or None, agent=agent[:200],
                                              principal=_principal(request))
    return RedirectResponse(f"/exposure/requests/{drafted.id}", status_code=303)


@router.get("/requests", response_class=HTMLResponse)
def request_list(request: Request, session: Annotated[Session, ADMIN]) -> HTMLResponse:
    """Every removal request, soonest due first."""
    found = service(request).exposure.requests(session.user)
    return page(request, "exposure_requests.html", session=session, requests=found,
                overdue_only=False, now=datetime.now(UTC))


@router.get("/overdue", response_class=HTMLResponse)
def overdue(request: Request, session: Annotated[Session, ADMIN]) -> HTMLResponse:
    """Requests past their due date with no answer."""
    exposure = service(request).exposure
    found = exposure.requests(session.user, overdue=True)
    return page(request, "exposure_requests.html", session=session, requests=found,
                overdue_only=True, now=datetime.now(UTC),
                renewals=exposure.renewals(session.user))


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: int,
                 session: Annotated[Session, ADMIN]) -> HTMLResponse:
    """A request: the letter to edit, its state and history, downloads."""
    exposure = service(request).exposure
    found = exposure.request(session.user, request_id)
    return page(request, "exposure_request.html", session=session, r=found,
                basis=exposure.basis_of(found), missing=placeholders(found.body),
                lapses=exposure.lapses(found),
                next_states=TRANSITIONS[found.state], now=datetime.now(UTC))


@router.post("/requests/{request_id}/edit")
def edit(request: Request, request_id: int, session: Annotated[Session, ADMIN_FORM],
         subject: Annotated[str, Form()], body: Annotated[str, Form()],
         email_to: Annotated[str, Form()] = "") -> RedirectResponse:
    """Save the edited letter."""
    service(request).exposure.edit(session.user, request_id, subject_line=subject, body=body,
                                   email_to=email_to)
    return RedirectResponse(f"/exposure/requests/{request_id}", status_code=303)


@router.post("/requests/{request_id}/mark")
def mark(request: Request, request_id: int, session: Annotated[Session, ADMIN_FORM],
         state: Annotated[str, Form()], note: Annotated[str, Form()] = "",
         on: Annotated[str, Form()] = "") -> RedirectResponse:
    """Move the request on (sent starts the clock)."""
    try:
        new_state = RequestState(state)
        when = datetime.fromisoformat(on).replace(tzinfo=UTC) if on else None
    except ValueError as exc:
        raise InvalidInputError("choose a state, and a date as YYYY-MM-DD") from exc
    service(request).exposure.mark(session.user, request_id, new_state, note=note, when=when)
    return RedirectResponse(f"/exposure/requests/{request_id}", status_code=303)


@router.get("/requests/{request_id}/letter.{fmt}")
def letter_download(request: Request, request_id: int, fmt: str,
                    session: Annotated[Session, ADMIN]) -> Response:
    """The letter as text, PDF or an unsent email."""
    name, content, media = service(request).exposure.letter_file(session.user, request_id, fmt)
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/laws", response_class=HTMLResponse)
def laws(request: Request, session: Annotated[Session, ADMIN]) -> HTMLResponse:
    """The statute table requests cite, with unverified rows flagged."""
    return page(request, "exposure_laws.html", session=session, table=statutes().values())


@router.get("/report.pdf")
def report(request: Request, session: Annotated[Session, ADMIN]) -> Response:
    """The exposure report."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="civicshield-report-") as folder:
        target = service(request).exposure.report(session.user, Path(folder) / "report.pdf",
                                                  principal=_principal(request))
        content = target.read_bytes()
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="exposure-report.pdf"'})
