"""Login, logout, personal settings, and the admin pages for staff accounts and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicshield.domain.audit import ACTION_WORDS, readable
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.models import Role
from civicshield.services.accounts import LoginRefusedError
from civicshield.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Session,
    csrf_session,
    needs,
    new_login_token,
    safe_next,
    service,
    set_cookie,
)
from civicshield.web.render import page

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/queue", error: str = "") -> HTMLResponse:  # noqa: A002
    """The login page."""
    token = new_login_token()
    response = page(request, "login.html", login_token=token, next=safe_next(next),
                    error=error)
    set_cookie(request, response, LOGIN_COOKIE, token, max_age=1800)
    return response


@router.post("/login", response_model=None)
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          login_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/queue") -> HTMLResponse | RedirectResponse:  # noqa: A002
    """Check the password and start a session."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    svc = service(request)
    if not cookie or cookie != login_token:
        return _login_again(request, next, "The login form expired. Please try again.")
    try:
        user = svc.accounts.authenticate(username.strip(), password,
                                         request.client.host if request.client else "")
    except LoginRefusedError as refused:
        return _login_again(request, next, str(refused), status_code=429)
    if user is None:
        return _login_again(request, next, "That user name and password do not match.")
    token, _ = svc.accounts.start_session(user)
    response = RedirectResponse("/settings?must=password" if user.must_change_password
                                else safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token,
               max_age=svc.settings.session_hours * 3600)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _login_again(request: Request, next_path: str, error: str,
                 status_code: int = 400) -> HTMLResponse:
    token = new_login_token()
    response = page(request, "login.html", status_code=status_code, login_token=token,
                    next=safe_next(next_path), error=error)
    set_cookie(request, response, LOGIN_COOKIE, token, max_age=1800)
    return response


@router.post("/logout")
def logout(request: Request, session: Annotated[Session, needs(Role.VIEWER, form=True)]
           ) -> RedirectResponse:
    """End the session."""
    service(request).accounts.end_session(session.token, session.user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, session: Annotated[Session, needs(Role.VIEWER)],
                  saved: str = "", must: str = "") -> HTMLResponse:
    """Personal settings: blurring and password (first, after a one-time password)."""
    return page(request, "settings.html", session=session, saved=saved,
                must_change=session.user.must_change_password or must == "password")


@router.post("/settings/blur")
def settings_blur(request: Request, session: Annotated[Session, needs(Role.VIEWER, form=True)],
                  blur: Annotated[str, Form()] = "off") -> RedirectResponse:
    """Save the blur preference."""
    service(request).accounts.set_blur(session.user, blur=blur == "on")
    return RedirectResponse("/settings?saved=blur", status_code=303)


@router.post("/settings/password", response_model=None)
def settings_password(request: Request,
                      session: Annotated[Session, needs(Role.VIEWER, form=True)],
                      current: Annotated[str, Form()], new: Annotated[str, Form()],
                      ) -> RedirectResponse | HTMLResponse:
    """Change one's own password after confirming the current one; a refused password is
    explained on the same page, the form ready for another try."""
    try:
        service(request).accounts.change_own_password(session.user, current, new)
    except InvalidInputError as exc:
        return page(request, "settings.html", session=session, saved="", error=str(exc),
                    must_change=session.user.must_change_password, status_code=400)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: Annotated[Session, needs(Role.ADMIN)]) -> HTMLResponse:
    """Staff accounts."""
    accounts = service(request).accounts
    return page(request, "users.html", session=session, users=accounts.users(session.user),
                created=None, roles=list(Role), tokens=accounts.api_tokens(session.user))


@router.post("/admin/users", response_class=HTMLResponse)
def users_add(request: Request, session: Annotated[Session, needs(Role.ADMIN, form=True)],
              username: Annotated[str, Form()], role: Annotated[str, Form()]) -> HTMLResponse:
    """Create an account and show its one-time password once."""
    if role not in {r.value for r in Role}:
        raise InvalidInputError(f"unknown role {role!r}")
    svc = service(request)
    user, password = svc.accounts.add_user(session.user, username, Role(role))
    return page(request, "users.html", session=session, users=svc.accounts.users(session.user),
                created=(user.username, password), roles=list(Role),
                tokens=svc.accounts.api_tokens(session.user))


@router.post("/admin/users/{username}")
def users_update(request: Request, username: str,
                 session: Annotated[Session, needs(Role.ADMIN, form=True)],
                 role: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "",
                 ) -> RedirectResponse:
    """Change an account's role or enable/disable it."""
    if username == session.user.username:
        raise InvalidInputError("you cannot change your own role or status")
    if role and role not in {r.value for r in Role}:
        raise InvalidInputError(f"unknown role {role!r}")
    disabled = {"disable": True, "enable": False}.get(status)
    service(request).accounts.update_user(session.user, username, role=Role(role) if role else None,
                                 disabled=disabled)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/tokens/{token_id}/revoke")
def token_revoke(request: Request, token_id: int,
                 session: Annotated[Session, needs(Role.ADMIN, form=True)]) -> RedirectResponse:
    """Revoke an API token; it stops working at once."""
    service(request).accounts.revoke_api_token(session.user, token_id)
    return RedirectResponse("/admin/users", status_code=303)


AUDIT_PAGE = 100


def _day(value: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInputError(f"field '{field}': a date such as 2026-11-30") from exc


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: Annotated[Session, needs(Role.ADMIN)],
               person: str = "", action: str = "", since: str = "", until: str = "",
               page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1
               ) -> HTMLResponse:
    """Staff actions, newest first, in words; filtered by person, kind of action and dates,
    a hundred to a page."""
    accounts = service(request).accounts
    end = _day(until, "until")
    found = accounts.audit_entries(
        session.user, limit=AUDIT_PAGE + 1, offset=(page_number - 1) * AUDIT_PAGE,
        person=person, action=action, since=_day(since, "since"),
        until=end + timedelta(days=1) if end else None)
    kinds = sorted({code.split(".")[0] for code in ACTION_WORDS})
    return page(request, "audit.html", session=session,
                entries=[readable(e) for e in found[:AUDIT_PAGE]],
                more=len(found) > AUDIT_PAGE, page_number=page_number,
                people=accounts.audit_people(session.user), kinds=kinds,
                person=person, action=action, since=since, until=until)


__all__ = ["csrf_session", "router"]
