"""Triage pages: the queue, a message, a sender, and the actions staff take on them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicshield.domain.detection import LABELS
from civicshield.domain.errors import InvalidInputError, NotFoundError
from civicshield.domain.evidence import Severity, suggested_severity
from civicshield.domain.models import ReviewBatch, ReviewState, Role
from civicshield.domain.ports import QueueFilter
from civicshield.domain.search import parse_search
from civicshield.services.triage import COUNT_CAP, count_cap, cursor_text, parse_cursor
from civicshield.web.auth import Session, current_session, needs, safe_next, service
from civicshield.web.render import page

router = APIRouter()
PAGE_SIZE = 50
ACTIONS = {"reviewed": ReviewState.REVIEWED, "dismissed": ReviewState.DISMISSED,
           "escalated": ReviewState.ESCALATED, "new": ReviewState.NEW}


def _date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInputError(f"{name} must be a date such as 2026-11-01") from exc


def _before(value: str) -> tuple[datetime, int] | None:
    """A timeline position (``TIME~ID`` of the last message shown) from a link."""
    if not value:
        return None
    at, _, mid = value.partition("~")
    try:
        return datetime.fromisoformat(at).astimezone(UTC), int(mid)
    except ValueError as exc:
        raise InvalidInputError("this link to older messages is damaged; open the sender "
                                "again") from exc


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInputError(f"{name} must be a number")
    return int(value)


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The queue is the home page."""
    return RedirectResponse("/queue", status_code=303)


#: The queue's views: what needs a person first, then each review state, then everything.
STATES = (("todo", "Needs a person"), ("new", "All new"), ("escalated", "Escalated"),
          ("reviewed", "Reviewed"), ("dismissed", "Dismissed"), ("all", "All"))


def _queue_filter(state: str, narrow: QueueFilter) -> QueueFilter:
    """The filter a queue view stands for: "todo" is new and flagged by a detector."""
    if state not in dict(STATES):
        raise InvalidInputError(f"unknown view {state!r}")
    chosen = None if state == "all" else ReviewState("new" if state == "todo" else state)
    return replace(narrow, state=chosen, flagged_only=state == "todo")


def _with_param(path: str, **params: str) -> str:
    """A same-site path with query parameters replaced by ``params``."""
    target = urlsplit(safe_next(path))
    query = [(k, v) for k, v in parse_qsl(target.query) if k not in params]
    return urlunsplit(("", "", target.path, urlencode(query + list(params.items())), ""))


def _toast(request: Request, session: Session) -> ReviewBatch | None:
    """The review change named by ``?undo=`` when it is this person's and not undone yet."""
    batch = request.query_params.get("undo", "")
    if not batch.isalnum() or len(batch) > 32:
        return None
    try:
        found = service(request).triage.review_batch(batch)
    except NotFoundError:
        return None
    return found if found.actor == session.user.username and not found.undone else None


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, session: Annotated[Session, needs(Role.VIEWER)],
          channel: str = "", label: str = "", state: str = "todo", since: str = "",
          until: str = "", sender: str = "", after: str = "", q: str = "") -> HTMLResponse:
    """The triage queue as a to-do list: what needs a person, worst first, one sender's
    near-identical messages as one row; a page at a time from the position ``after``."""
    if label and label not in LABELS:
        raise InvalidInputError(f"unknown label {label!r}")
    until_day = _date(until, "until")
    narrow = QueueFilter(channel_id=_int(channel, "channel"), label=label or None,
                         since=_date(since, "since"),
                         until=until_day + timedelta(days=1) if until_day else None,
                         sender_group_id=_int(sender, "sender"), search=parse_search(q))
    flt = _queue_filter(state, narrow)
    svc = service(request)
    shown = svc.triage.queue_rows(flt, limit=PAGE_SIZE, after=parse_cursor(after),
                                  viewer=session.user)
    resting = 0
    if state == "todo" and shown.total <= shown.cap and not label:
        every_new = _queue_filter("new", narrow)
        resting = svc.triage.count(every_new, cap=count_cap(every_new),
                                   viewer=session.user) - shown.total
    filters = {"channel": channel, "label": label, "state": state, "since": since,
               "until": until, "sender": sender, "q": q.strip()}
    return page(request, "queue.html", session=session, rows=shown.rows, total=shown.total,
                cap=shown.cap, resting=resting, states=STATES, filters=filters,
                unjudged=svc.triage.count_unjudged(), unjudged_cap=COUNT_CAP,
                channels=svc.principals.channels(), later=bool(after),
                next=cursor_text(shown.next) if shown.next else "",
                query=urlencode({k: v for k, v in filters.items() if v}),
                toast=_toast(request, session),
                return_to=request.url.path + (f"?{request.url.query}" if request.url.query
                                              else ""))


def _ids(values: list[str] | None) -> list[int]:
    """Message numbers from checkboxes; a grouped row's box carries all of its numbers."""
    out: list[int] = []
    for value in values or []:
        for part in value.split(","):
            if not part.strip().isdigit():
                raise InvalidInputError("a selected message number is not a number")
            out.append(int(part))
    return list(dict.fromkeys(out))


@router.post("/queue/bulk", response_model=None)
def bulk(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
         action: Annotated[str, Form()], ids: Annotated[list[str] | None, Form()] = None,
         return_to: Annotated[str, Form()] = "/queue",
         confirmed: Annotated[str, Form()] = "") -> Response:
    """Apply reviewed, dismiss or escalate to the selected messages; dismissing more than one
    asks once first. Afterwards the page offers to undo."""
    chosen, state = _ids(ids), _review_state(action)
    if state is ReviewState.DISMISSED and len(chosen) > 1 and confirmed != "yes":
        return page(request, "confirm_dismiss.html", session=session, ids=chosen,
                    return_to=safe_next(return_to))
    done = service(request).triage.set_state(session.user, chosen, state)
    return RedirectResponse(_with_param(return_to, undo=done.batch), status_code=303)


@router.post("/queue/undo")
def undo(request: Request, session: Annotated[Session, needs(Role.ANALYST, form=True)],
         change: Annotated[str, Form()], return_to: Annotated[str, Form()] = "/queue",
         ) -> RedirectResponse:
    """Put the messages of one review change back as they were."""
    service(request).triage.undo_review(session.user, change)
    target = urlsplit(safe_next(return_to))
    query = [(k, v) for k, v in parse_qsl(target.query) if k != "undo"]
    return RedirectResponse(urlunsplit(("", "", target.path, urlencode(query), "")),
                            status_code=303)


@router.get("/queue/recent", response_class=HTMLResponse)
def recent(request: Request, session: Annotated[Session, needs(Role.VIEWER)],
           mine: str = "") -> HTMLResponse:
    """Review changes made lately, newest first, each with Undo."""
    changes = service(request).triage.recent_changes(
        limit=50, actor=session.user.username if mine else "")
    return page(request, "recent.html", session=session, changes=changes, mine=bool(mine))


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def message(request: Request, message_id: int,
            session: Annotated[Session, needs(Role.VIEWER)]) -> HTMLResponse:
    """One message with its reasons highlighted in the text."""
    found = service(request).triage.message(message_id, viewer=session.user)
    suggested = suggested_severity(found.flags, found.sender.risk_level.value)
    title = f"{' and '.join(f.replace('_', ' ') for f in found.flags[:2]) or 'Message'} from "\
        f"{found.sender.label} on {found.created_at:%Y-%m-%d}"
    return page(request, "message.html", session=session, m=found,
                toast=_toast(request, session), return_to=f"/messages/{message_id}",
                versions=service(request).triage.versions(message_id),
                severities=list(Severity), suggested=suggested,
                incident_title=(title[:1].upper() + title[1:])[:300])


@router.post("/messages/{message_id}/state")
def message_state(request: Request, message_id: int,
                  session: Annotated[Session, needs(Role.ANALYST, form=True)],
                  action: Annotated[str, Form()]) -> RedirectResponse:
    """Change one message's review state; the page then offers to undo."""
    done = service(request).triage.set_state(session.user, [message_id], _review_state(action))
    return RedirectResponse(f"/messages/{message_id}?undo={done.batch}", status_code=303)


@router.get("/messages/{message_id}/raw")
def message_raw(request: Request, message_id: int,
                session: Annotated[Session, needs(Role.ANALYST)]) -> Response:
    """The original record, byte for byte, as a download (the download is audit-logged)."""
    raw = service(request).triage.raw_payload(session.user, message_id)
    name = service(request).triage.original_file_name(message_id)
    return Response(raw, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/senders", response_class=HTMLResponse)
def senders(request: Request, session: Annotated[Session, needs(Role.VIEWER)],
            q: str = "", merge_into: Annotated[int | None, Query(alias="for")] = None,
            ) -> HTMLResponse:
    """Find senders by name, handle, email, platform id or number; with ``for``, to choose
    the identity to merge into that sender."""
    svc = service(request)
    target = svc.triage.sender_view(merge_into, limit=0).sender if merge_into else None
    found = svc.triage.search_senders(q) if q.strip() else []
    if target is not None:
        found = [s for s in found if s.group_id != target.group_id]
    return page(request, "senders.html", session=session, q=q, found=found, target=target)


@router.get("/senders/{sender_id}", response_class=HTMLResponse)
def sender(request: Request, sender_id: int,
           session: Annotated[Session, needs(Role.VIEWER)],
           merged: Annotated[int | None, Query()] = None, before: str = "") -> HTMLResponse:
    """A sender's risk, identities, timeline across channels (a page at a time, older from
    ``before``), and who may be the same person."""
    svc = service(request)
    view = svc.triage.sender_view(sender_id, viewer=session.user, before=_before(before))
    merge = svc.triage.sender_merge(merged) if merged else None
    if merge is not None and (merge.undone or merge.actor != session.user.username):
        merge = None
    return page(request, "sender.html", session=session, view=view, merge=merge,
                suggestions=svc.triage.suggested_matches(sender_id))


@router.post("/senders/{sender_id}/block")
def block(request: Request, sender_id: int,
          session: Annotated[Session, needs(Role.ANALYST, form=True)],
          blocked: Annotated[str, Form()]) -> RedirectResponse:
    """Record that the office blocked (or unblocked) this sender on the platform."""
    service(request).triage.block_sender(session.user, sender_id, blocked=blocked == "yes")
    return RedirectResponse(f"/senders/{sender_id}", status_code=303)


@router.get("/senders/{sender_id}/merge", response_class=HTMLResponse)
def merge_confirm(request: Request, sender_id: int,
                  session: Annotated[Session, needs(Role.ANALYST)],
                  other: int) -> HTMLResponse:
    """What merging two senders will do, to confirm."""
    svc = service(request)
    keep, join = (svc.triage.sender_view(i, limit=5, viewer=session.user)
                  for i in (sender_id, other))
    if keep.sender.group_id == join.sender.group_id:
        raise InvalidInputError("these two are already the same person")
    why = next((m.reasons for s, m in svc.triage.suggested_matches(sender_id)
                if m.group_id == join.sender.group_id), ())
    return page(request, "merge.html", session=session, keep=keep, join=join, why=why)


@router.post("/senders/{sender_id}/merge")
def merge(request: Request, sender_id: int,
          session: Annotated[Session, needs(Role.ANALYST, form=True)],
          other: Annotated[int, Form()]) -> RedirectResponse:
    """Record that another platform identity is the same person as this sender."""
    done = service(request).triage.merge_senders(session.user, sender_id, other)
    return RedirectResponse(f"/senders/{sender_id}?merged={done.id}", status_code=303)


@router.post("/senders/merges/{merge_id}/undo")
def unmerge(request: Request, merge_id: int,
            session: Annotated[Session, needs(Role.ANALYST, form=True)],
            back: Annotated[int, Form()]) -> RedirectResponse:
    """Separate the identities a merge joined."""
    service(request).triage.undo_merge(session.user, merge_id)
    return RedirectResponse(f"/senders/{back}", status_code=303)


__all__ = ["current_session", "router"]


def _review_state(action: str) -> ReviewState:
    """The review state a form's action button names."""
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}")
    return ACTIONS[action]
