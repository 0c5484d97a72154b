"""Sessions, CSRF protection and roles for the dashboard.

A login creates a random session token; the browser holds it in an HttpOnly, SameSite=Strict
cookie and the store keeps only its hash. Every form carries the session's CSRF token, checked
in constant time. The login form itself is protected by a double-submit token.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request, Response

from civicshield.app import CivicShield
from civicshield.domain.models import Role, User

SESSION_COOKIE = "cs_session"
LOGIN_COOKIE = "cs_login"


class LoginRequired(Exception):  # noqa: N818 - a signal, not an error
    """Raised by dependencies when a page needs a logged-in user."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


@dataclass(frozen=True)
class Session:
    """The logged-in user, their session token and the CSRF token forms must carry."""

    user: User
    token: str
    csrf: str


def service(request: Request) -> CivicShield:
    """The service the app was created with."""
    found: CivicShield = request.app.state.service
    return found


def cookie_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag, per the cookie_secure setting."""
    mode = service(request).settings.cookie_secure
    return mode == "true" or (mode == "auto" and request.url.scheme == "https")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """Set a cookie that scripts cannot read and other sites cannot send."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=cookie_secure(request), path="/")


#: The pages a person who logged in with a one-time password may use before choosing their own.
PASSWORD_CHANGE_PATHS = frozenset({"/settings", "/settings/password", "/logout"})


class PasswordChangeRequired(Exception):  # noqa: N818 - a control-flow signal, like LoginRequired
    """The user logged in with a one-time password and must choose their own first."""


def current_session(request: Request) -> Session:
    """The live session, or a redirect to the login page (or, after a login with a one-time
    password, to the page that sets a new one)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    found = service(request).accounts.session(token) if token else None
    if found is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query
                                                else ""))
    if found[0].must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired
    return Session(user=found[0], token=token, csrf=found[1])


def check_csrf(session: Session, submitted: str) -> None:
    """Refuse a form whose CSRF token does not match the session's."""
    if not submitted or not hmac.compare_digest(submitted, session.csrf):
        raise HTTPException(status_code=403, detail="This form has expired. Reload the page "
                            "and try again.")


def csrf_session(request: Request, csrf_token: Annotated[str, Form()] = "") -> Session:
    """For POST forms: the session, after checking the form's CSRF token."""
    session = current_session(request)
    check_csrf(session, csrf_token)
    return session


def _role_check(session: Session, role: Role) -> Session:
    if not session.user.role.allows(role):
        raise HTTPException(status_code=403, detail=f"This needs the {role.value} role.")
    return session


def needs(role: Role, *, form: bool = False) -> Any:
    """A dependency that requires a role (and, for forms, a valid CSRF token)."""
    if form:
        def form_dependency(session: Annotated[Session, Depends(csrf_session)]) -> Session:
            return _role_check(session, role)
        return Depends(form_dependency)

    def page_dependency(session: Annotated[Session, Depends(current_session)]) -> Session:
        return _role_check(session, role)
    return Depends(page_dependency)


def new_login_token() -> str:
    """A random token for the login form's double-submit check."""
    return secrets.token_urlsafe(24)


def safe_next(path: str | None) -> str:
    """Only same-site paths are followed after login or an action."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/queue"
    return path


def login_redirect(next_path: str) -> str:
    """The login URL that returns to ``next_path``."""
    return "/login?next=" + quote(safe_next(next_path), safe="/")
