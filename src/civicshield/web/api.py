"""The JSON API, version 1: import files and work the triage queue with a bearer token.

Tokens come from `civicshield users token NAME`. The API never reads session cookies, so a
browser cannot be tricked into calling it. The OpenAPI description is at /api/v1/openapi.json.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel, Field

from civicshield.domain.access import require
from civicshield.domain.detection import LABELS
from civicshield.domain.models import ChannelKind, ReviewState, Role, StoredMessage
from civicshield.domain.ports import QueueFilter
from civicshield.domain.search import parse_search
from civicshield.services.triage import count_cap, cursor_text, parse_cursor
from civicshield.web.api_alerts import add_alert_routes
from civicshield.web.api_auth import Caller, _svc
from civicshield.web.api_exposure import add_exposure_routes
from civicshield.web.api_incidents import add_incident_routes


class FindingOut(BaseModel):
    """One detector's reason."""

    label: str
    score: float
    detector: str
    version: str
    span: tuple[int, int] | None
    why: str


class SenderOut(BaseModel):
    """A sender as the queue shows it."""

    id: int
    group_id: int
    platform: str
    handle: str
    display_name: str
    risk_level: str
    risk_score: float
    risk_signals: list[str]


class MessageOut(BaseModel):
    """A message in the queue."""

    id: int
    platform: str
    channel: str
    kind: str
    created_at: datetime
    sender: SenderOut
    subject: str
    text: str
    url: str
    priority: float
    rank: float
    flags: list[str]
    review_state: str
    raw_sha256: str
    findings: list[FindingOut] = Field(default_factory=list)


class QueueOut(BaseModel):
    """A page of the queue: ``total`` counts up to 10,000 (10,001 means more); ``next`` is the
    ``after`` value for the next page (empty on the last)."""

    total: int
    items: list[MessageOut]
    next: str = ""


class ReviewIn(BaseModel):
    """A review action on several messages."""

    ids: list[int] = Field(min_length=1, max_length=1000)
    state: ReviewState


class ReviewOut(BaseModel):
    """How many messages changed, and the change's id to undo it with."""

    changed: int
    change: str = ""


class ImportOut(BaseModel):
    """What an import did."""

    format: str
    added: int
    skipped: int
    import_id: int


class SenderDetailOut(BaseModel):
    """A sender, the identities merged with them, and their latest messages."""

    sender: SenderOut
    identities: list[SenderOut]
    timeline: list[MessageOut]


def _sender_out(s: object) -> SenderOut:
    from civicshield.domain.models import Sender

    assert isinstance(s, Sender)
    return SenderOut(id=s.id, group_id=s.group_id, platform=s.platform, handle=s.handle,
                     display_name=s.display_name, risk_level=s.risk_level.value,
                     risk_score=s.risk_score, risk_signals=list(s.risk_signals))


def _message_out(m: StoredMessage) -> MessageOut:
    return MessageOut(
        id=m.id, platform=m.platform, channel=m.channel.handle, kind=m.kind,
        created_at=m.created_at, sender=_sender_out(m.sender), subject=m.subject, text=m.text,
        url=m.url, priority=m.priority, rank=m.rank, flags=list(m.flags),
        review_state=m.review_state.value, raw_sha256=m.raw_sha256,
        findings=[FindingOut(label=f.label, score=f.score, detector=f.detector,
                             version=f.version, span=f.span, why=f.why) for f in m.findings])


def create_api() -> FastAPI:
    """The /api/v1 application."""
    api = FastAPI(title="civicshield API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Import exports and work the triage queue.")

    @api.get("/queue", response_model=QueueOut)
    def queue(request: Request, user: Caller, label: str | None = None,
              state: ReviewState | None = ReviewState.NEW, channel_id: int | None = None,
              sender_group_id: int | None = None, since: datetime | None = None,
              until: datetime | None = None, limit: int = 50, offset: int = 0,
              after: str = "", q: str = "") -> QueueOut:
        """The queue, worst first; page with ``after`` (the ``next`` of the page before)
        rather than ``offset``. ``q``: words and "quoted phrases" the text must hold
        (analysts and admins)."""
        require(user, Role.VIEWER)
        if label is not None and label not in LABELS:
            raise HTTPException(422, f"label must be one of {', '.join(LABELS)}")
        flt = QueueFilter(label=label, state=state, channel_id=channel_id,
                          sender_group_id=sender_group_id, since=since, until=until,
                          search=parse_search(q))
        size = max(1, min(limit, 500))
        items, total = _svc(request).triage.queue(flt, limit=size + 1, offset=max(0, offset),
                                                  after=parse_cursor(after), viewer=user,
                                                  cap=count_cap(flt))
        more, items = len(items) > size, items[:size]
        last = items[-1] if items and more else None
        return QueueOut(total=total, items=[_message_out(m) for m in items],
                        next=cursor_text((last.rank, last.created_at, last.id)) if last else "")

    @api.get("/messages/{message_id}", response_model=MessageOut)
    def message(request: Request, user: Caller, message_id: int) -> MessageOut:
        """One message with its findings."""
        require(user, Role.VIEWER)
        return _message_out(_svc(request).triage.message(message_id, viewer=user))

    @api.post("/messages/review", response_model=ReviewOut)
    def review(request: Request, user: Caller, body: ReviewIn) -> ReviewOut:
        """Mark messages reviewed, dismissed, escalated or new again."""
        done = _svc(request).triage.set_state(user, body.ids, body.state)
        return ReviewOut(changed=done.count, change=done.batch)

    @api.post("/messages/review/{change}/undo", response_model=ReviewOut)
    def undo_review(request: Request, user: Caller, change: str) -> ReviewOut:
        """Put the messages of a review change back as they were."""
        return ReviewOut(changed=_svc(request).triage.undo_review(user, change), change=change)

    @api.get("/senders/{sender_id}", response_model=SenderDetailOut)
    def sender(request: Request, user: Caller, sender_id: int) -> SenderDetailOut:
        """A sender with risk signals, merged identities and latest messages."""
        require(user, Role.VIEWER)
        view = _svc(request).triage.sender_view(sender_id, limit=100, viewer=user)
        return SenderDetailOut(sender=_sender_out(view.sender),
                               identities=[_sender_out(s) for s in view.group],
                               timeline=[_message_out(m) for m in view.timeline])

    @api.post("/imports", response_model=ImportOut, status_code=201)
    def import_file(request: Request, user: Caller, file: Annotated[UploadFile, File()],
                    fmt: Annotated[str | None, Form(alias="format")] = None,
                    principal: Annotated[str | None, Form()] = None,
                    account: Annotated[str, Form()] = "",
                    personal: Annotated[bool, Form()] = False,  # noqa: FBT002 - a form field
                    ) -> ImportOut:
        """Upload an export; 422 names the file, line and field of a malformed record."""
        require(user, Role.ANALYST)
        svc = _svc(request)
        name = PurePath(file.filename or "upload").name
        uploads = svc.settings.data_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=uploads) as folder:
            path = Path(folder) / name
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out, 1 << 20)
            result = svc.triage.import_file(
                user, path, principal=principal, fmt=fmt, account=account,
                kind=ChannelKind.PERSONAL if personal else ChannelKind.OFFICIAL,
                display_name=name)
        return ImportOut(format=result.fmt, added=result.added, skipped=result.skipped,
                         import_id=result.import_id)

    add_alert_routes(api)
    add_incident_routes(api)
    add_exposure_routes(api)
    return api
