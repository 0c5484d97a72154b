"""The exposure part of the service: the protected profile, scans, findings, broker checks,
removal requests with due dates, re-checks and the exposure report.

Everything here handles the protected person's private data, so every action needs the admin
role and every view of that data is written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from civicshield.detectors.identifiers import IdentifierMatcher
from civicshield.domain.access import require
from civicshield.domain.brokers import Broker, catalogue
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.exposure import (
    REMOVABLE,
    WAITING,
    BrokerCheck,
    ExposureFinding,
    FindingStatus,
    RemovalRequest,
    RequestState,
    Scan,
    check_transition,
    due_date,
    match_key,
)
from civicshield.domain.laws import Basis, bases_for, basis, statutes
from civicshield.domain.models import Principal, Role, User
from civicshield.domain.profile import ProtectedProfile
from civicshield.exposure.crawl import (
    CrawlLimits,
    FetchError,
    Page,
    crawl,
    fetch_page,
    make_client,
)
from civicshield.exposure.extract import SUPPORTED, Extracted, ExtractError, extract, kind_of
from civicshield.exposure.scanner import Hit, content_hash, hits, matcher_for
from civicshield.reports.removal import (
    LetterFacts,
    email_draft,
    letter,
    placeholders,
    subject,
)
from civicshield.services.context import ServiceContext, resolve_principal
from civicshield.storage.repository import SqlRepository

#: Re-checks skip requests checked more recently than this.
RECHECK_AFTER = timedelta(days=7)
#: Demands that lapse this soon are listed for renewal.
RENEW_WITHIN = timedelta(days=60)
_BROKER_STATUSES = ("unchecked", "found", "not_found")


@dataclass(frozen=True)
class ScanReport:
    """What a scan did."""

    scan_id: int
    documents: int
    new_findings: int
    seen_again: int
    errors: tuple[str, ...]
    ocr_pages: int = 0


@dataclass
class RecheckReport:
    """What a re-check found."""

    checked: int = 0
    still_gone: int = 0
    relisted: list[int] = field(default_factory=list)
    now_removed: list[int] = field(default_factory=list)
    still_there: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FindingView:
    """A finding with its requests and the laws a request could cite."""

    finding: ExposureFinding
    requests: list[RemovalRequest]
    bases: list[Basis]
    addressee: str
    addressee_kind: str



class Exposure:
    """Find the protected person's data, get it removed, keep it removed."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.clock = context.clock
        self.catalogue = catalogue()
        self.statutes = statutes()

    # ---- the protected profile -------------------------------------------------------------
    def profile(self, actor: User, slug: str | None = None) -> tuple[Principal, ProtectedProfile]:
        """The protected profile, for admins only; the view is audit-logged."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            principal = resolve_principal(repo, slug)
            repo.audit(actor.username, "profile.viewed", f"principal:{principal.id}")
            return principal, repo.profile(principal.id) or ProtectedProfile()

    # ---- scanning ----------------------------------------------------------------------------
    def scan(self, actor: User, targets: Sequence[str], *, principal: str | None = None,
             limits: CrawlLimits | None = None,
             official: bool = False, client: httpx.Client | None = None,
             progress: Callable[[str], None] | None = None,
             local_files: bool = False) -> ScanReport:
        """Scan web addresses (and, with ``local_files``, which only the command line passes,
        files and folders on this machine) for the profile's identifiers; with ``limits`` web
        addresses are crawled (same site, robots.txt obeyed). Findings are stored together at
        the end: a scan that fails part-way stores nothing."""
        require(actor, Role.ADMIN)
        if not targets:
            raise InvalidInputError("name at least one file, folder or web address to scan")
        _check_targets(targets, local_files=local_files)
        who, matcher = self._scan_setup(principal)
        errors: list[str] = []
        http = client or self._client()
        try:
            return self._run(actor, who, matcher, targets,
                             self._documents(targets, limits, errors, http), errors,
                             official=official, progress=progress)
        finally:
            if client is None:
                http.close()

    def scan_uploads(self, actor: User, files: Sequence[tuple[str, bytes]], *,
                     principal: str | None = None, official: bool = False) -> ScanReport:
        """Scan files sent through the dashboard (kept only as findings, never stored)."""
        require(actor, Role.ADMIN)
        who, matcher = self._scan_setup(principal)
        readable = [(n, c) for n, c in files if kind_of(n)]
        errors = ([f"{len(files) - len(readable)} file(s) of other kinds left out (images, "
                   "archives, media)"] if len(readable) < len(files) else [])
        return self._run(actor, who, matcher, [f"upload:{n}" for n, _ in readable],
                         _uploaded(readable, errors), errors, official=official)

    def _client(self) -> httpx.Client:
        """The scanner's HTTP client: public addresses only, and the hosts admins allowed."""
        return make_client(frozenset(self.context.settings.exposure_allowed_hosts))

    def _scan_setup(self, principal: str | None) -> tuple[Principal, IdentifierMatcher]:
        """The principal and the matcher for their profile; a plain error if there is none."""
        with self.context.transaction() as repo:
            who = resolve_principal(repo, principal)
            profile = repo.profile(who.id)
        if profile is None or profile.is_empty():
            raise InvalidInputError(f"{who.display_name} has no protected profile to look for "
                                    "yet: add one first (Exposure → Protected profile)")
        return who, matcher_for(profile)

    def _run(self, actor: User, who: Principal, matcher: IdentifierMatcher,
             targets: Sequence[str], documents: Iterator[tuple[Extracted, str]],
             errors: list[str], *, official: bool,
             progress: Callable[[str], None] | None = None) -> ScanReport:
        """Read every document, then store all findings in one transaction."""
        found: list[Hit] = []
        count = ocr = 0
        for doc, sha in documents:
            count += 1
            ocr += doc.ocr_pages
            found += hits(matcher, doc, sha, official=official)
            if doc.unread_pages:
                errors.append(_unread(doc))
            errors += doc.limits
            if progress:
                progress(f"{count} document(s) read, {len(found)} exposure(s) so far")
        return self._store_scan(actor, who, targets, found, count, errors, ocr)

    def set_profile(self, actor: User, profile: ProtectedProfile, *,
                    principal: str | None = None) -> None:
        """Replace the protected profile (admins only, audit-logged)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            who = resolve_principal(repo, principal)
            repo.set_profile(who.id, profile)
            repo.audit(actor.username, "profile.updated", f"principal:{who.id}")

    def _documents(self, targets: Sequence[str], limits: CrawlLimits | None,
                   errors: list[str], client: httpx.Client) -> Iterator[tuple[Extracted, str]]:
        """Documents to scan; web addresses are crawled when ``limits`` are given."""
        for target in targets:
            if target.startswith(("http://", "https://")):
                pages = (crawl(client, target, limits, errors.append) if limits
                         else _single(client, target, errors))
                for page in pages:
                    yield page.extracted, content_hash(page.content)
                continue
            path = Path(target)
            if not path.exists():
                errors.append(f"{target}: no such file or folder")
                continue
            for file in _files(path):
                try:
                    content = file.read_bytes()
                    yield extract(str(file), content), content_hash(content)
                except (ExtractError, OSError) as exc:
                    errors.append(str(exc) if isinstance(exc, ExtractError)
                                  else f"{file}: cannot be read ({exc.strerror})")

    def _store_scan(self, actor: User, who: Principal, targets: Sequence[str],
                    found: list[Hit], documents: int, errors: list[str],
                    ocr: int) -> ScanReport:
        now = self.clock()
        new = again = 0
        with self.context.transaction(write=True) as repo:
            scan_id = repo.exposure.start_scan(who.id, actor.username, targets, now)
            for hit in found:
                key = match_key(who.id, hit.location, hit.kind, hit.matched)
                finding_id, before = repo.exposure.record_finding(who.id, scan_id, key,
                                                                  vars(hit), now)
                new, again = new + (before is None), again + (before is not None)
                if before == FindingStatus.REMOVED:
                    _relist_requests(repo, finding_id, actor, now)
            repo.exposure.finish_scan(scan_id, documents, new + again, errors, self.clock())
            repo.audit(actor.username, "exposure.scanned", f"principal:{who.id}",
                       json.dumps({"scan": scan_id, "documents": documents, "new": new}))
        return ScanReport(scan_id, documents, new, again, tuple(errors), ocr)

    # ---- findings ----------------------------------------------------------------------------
    def findings(self, actor: User, *, principal: str | None = None,
                 status: str | None = None) -> list[ExposureFinding]:
        """Findings, most certain first (the view is audit-logged)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            who = resolve_principal(repo, principal)
            repo.audit(actor.username, "exposure.viewed", f"principal:{who.id}")
            return repo.exposure.findings(who.id, status=status)

    def finding(self, actor: User, finding_id: int) -> FindingView:
        """One finding with its requests and what a request could cite."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            found = repo.exposure.finding(finding_id)
            repo.audit(actor.username, "exposure.viewed", f"finding:{finding_id}")
            profile = repo.profile(found.principal_id) or ProtectedProfile()
            requests = repo.exposure.requests(finding_id=finding_id)
        name, kind = self._addressee(found)
        broker = self.catalogue.by_id.get(found.host)
        return FindingView(found, requests, self._bases(profile, found.data_kind, kind, broker),
                           name, kind)

    def dismiss(self, actor: User, finding_id: int) -> None:
        """Set a finding aside (not the person, or nothing to remove)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            repo.exposure.finding(finding_id)
            repo.exposure.set_finding_status(finding_id, FindingStatus.DISMISSED)
            repo.audit(actor.username, "exposure.dismissed", f"finding:{finding_id}")

    def scans(self, actor: User, principal: str | None = None) -> list[Scan]:
        """Recent scans."""
        require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            who = resolve_principal(repo, principal)
            return repo.exposure.scans(who.id)

    # ---- the broker catalogue -----------------------------------------------------------------
    def brokers(self, actor: User, *, principal: str | None = None,
                ) -> list[tuple[Broker, BrokerCheck | None]]:
        """Every catalogue site with what staff recorded for the principal."""
        require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            who = resolve_principal(repo, principal)
            checks = repo.exposure.broker_checks(who.id)
        return [(b, checks.get(b.id)) for b in self.catalogue]

    def relistings(self, actor: User, *, principal: str | None = None) -> dict[str, int]:
        """Per broker site, how often the principal's data came back after removal (what the
        catalogue's sources could not say, learned from this office's own re-checks)."""
        require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            who = resolve_principal(repo, principal)
            return repo.exposure.relistings_by_broker(who.id)

    def mark_broker(self, actor: User, broker_id: str, status: str, *, listing_url: str = "",
                    principal: str | None = None) -> Broker:
        """Record whether the principal was found on a site, and the listing's address."""
        require(actor, Role.ADMIN)
        broker = self.catalogue.get(broker_id)
        if status not in _BROKER_STATUSES:
            raise InvalidInputError(f"status must be one of {', '.join(_BROKER_STATUSES)}")
        listing_url = listing_url.strip()
        if listing_url and not listing_url.startswith(("https://", "http://")):
            raise InvalidInputError("the listing's address must start with https://")
        with self.context.transaction(write=True) as repo:
            who = resolve_principal(repo, principal)
            repo.exposure.set_broker_check(who.id, broker.id, status, listing_url,
                                           actor.username, self.clock())
            repo.audit(actor.username, "broker.checked", f"principal:{who.id}",
                       json.dumps({"broker": broker.id, "status": status}))
        return broker

    # ---- removal requests ---------------------------------------------------------------------
    def draft(self, actor: User, *, finding_id: int | None = None, broker_id: str | None = None,
              basis_id: str | None = None, principal: str | None = None,
              agent: str = "") -> RemovalRequest:
        """Draft the request that fits the principal's state and office: from a finding, or for a
        catalogue site where the principal was found. Without ``basis_id`` the best fit is used."""
        require(actor, Role.ADMIN)
        if (finding_id is None) == (broker_id is None):
            raise InvalidInputError("draft a request for one finding or one broker site")
        now = self.clock()
        with self.context.transaction(write=True) as repo:
            if finding_id is not None:
                found = repo.exposure.finding(finding_id)
                who = next(p for p in repo.principals() if p.id == found.principal_id)
                profile = repo.profile(who.id) or ProtectedProfile()
                addressee, addressee_kind = self._addressee(found)
                broker = self.catalogue.by_id.get(found.host)
                kind, location = found.data_kind, found.location
                data: tuple[str, ...] = (found.matched,)
            else:
                broker = self.catalogue.get(broker_id or "")
                who = resolve_principal(repo, principal)
                profile = repo.profile(who.id) or ProtectedProfile()
                check = repo.exposure.broker_checks(who.id).get(broker.id)
                addressee, addressee_kind = broker.name, "broker"
                kind = "home_address"
                data = tuple(x for x in (profile.name, profile.home_address, *profile.phones)
                             if x)
                location = (check.listing_url if check and check.listing_url
                            else f"https://{broker.domain}/")
            options = self._bases(profile, kind, addressee_kind, broker)
            chosen = (basis(basis_id, self.statutes) if basis_id else options[0])
            if chosen.kind not in {b.kind for b in options}:
                raise InvalidInputError(f"{chosen.label} does not fit this request; choose one "
                                        f"of: {', '.join(b.kind for b in options)}")
            facts = LetterFacts(
                official_name=profile.name or who.display_name, office=who.title,
                role=profile.role, basis=chosen, kind=kind, data=data,
                locations=(location if location.startswith(("http://", "https://"))
                           else Path(location.removeprefix("upload:")).name,),
                addressee=addressee, date=now, agent=agent.strip(), broker=broker)
            values = {"principal_id": who.id, "finding_id": finding_id,
                      "broker_id": broker.id if broker else "", "addressee": addressee[:300],
                      "addressee_kind": addressee_kind, "location": location,
                      "basis": chosen.kind, "kind": kind,
                      "email_to": broker.optout_email if broker else ""}
            request_id = repo.exposure.add_request(values, subject(facts), letter(facts),
                                                   actor.username, now)
            if finding_id is not None:
                repo.exposure.set_finding_status(finding_id, FindingStatus.REQUESTED)
            repo.audit(actor.username, "request.drafted", f"request:{request_id}",
                       json.dumps({"basis": chosen.kind}))
            return repo.exposure.request(request_id)

    def request(self, actor: User, request_id: int) -> RemovalRequest:
        """One request with its history (the view is audit-logged)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            repo.audit(actor.username, "request.viewed", f"request:{request_id}")
            return repo.exposure.request(request_id)

    def letter_file(self, actor: User, request_id: int, fmt: str) -> tuple[str, bytes, str]:
        """The request as a download: (file name, bytes, media type) for txt, pdf or eml."""
        from civicshield.reports.pdf import letter_pdf

        request = self.request(actor, request_id)
        name = f"removal-request-{request.id}.{fmt}"
        if fmt == "txt":
            return name, request.body.encode("utf-8"), "text/plain; charset=utf-8"
        if fmt == "pdf":
            return name, letter_pdf(request.subject, request.body), "application/pdf"
        if fmt == "eml":
            draft = email_draft(request.email_to, request.subject, request.body, self.clock())
            return name, draft, "message/rfc822"
        raise InvalidInputError("a letter can be saved as txt, pdf or eml")

    def basis_of(self, request: RemovalRequest) -> Basis:
        """What a stored request relies on (for its unverified flag)."""
        return basis(request.basis, self.statutes)

    def edit(self, actor: User, request_id: int, *, subject_line: str, body: str,
             email_to: str | None = None) -> None:
        """Change a request's letter before it is sent."""
        require(actor, Role.ADMIN)
        if not body.strip() or len(body) > 50_000 or len(subject_line) > 300:
            raise InvalidInputError("a letter needs a body (at most 50,000 characters) and a "
                                    "subject (at most 300)")
        with self.context.transaction(write=True) as repo:
            extra = {"email_to": email_to.strip()[:300]} if email_to is not None else {}
            repo.exposure.update_request(request_id, self.clock(), subject=subject_line.strip(),
                                         body=body, **extra)
            repo.audit(actor.username, "request.edited", f"request:{request_id}")

    def mark(self, actor: User, request_id: int, state: RequestState, *, note: str = "",
             when: datetime | None = None) -> RemovalRequest:
        """Move a request on: sent (starts the clock), acknowledged, removed, refused,
        re-listed."""
        require(actor, Role.ADMIN)
        at = when or self.clock()
        with self.context.transaction(write=True) as repo:
            current = repo.exposure.request(request_id)
            self._check_move(current, state)
            values = self._dates_for(current, state, at)
            repo.exposure.update_request(request_id, self.clock(), state=state, **values)
            repo.exposure.add_event(request_id, state, actor.username, note[:2000], at)
            if current.finding_id is not None:
                repo.exposure.set_finding_status(current.finding_id, _finding_status(state))
            repo.audit(actor.username, f"request.{state.value}", f"request:{request_id}")
            return repo.exposure.request(request_id)

    def _check_move(self, current: RemovalRequest, state: RequestState) -> None:
        if not check_transition(current.state, state):
            raise InvalidInputError(f"a request that is {current.state.value} cannot become "
                                    f"{state.value}")
        missing = placeholders(current.body)
        if state == RequestState.SENT and missing:
            raise InvalidInputError("the letter still has parts to fill in before it is sent: "
                                    + ", ".join(missing))

    def _dates_for(self, current: RemovalRequest, state: RequestState,
                   at: datetime) -> dict[str, Any]:
        if state != RequestState.SENT:
            return {}
        chosen = basis(current.basis, self.statutes)
        broker = self.catalogue.by_id.get(current.broker_id)
        fallback = broker.processing_days if broker else None
        deadline = chosen.statute.deadline if chosen.statute else None
        return {"sent_at": at, "due_at": due_date(at, deadline, fallback)}

    def requests(self, actor: User, *, overdue: bool = False,
                 principal: str | None = None) -> list[RemovalRequest]:
        """Requests, soonest due first; ``overdue`` keeps those past due and unanswered."""
        require(actor, Role.ADMIN)
        now = self.clock()
        with self.context.transaction() as repo:
            who = resolve_principal(repo, principal) if principal else None
            found = repo.exposure.requests(who.id if who else None,
                                           states=WAITING if overdue else (),
                                           due_before=now if overdue else None)
        return [r for r in found if r.overdue(now)] if overdue else found

    def renewals(self, actor: User, *, within: timedelta = RENEW_WITHIN,
                 ) -> list[tuple[RemovalRequest, datetime]]:
        """Demands that lapse within ``within`` (California's last 4 years), with the date they
        lapse: send them again before then."""
        require(actor, Role.ADMIN)
        horizon = self.clock() + within
        with self.context.transaction(write=True) as repo:
            sent = repo.exposure.requests(states=(RequestState.SENT, RequestState.ACKNOWLEDGED,
                                                  RequestState.REMOVED))
        out = []
        for request in sent:
            lapses = self.lapses(request)
            if lapses is not None and lapses <= horizon:
                out.append((request, lapses))
        return sorted(out, key=lambda pair: pair[1])

    def lapses(self, request: RemovalRequest) -> datetime | None:
        """When a sent demand stops being in force, for laws that limit it (else None)."""
        statute = basis(request.basis, self.statutes).statute
        if request.sent_at is None or statute is None or not statute.validity_years:
            return None
        years = statute.validity_years
        try:
            return request.sent_at.replace(year=request.sent_at.year + years)
        except ValueError:  # 29 February
            return request.sent_at.replace(year=request.sent_at.year + years, day=28)

    # ---- re-checks ------------------------------------------------------------------------------
    def recheck(self, actor: User, *, older_than: timedelta = RECHECK_AFTER,
                client: httpx.Client | None = None, local_files: bool = False) -> RecheckReport:
        """Look again at every place a request was sent about: mark re-listings of removed
        data, and removals nobody recorded. Meant to run on a schedule. Files on this machine
        are looked at again only with ``local_files`` (the command line)."""
        require(actor, Role.ADMIN)
        report = RecheckReport()
        now = self.clock()
        with self.context.transaction(write=True) as repo:
            due = [r for r in repo.exposure.requests(states=(*WAITING, RequestState.REMOVED))
                   if (r.last_checked is None or r.last_checked < now - older_than)
                   and not r.location.startswith("upload:")  # an upload cannot be fetched
                   and (local_files or r.location.startswith(("http://", "https://")))]
            profiles = {p.id: repo.profile(p.id) for p in repo.principals()}
        http = client or self._client()
        try:
            for request in due:
                profile = profiles.get(request.principal_id)
                if profile is None:
                    continue
                present = self._still_shown(http, request, profile, report)
                if present is not None:
                    self._record_check(actor, request, present=present, report=report)
        finally:
            if client is None:
                http.close()
        return report

    def _still_shown(self, client: httpx.Client, request: RemovalRequest,
                     profile: ProtectedProfile, report: RecheckReport) -> bool | None:
        """Whether the data is still at the request's address (None: could not tell)."""
        report.checked += 1
        try:
            if request.location.startswith(("http://", "https://")):
                page = fetch_page(client, request.location)
                doc, sha = page.extracted, content_hash(page.content)
            else:
                content = Path(request.location).read_bytes()
                doc, sha = extract(request.location, content), content_hash(content)
        except FetchError as exc:
            if " answered 404" in str(exc) or " answered 410" in str(exc):
                return False
            report.errors.append(str(exc))
            return None
        except (ExtractError, OSError) as exc:
            report.errors.append(str(exc) if isinstance(exc, ExtractError) else
                                 f"{request.location}: cannot be read again ({exc.strerror})")
            return None
        kinds = {h.detail or h.kind for h in hits(matcher_for(profile), doc, sha)}
        if request.broker_id and not request.finding_id:
            return bool(kinds & set(REMOVABLE))
        return request.kind in kinds

    def _record_check(self, actor: User, request: RemovalRequest, *, present: bool,
                      report: RecheckReport) -> None:
        now = self.clock()
        new_state: RequestState | None = None
        if present and request.state == RequestState.REMOVED:
            new_state, note = RequestState.RELISTED, "re-check: the data is back"
            report.relisted.append(request.id)
        elif not present and request.state in WAITING:
            new_state, note = RequestState.REMOVED, "re-check: the data is no longer shown"
            report.now_removed.append(request.id)
        elif present:
            report.still_there.append(request.id)
        else:
            report.still_gone += 1
        with self.context.transaction(write=True) as repo:
            repo.exposure.update_request(request.id, now, last_checked=now,
                                         **({"state": new_state} if new_state else {}))
            if new_state is not None:
                repo.exposure.add_event(request.id, new_state, actor.username, note, now)
                if request.finding_id is not None:
                    repo.exposure.set_finding_status(request.finding_id,
                                                     _finding_status(new_state))
                repo.audit(actor.username, f"request.{new_state.value}",
                           f"request:{request.id}", note)

    # ---- the report -----------------------------------------------------------------------------
    def report(self, actor: User, target: Path, *, principal: str | None = None) -> Path:
        """The exposure report (PDF): findings and requests over time, what is overdue, broker
        checks. It names kinds and places, never the private values themselves."""
        from civicshield.reports.exposure_report import ExposureSummary, render_exposure_report

        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            who = resolve_principal(repo, principal)
            summary = ExposureSummary(
                principal=who, findings=repo.exposure.findings(who.id, limit=100_000),
                requests=repo.exposure.requests(who.id),
                events=[e for _, e in repo.exposure.request_events(who.id)],
                checks=list(repo.exposure.broker_checks(who.id).values()),
                catalogue_size=len(self.catalogue), now=self.clock())
            repo.audit(actor.username, "exposure.reported", f"principal:{who.id}")
        target.write_bytes(render_exposure_report(summary))
        return target

    # ---- helpers ------------------------------------------------------------------------
    def _addressee(self, found: ExposureFinding) -> tuple[str, str]:
        """Who a request about this finding goes to, and what kind of addressee it is."""
        if not found.is_url:
            return f"The publisher of {Path(found.location).name}", "agency"
        broker = self.catalogue.by_id.get(found.host)
        if broker:
            return broker.name, "broker"
        if found.host.endswith((".gov", ".us")) or found.kind == "separation":
            return f"The office that runs {found.host}", "agency"
        return f"The operator of {found.host}", "business"

    def _bases(self, profile: ProtectedProfile, kind: str, addressee_kind: str,
               broker: Broker | None) -> list[Basis]:
        options = bases_for(profile.state, profile.role or "other", kind, addressee_kind,
                            broker_has_optout=broker is not None, table=self.statutes)
        if broker is not None and not broker.ca_registered:  # DROP reaches registered ones only
            options = [b for b in options if b.kind != "ca-drop"]
        return options


def _check_targets(targets: Sequence[str], *, local_files: bool) -> None:
    """Web addresses only, unless local files were allowed (the command line)."""
    for target in targets:
        if target.startswith(("http://", "https://")):
            continue
        if local_files:
            continue
        raise InvalidInputError(f"{target[:200]}: only web addresses (http:// or https://) can "
                                "be scanned from here; scan files on this machine with "
                                "`civicshield exposure scan` or upload them")


def _single(client: httpx.Client, url: str, errors: list[str]) -> Iterator[Page]:
    try:
        yield fetch_page(client, url)
    except FetchError as exc:
        errors.append(str(exc))


def _relist_requests(repo: SqlRepository, finding_id: int, actor: User,
                     now: datetime) -> None:
    """A scan found removed data again: its removed requests become re-listed (and due again)."""
    for request in repo.exposure.requests(finding_id=finding_id, states=(RequestState.REMOVED,)):
        repo.exposure.update_request(request.id, now, state=RequestState.RELISTED)
        repo.exposure.add_event(request.id, RequestState.RELISTED, actor.username,
                                "a scan found the data again", now)


def _uploaded(files: Sequence[tuple[str, bytes]],
              errors: list[str]) -> Iterator[tuple[Extracted, str]]:
    for name, content in files:
        try:
            yield extract(f"upload:{name}", content), content_hash(content)
        except ExtractError as exc:
            errors.append(str(exc))


def _unread(doc: Extracted) -> str:
    return (f"{doc.location}: {doc.unread_pages} scanned page(s) not read; install tesseract "
            "(apt-get install tesseract-ocr) to read them")


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for file in sorted(path.rglob("*")):
        if file.is_file() and file.suffix.lower() in SUPPORTED:
            yield file


def _finding_status(state: RequestState) -> FindingStatus:
    return {RequestState.REMOVED: FindingStatus.REMOVED,
            RequestState.RELISTED: FindingStatus.RELISTED}.get(state, FindingStatus.REQUESTED)

