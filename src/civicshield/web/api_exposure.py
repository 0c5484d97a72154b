"""The exposure part of /api/v1 (admin tokens only): scans of web addresses, findings, broker
results, removal requests and their states, and the overdue list."""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from civicshield.domain.exposure import ExposureFinding, RemovalRequest, RequestState
from civicshield.exposure.crawl import CrawlLimits
from civicshield.web.api_auth import Caller, _svc


class ScanIn(BaseModel):
    """Web addresses to scan; ``crawl`` follows links on the same site."""

    urls: list[str] = Field(min_length=1, max_length=50)
    crawl: bool = False
    depth: int = Field(default=2, ge=0, le=5)
    max_pages: int = Field(default=100, ge=1, le=1000)
    official: bool = False
    principal: str | None = None


class ScanOut(BaseModel):
    """What a scan did."""

    scan_id: int
    documents: int
    new_findings: int
    seen_again: int
    errors: list[str]


class ExposureFindingOut(BaseModel):
    """One place where private data is exposed (``context`` holds the data itself)."""

    id: int
    location: str
    kind: str
    detail: str
    confidence: float
    why: str
    context: str
    page_sha256: str
    first_seen: datetime
    last_seen: datetime
    status: str


class BrokerCheckIn(BaseModel):
    """Whether the principal is listed on a catalogue site."""

    status: str = Field(pattern="^(found|not_found|unchecked)$")
    listing_url: str = ""
    principal: str | None = None


class DraftIn(BaseModel):
    """A request to draft: for one finding or one broker site."""

    finding_id: int | None = None
    broker_id: str | None = None
    basis: str | None = None
    agent: str = Field(default="", max_length=200)
    principal: str | None = None


class StateIn(BaseModel):
    """A request's next state; ``at`` defaults to now."""

    state: RequestState
    note: str = Field(default="", max_length=2000)
    at: datetime | None = None


class RequestOut(BaseModel):
    """A removal request (``body`` is the letter)."""

    id: int
    addressee: str
    basis: str
    kind: str
    location: str
    state: str
    subject: str
    body: str
    email_to: str
    sent_at: datetime | None
    due_at: datetime | None
    overdue: bool


def _finding(f: ExposureFinding) -> ExposureFindingOut:
    return ExposureFindingOut(id=f.id, location=f.location, kind=f.kind, detail=f.detail,
                              confidence=f.confidence, why=f.why, context=f.context,
                              page_sha256=f.page_sha256, first_seen=f.first_seen,
                              last_seen=f.last_seen, status=f.status.value)


def _request(r: RemovalRequest) -> RequestOut:
    return RequestOut(id=r.id, addressee=r.addressee, basis=r.basis, kind=r.kind,
                      location=r.location, state=r.state.value, subject=r.subject, body=r.body,
                      email_to=r.email_to, sent_at=r.sent_at, due_at=r.due_at,
                      overdue=r.overdue(datetime.now(r.created_at.tzinfo)))


def add_exposure_routes(api: FastAPI) -> None:
    """Register the exposure endpoints on the /api/v1 application."""
    service = _svc

    @api.post("/exposure/scans", response_model=ScanOut, status_code=201)
    def scan(request: Request, user: Caller, body: ScanIn) -> ScanOut:
        """Scan web addresses now (a crawl waits a second between pages)."""
        limits = CrawlLimits(depth=body.depth, max_pages=body.max_pages) if body.crawl else None
        done = service(request).exposure.scan(user, body.urls, limits=limits,
                                              official=body.official, principal=body.principal)
        return ScanOut(scan_id=done.scan_id, documents=done.documents,
                       new_findings=done.new_findings, seen_again=done.seen_again,
                       errors=list(done.errors))

    @api.get("/exposure/findings", response_model=list[ExposureFindingOut])
    def findings(request: Request, user: Caller, status: str | None = None,
                 principal: str | None = None) -> list[ExposureFindingOut]:
        """Findings, most certain first (the read is audit-logged)."""
        return [_finding(f) for f in service(request).exposure.findings(
            user, status=status, principal=principal)]

    @api.put("/exposure/brokers/{broker_id}", status_code=204)
    def broker(request: Request, user: Caller, broker_id: str, body: BrokerCheckIn) -> None:
        """Record whether the principal is listed on a site."""
        service(request).exposure.mark_broker(user, broker_id, body.status,
                                              listing_url=body.listing_url,
                                              principal=body.principal)

    @api.post("/exposure/requests", response_model=RequestOut, status_code=201)
    def draft(request: Request, user: Caller, body: DraftIn) -> RequestOut:
        """Draft the request that fits the principal's state and office."""
        return _request(service(request).exposure.draft(
            user, finding_id=body.finding_id, broker_id=body.broker_id, basis_id=body.basis,
            agent=body.agent, principal=body.principal))

    @api.get("/exposure/requests", response_model=list[RequestOut])
    def requests(request: Request, user: Caller, *, overdue: bool = False) -> list[RequestOut]:
        """Removal requests, soonest due first; ``overdue=true`` for the late ones."""
        return [_request(r) for r in service(request).exposure.requests(user, overdue=overdue)]

    @api.post("/exposure/requests/{request_id}/state", response_model=RequestOut)
    def state(request: Request, user: Caller, request_id: int, body: StateIn) -> RequestOut:
        """Move a request on (sent starts the clock)."""
        return _request(service(request).exposure.mark(user, request_id, body.state,
                                                       note=body.note, when=body.at))
