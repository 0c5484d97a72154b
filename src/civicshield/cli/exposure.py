"""`civicshield exposure ...`: the protected profile, scans, broker checks, removal requests,
re-checks and the exposure report, from the terminal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.exposure import KINDS, RequestState
from civicshield.domain.laws import statutes

if TYPE_CHECKING:
    from civicshield.app import CivicShield

_PRINCIPAL = click.option("--principal", help="The protected person's short name (if several).")


@click.group()
def exposure() -> None:
    """Find the protected person's data, ask for its removal and keep it removed."""


@exposure.command("profile")
@_PRINCIPAL
@pass_ctx
def exposure_profile(ctx: _Context, principal: str | None) -> None:
    """Show the protected profile (the view is written to the audit log)."""
    import json

    who, profile = _guard(lambda: ctx.service().exposure.profile(cli_actor(), principal))
    click.echo(f"{who.display_name} ({who.slug})")
    click.echo(json.dumps(profile.as_dict(), indent=2))


@exposure.command("scan")
@click.argument("targets", nargs=-1, required=True)
@_PRINCIPAL
@click.option("--crawl", "follow", is_flag=True, help="Follow links on the same site.")
@click.option("--depth", type=int, default=2, show_default=True, help="Links deep to crawl.")
@click.option("--max-pages", type=int, default=200, show_default=True, help="Pages per site.")
@click.option("--delay", type=float, default=1.0, show_default=True,
              help="Seconds between requests (robots.txt may ask for more).")
@click.option("--official", is_flag=True,
              help="These are the official's own pages: flag private data and personal accounts "
                   "on them.")
@pass_ctx
def exposure_scan(ctx: _Context, targets: tuple[str, ...], principal: str | None, *,
                  follow: bool, depth: int, max_pages: int, delay: float,
                  official: bool) -> None:
    """Scan files, folders (PDF, HTML, DOCX, XLSX, CSV, TXT, EML) and web addresses."""
    from civicshield.exposure.crawl import CrawlLimits  # loaded by the command that crawls

    limits = CrawlLimits(depth=depth, max_pages=max_pages, delay=delay) if follow else None
    report = _guard(lambda: ctx.service().exposure.scan(
        cli_actor(), list(targets), principal=principal, limits=limits, official=official,
        progress=_every(50, lambda line: click.echo(line, err=True)), local_files=True))
    click.echo(f"Scan {report.scan_id}: {report.documents} document(s) read"
               + (f" ({report.ocr_pages} scanned page(s) read by OCR)" if report.ocr_pages else "")
               + f", {report.new_findings} new exposure(s), {report.seen_again} seen before.")
    for error in report.errors:
        click.echo(f"  not scanned: {error}", err=True)


@exposure.command("findings")
@_PRINCIPAL
@click.option("--status", type=click.Choice(["open", "requested", "removed", "relisted",
                                             "dismissed"]))
@pass_ctx
def exposure_findings(ctx: _Context, principal: str | None, status: str | None) -> None:
    """List exposures found, most certain first."""
    found = _guard(lambda: ctx.service().exposure.findings(cli_actor(), principal=principal,
                                                           status=status))
    for f in found:
        click.echo(f"#{f.id} [{f.status.value}] {KINDS.get(f.kind, f.kind)} "
                   f"({f.confidence:.2f}) at {f.location}\n    {f.context}")
    if not found:
        click.echo("No exposures found.")


@exposure.command("brokers")
@_PRINCIPAL
@click.option("--search", default="", help="Only sites whose name or domain has this text.")
@pass_ctx
def exposure_brokers(ctx: _Context, principal: str | None, search: str) -> None:
    """The data-broker catalogue with what was recorded for the principal."""
    rows = _guard(lambda: ctx.service().exposure.brokers(cli_actor(), principal=principal))
    for broker, check in rows:
        if search.lower() not in f"{broker.name} {broker.domain}".lower():
            continue
        click.echo(f"{broker.domain:32} {(check.status if check else 'unchecked'):10} "
                   f"{broker.name}; opt-out: {broker.optout_url or broker.optout_email or '-'}; "
                   f"about {broker.processing_days} days")


@exposure.command("broker-mark")
@click.argument("broker")
@click.argument("status", type=click.Choice(["found", "not_found", "unchecked"]))
@click.option("--url", default="", help="The listing's address on the site.")
@_PRINCIPAL
@pass_ctx
def exposure_broker_mark(ctx: _Context, broker: str, status: str, url: str,
                         principal: str | None) -> None:
    """Record whether the principal was found on a site (by its domain)."""
    site = _guard(lambda: ctx.service().exposure.mark_broker(
        cli_actor(), broker, status, listing_url=url, principal=principal))
    click.echo(f"{site.name}: {status.replace('_', ' ')}")


@exposure.command("draft")
@click.option("--finding", "finding_id", type=int, help="A finding's number.")
@click.option("--broker", "broker_id", help="A catalogue site's domain.")
@click.option("--basis", "basis_id", help="A statute id (see `exposure laws`), broker-optout or "
                                          "general; the best fit when left out.")
@click.option("--agent", default="", help="Send as the official's agent, such as the city.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the letter (.txt, .pdf or .eml).")
@_PRINCIPAL
@pass_ctx
def exposure_draft(ctx: _Context, finding_id: int | None, broker_id: str | None,
                   basis_id: str | None, agent: str, out: Path | None,
                   principal: str | None) -> None:
    """Draft a removal request that cites the law fitting the principal's state and office."""
    service = ctx.service()
    request = _guard(lambda: service.exposure.draft(
        cli_actor(), finding_id=finding_id, broker_id=broker_id, basis_id=basis_id,
        principal=principal, agent=agent))
    chosen = service.exposure.basis_of(request)
    click.echo(f"Drafted request {request.id} to {request.addressee}: {chosen.label}")
    if chosen.statute and chosen.statute.unverified:
        click.echo(f"  check this citation before sending: {chosen.statute.verify_note}")
    click.echo(f"\n{request.body}")
    if out:
        _save_letter(service, request.id, out)


@exposure.command("letter")
@click.argument("request_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def exposure_letter(ctx: _Context, request_id: int, out: Path) -> None:
    """Save a request's letter as .txt, .pdf or an unsent email (.eml)."""
    _save_letter(ctx.service(), request_id, out)


def _save_letter(service: CivicShield, request_id: int, out: Path) -> None:
    _, content, _ = _guard(lambda: service.exposure.letter_file(
        cli_actor(), request_id, out.suffix.lstrip(".").lower()))
    out.write_bytes(content)
    click.echo(f"Wrote {out}")


@exposure.command("edit")
@click.argument("request_id", type=int)
@click.argument("body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--subject", help="A new subject line.")
@click.option("--email-to", help="The address an email draft goes to.")
@pass_ctx
def exposure_edit(ctx: _Context, request_id: int, body_file: Path, subject: str | None,
                  email_to: str | None) -> None:
    """Replace a request's letter with the text of a file (save it with `exposure letter`,
    edit it, fill in every [[...]] part)."""
    service = ctx.service()
    current = _guard(lambda: service.exposure.request(cli_actor(), request_id))
    body = body_file.read_text(encoding="utf-8")
    _guard(lambda: service.exposure.edit(cli_actor(), request_id,
                                         subject_line=subject or current.subject, body=body,
                                         email_to=email_to))
    from civicshield.reports.removal import placeholders

    missing = placeholders(body)
    click.echo(f"Saved the letter of request {request_id}"
               + (f"; still to fill in: {', '.join(missing)}" if missing else ""))


@exposure.command("mark")
@click.argument("request_id", type=int)
@click.argument("state", type=click.Choice([s.value for s in RequestState
                                            if s != RequestState.DRAFTED]))
@click.option("--note", default="", help="What happened (a reply, a reference number).")
@click.option("--on", "when", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              help="When it happened (UTC), if not now.")
@pass_ctx
def exposure_mark(ctx: _Context, request_id: int, state: str, note: str,
                  when: datetime | None) -> None:
    """Move a request on: sent (starts the clock), acknowledged, removed, refused, relisted."""
    request = _guard(lambda: ctx.service().exposure.mark(
        cli_actor(), request_id, RequestState(state), note=note,
        when=when.replace(tzinfo=UTC) if when else None))
    due = f", due {request.due_at:%Y-%m-%d %H:%M} UTC" if request.due_at else ""
    click.echo(f"Request {request.id} is {request.state.value}{due}")


@exposure.command("requests")
@click.option("--overdue", is_flag=True, help="Only requests past their due date.")
@_PRINCIPAL
@pass_ctx
def exposure_requests(ctx: _Context, principal: str | None, *, overdue: bool) -> None:
    """Removal requests, soonest due first."""
    now = datetime.now(UTC)
    found = _guard(lambda: ctx.service().exposure.requests(cli_actor(), overdue=overdue,
                                                           principal=principal))
    for r in found:
        due = f"due {r.due_at:%Y-%m-%d %H:%M} UTC" if r.due_at else "not sent"
        flag = " OVERDUE" if r.overdue(now) else ""
        click.echo(f"#{r.id} {r.state.value:12} {due}{flag}  {r.addressee} ({r.basis})")
    if not found:
        click.echo("No overdue requests." if overdue else "No requests yet.")


@exposure.command("recheck")
@click.option("--all", "everything", is_flag=True,
              help="Re-check everything, not only what was last checked a week ago or more.")
@pass_ctx
def exposure_recheck(ctx: _Context, *, everything: bool) -> None:
    """Look again where requests were sent: mark re-listings and unrecorded removals. Run it
    from cron or a systemd timer (docs/exposure.md)."""
    report = _guard(lambda: ctx.service().exposure.recheck(
        cli_actor(), older_than=timedelta(0) if everything else timedelta(days=7),
        local_files=True))
    click.echo(f"Re-checked {report.checked}: {len(report.relisted)} re-listed, "
               f"{len(report.now_removed)} now removed, {len(report.still_there)} still shown, "
               f"{report.still_gone} still gone.")
    for request_id in report.relisted:
        click.echo(f"  re-listed: request {request_id}")
    for error in report.errors:
        click.echo(f"  could not check: {error}", err=True)


@exposure.command("report")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_PRINCIPAL
@pass_ctx
def exposure_report(ctx: _Context, out: Path, principal: str | None) -> None:
    """Write the exposure report (PDF)."""
    _guard(lambda: ctx.service().exposure.report(cli_actor(), out, principal=principal))
    click.echo(f"Wrote {out}")


@exposure.command("laws")
def exposure_laws() -> None:
    """The statute table removal requests cite (not legal advice)."""
    for statute in statutes().values():
        flag = "  [UNVERIFIED: " + statute.verify_note + "]" if statute.unverified else ""
        click.echo(f"{statute.id:16} {statute.state}  {statute.citation}; deadline "
                   f"{statute.deadline or 'none set'}{flag}")


def _every(n: int, say: Callable[[str], None]) -> Callable[[str], None]:
    """A progress callback that passes on one line in ``n``."""
    seen = [0]

    def step(line: str) -> None:
        seen[0] += 1
        if seen[0] % n == 0:
            say(line)
    return step
