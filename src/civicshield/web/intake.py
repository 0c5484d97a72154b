"""The intake page: each live source with its health line, and adding, switching off and
re-keying sources (admins). Credentials are taken once and never shown again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicshield.domain.errors import InvalidInputError
from civicshield.domain.models import ChannelKind, Role
from civicshield.web.auth import Session, needs, service
from civicshield.web.render import page

router = APIRouter()


@router.get("/intake", response_class=HTMLResponse)
def intake_page(request: Request, session: Annotated[Session, needs(Role.ANALYST)]
                ) -> HTMLResponse:
    """Every source and how it is going."""
    shield = service(request)
    return page(request, "intake.html", session=session,
                health=shield.intake.health(session.user),
                kinds=shield.intake.kinds, error="")


def _config(kind: str, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings and the credential a form for ``kind`` carries."""
    if kind == "imap":
        oauth = form.get("auth") == "oauth2"
        return ({"host": form.get("host", "").strip(),
                 "port": int(form.get("port") or 993) if (form.get("port") or "993").isdigit()
                 else -1,
                 "security": form.get("security") or "tls",
                 "username": form.get("username", "").strip(),
                 "folder": form.get("folder") or "INBOX",
                 "auth": "oauth2" if oauth else "password"},
                {"access_token" if oauth else "password": form.get("secret", "")})
    if kind == "mastodon":
        return ({"server": form.get("server", "").strip(),
                 "account": form.get("account", "").strip()},
                {"access_token": form.get("secret", "")})
    if kind == "bluesky":
        return ({"handle": form.get("handle", "").strip(),
                 "service": form.get("service", "").strip() or "https://bsky.social"},
                {"app_password": form.get("secret", "")})
    raise InvalidInputError(f"unknown kind of source {kind!r}")


@router.post("/intake", response_class=HTMLResponse, response_model=None)
async def add_source(request: Request,
                     session: Annotated[Session, needs(Role.ADMIN, form=True)]
                     ) -> HTMLResponse | RedirectResponse:
    """Add a source; a mistake is shown on the page, naming the field."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    shield = service(request)
    kind = form.get("kind", "")
    try:
        config, secret = _config(kind, form)
        shield.intake.add_source(session.user, kind, form.get("name", ""), config, secret,
                                 channel_kind=ChannelKind.PERSONAL
                                 if form.get("personal") else ChannelKind.OFFICIAL)
    except InvalidInputError as exc:
        return page(request, "intake.html", status_code=400, session=session,
                    health=shield.intake.health(session.user), kinds=shield.intake.kinds,
                    error=str(exc), chosen=kind)
    return RedirectResponse("/intake", status_code=303)


@router.post("/intake/{source_id}/enabled")
def set_enabled(request: Request, source_id: int,
                session: Annotated[Session, needs(Role.ADMIN, form=True)],
                enabled: Annotated[str, Form()]) -> RedirectResponse:
    """Switch a source on or off (a running intake notices within 15 seconds)."""
    service(request).intake.set_enabled(session.user, source_id, enabled=enabled == "on")
    return RedirectResponse("/intake", status_code=303)


@router.post("/intake/{source_id}/secret")
def replace_secret(request: Request, source_id: int,
                   session: Annotated[Session, needs(Role.ADMIN, form=True)],
                   secret: Annotated[str, Form()]) -> RedirectResponse:
    """New credentials (a new password, token or app password)."""
    shield = service(request)
    source = next(s for s in shield.intake.sources(session.user) if s.id == source_id)
    field = {"imap": "access_token" if source.config.get("auth") == "oauth2" else "password",
             "mastodon": "access_token", "bluesky": "app_password"}.get(source.kind, "secret")
    shield.intake.replace_secret(session.user, source_id, {field: secret})
    return RedirectResponse("/intake", status_code=303)
