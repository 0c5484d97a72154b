"""Templates and the helpers they use; every value is escaped by Jinja's autoescape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePath
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from civicshield.domain.detection import LABELS, detector_name, is_abusive, label_name
from civicshield.domain.laws import state_name
from civicshield.domain.models import Finding, StoredMessage

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class Segment:
    """A piece of message text, highlighted when a finding points at it."""

    text: str
    label: str = ""
    why: str = ""


def segments(text: str, findings: tuple[Finding, ...]) -> list[Segment]:
    """Split text into plain and highlighted pieces (overlaps go to the first finding)."""
    spans = sorted((max(0, f.span[0]), min(len(text), f.span[1]), f) for f in findings
                   if f.span and f.span[0] < f.span[1])
    out, at = [], 0
    for start, end, finding in spans:
        if end <= at:
            continue
        start = max(start, at)
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], finding.label, finding.why))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


@pass_context
def when(context: Context, value: datetime | None) -> Markup | str:
    """A time as staff read it: in the office's time zone (CIVICSHIELD_TIME_ZONE), with UTC
    on hover and in the machine-readable attribute."""
    if value is None:
        return ""
    request = context.get("request")
    zone: tzinfo = request.app.state.service.settings.zone if request is not None else UTC
    local = value.astimezone(zone)
    utc = value.astimezone(UTC)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M UTC"),
        local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or ""))


def place(location: str) -> str:
    """Where a finding was, as staff read it: a web address as it is, a file by its name (not
    the server's path to it), an upload by the name it was sent with."""
    if location.startswith(("https://", "http://")):
        return location
    name = location.removeprefix("upload:")
    return PurePath(name).name or name


def person(name: str) -> str:
    """Who did something, as staff read it: a command run on the server by its account
    (``cli:root``) is "the command line (root)"."""
    if name.startswith("cli:"):
        return f"the command line ({name[4:]})"
    return name


def safe_url(url: str) -> str:
    """Links are shown only for web addresses; anything else (javascript:, data:) is dropped."""
    return url if url.startswith(("https://", "http://")) else ""


def blurred(message: StoredMessage, blur: bool) -> bool:  # noqa: FBT001 - template helper
    """Whether to blur a message's text for this user."""
    return blur and is_abusive(message.flags)


TEMPLATES.env.filters["when"] = when
TEMPLATES.env.filters["safe_url"] = safe_url
TEMPLATES.env.filters["place"] = place
TEMPLATES.env.filters["label"] = label_name
TEMPLATES.env.filters["detector"] = detector_name
TEMPLATES.env.filters["state"] = state_name
TEMPLATES.env.filters["person"] = person
TEMPLATES.env.globals["LABELS"] = LABELS
TEMPLATES.env.globals["blurred"] = blurred
TEMPLATES.env.globals["segments"] = segments


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the session (if any) in its context, and for a signed-in person
    the open alerts by severity (the banner on every page)."""
    session = context.get("session")
    if session is not None and "alert_counts" not in context:
        context["alert_counts"] = request.app.state.service.alerts.counts(session.user)
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
