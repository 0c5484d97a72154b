"""`civicshield incidents ...` and `evidence ...`: incidents, evidence, the chain of custody,
packets and letters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click

from civicshield.cli.common import Failure, _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.evidence import IncidentStatus, NoticeKind, Severity

#: Problems printed by `evidence verify`; the rest are counted.
MAX_PROBLEM_LINES = 50


@click.group()
def incidents() -> None:
    """Open incidents from messages and keep their evidence."""


@incidents.command("open")
@click.argument("message_ids", nargs=-1, type=int, required=True)
@click.option("--title", required=True, help="What happened, in a few words.")
@click.option("--severity", type=click.Choice([s.value for s in Severity]), default="medium")
@click.option("--notes", default="", help="First notes.")
@pass_ctx
def incidents_open(ctx: _Context, message_ids: tuple[int, ...], title: str, severity: str,
                   notes: str) -> None:
    """Open an incident from one or more messages (their numbers in the queue)."""
    incident = _guard(lambda: ctx.service().incidents.open(
        cli_actor(), title, list(message_ids), severity=Severity(severity), notes=notes))
    click.echo(f"Opened incident {incident.id}: {incident.title} "
               f"({len(message_ids)} message(s) captured as evidence)")


@incidents.command("add")
@click.argument("incident_id", type=int)
@click.argument("message_ids", nargs=-1, type=int, required=True)
@pass_ctx
def incidents_add(ctx: _Context, incident_id: int, message_ids: tuple[int, ...]) -> None:
    """Capture more messages into an incident."""
    added = _guard(lambda: ctx.service().incidents.add_messages(cli_actor(), incident_id,
                                                                list(message_ids)))
    click.echo(f"Captured {added} new message(s) into incident {incident_id}")


@incidents.command("attach")
@click.argument("incident_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="What the file shows.")
@pass_ctx
def incidents_attach(ctx: _Context, incident_id: int, path: Path, note: str) -> None:
    """Add a screenshot, PDF or .eml to an incident (hashed and encrypted)."""
    item = _guard(lambda: ctx.service().incidents.attach(cli_actor(), incident_id, path.name,
                                                         path.read_bytes(), note))
    click.echo(f"Attached {path.name} as evidence item {item}")


@incidents.command("update")
@click.argument("incident_id", type=int)
@click.option("--status", type=click.Choice([s.value for s in IncidentStatus]))
@click.option("--severity", type=click.Choice([s.value for s in Severity]))
@click.option("--note", default="", help="A note to add.")
@click.option("--police-report", default="", help="A police report number to record.")
@click.option("--involved", default="", help="A person or account involved.")
@pass_ctx
def incidents_update(ctx: _Context, incident_id: int, status: str | None, severity: str | None,
                     note: str, police_report: str, involved: str) -> None:
    """Change an incident's status or severity, or add a note, report number or person."""
    _guard(lambda: ctx.service().incidents.update(
        cli_actor(), incident_id, status=IncidentStatus(status) if status else None,
        severity=Severity(severity) if severity else None, note=note,
        police_report=police_report, involved=involved))
    click.echo(f"Incident {incident_id} updated")


@incidents.command("notice")
@click.argument("incident_id", type=int)
@click.option("--kind", type=click.Choice([k.value for k in NoticeKind]), required=True,
              help="blocked, warned or reported (to the platform).")
@click.option("--platform", required=True, help="Where: x, facebook, mastodon, email, ...")
@click.option("--ticket", default="", help="The platform's ticket or report number.")
@click.option("--date", "when", type=click.DateTime(), help="When (default: now), in UTC.")
@click.option("--note", default="", help="Anything else to record.")
@pass_ctx
def incidents_notice(ctx: _Context, incident_id: int, kind: str, platform: str, ticket: str,
                     when: datetime | None, note: str) -> None:
    """Record that the sender was blocked, warned or reported (proof of notice)."""
    from civicshield.services.incidents import notice_of

    at = (when.replace(tzinfo=UTC) if when else datetime.now(UTC))
    _guard(lambda: ctx.service().incidents.update(
        cli_actor(), incident_id, notice=notice_of(kind, platform, at, ticket, note)))
    click.echo(f"Incident {incident_id}: {kind} on {platform} recorded")


@incidents.command("impact")
@click.argument("incident_id", type=int)
@click.argument("statement_file", type=click.File("r", encoding="utf-8"))
@pass_ctx
def incidents_impact(ctx: _Context, incident_id: int, statement_file: TextIO) -> None:
    """Set the victim impact statement from a text file ('-' reads standard input)."""
    text = statement_file.read()
    _guard(lambda: ctx.service().incidents.update(cli_actor(), incident_id,
                                                  impact_statement=text))
    click.echo(f"Incident {incident_id}: victim impact statement recorded")


@incidents.command("redact")
@click.argument("item_id", type=int)
@click.option("--phrase", "phrases", multiple=True, required=True,
              help="Text to black out (repeat for more).")
@pass_ctx
def incidents_redact(ctx: _Context, item_id: int, phrases: tuple[str, ...]) -> None:
    """Make a redacted copy of an evidence item; the original is kept unchanged."""
    new = _guard(lambda: ctx.service().incidents.redact(cli_actor(), item_id, list(phrases)))
    click.echo(f"Redacted copy of item {item_id} stored as item {new}")


@incidents.command("list")
@pass_ctx
def incidents_list(ctx: _Context) -> None:
    """List incidents, newest first."""
    for incident, count in _guard(lambda: ctx.service().incidents.overview(cli_actor())):
        click.echo(f"{incident.id:>5}  {incident.status.value:<21} {incident.severity.value:<8} "
                   f"{count:>5} items  {incident.title}")


@click.group()
def evidence() -> None:
    """Verify the chain of custody and export evidence packets."""


@evidence.command("verify")
@click.option("--packet", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Check an unpacked evidence packet instead of the store.")
@click.option("--against", "anchor", type=click.Path(exists=True, path_type=Path),
              help="Also prove the ledger still holds the head that an earlier packet (ZIP or "
                   "folder) or ledger receipt recorded.")
@pass_ctx
def evidence_verify(ctx: _Context, packet: Path | None, anchor: Path | None) -> None:
    """Recompute every hash, signature and link; name everything that does not match."""
    if packet:
        from civicshield.reports.packet import verify_packet

        result = _guard(lambda: verify_packet(packet))
    elif anchor:
        result = _guard(lambda: ctx.service().incidents.verify_against(cli_actor(), anchor))
    else:
        result = _guard(lambda: ctx.service().incidents.verify(cli_actor()))
    for note in result.notes:
        click.echo(f"note: {note}")
    if not result.ok:
        shown = result.problems[:MAX_PROBLEM_LINES]
        more = len(result.problems) - len(shown)
        raise Failure("verification FAILED:\n" + "\n".join(f"  {p}" for p in shown)
                      + (f"\n  ... and {more} more" if more else ""))
    what = "in the packet" if packet else "in the store"
    extra = f", and the ledger extends the head in {anchor.name}" if anchor else ""
    click.echo(f"OK: {result.checked_entries} ledger entries and {result.checked_items} "
               f"evidence files {what} match their hashes and signatures{extra}")


@evidence.command("receipt")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The receipt to write (default: ledger-receipt-DATE.txt).")
@click.option("--email", "send_email", is_flag=True,
              help="Also email it to the configured witnesses (CIVICSHIELD_EVIDENCE_WITNESSES).")
@pass_ctx
def evidence_receipt(ctx: _Context, out: Path | None, *, send_email: bool) -> None:
    """Write a printable, signed receipt of the chain of custody's head for a witness to keep
    (a police liaison, the city attorney); `verify --against` checks the ledger against it."""
    service = ctx.service()
    receipt = _guard(lambda: service.incidents.receipt(cli_actor()))
    target = out or Path(f"ledger-receipt-{datetime.now(UTC):%Y-%m-%d}.txt")
    target.write_text(receipt, encoding="utf-8")
    click.echo(f"Wrote {target}")
    if send_email:
        sent = _guard(lambda: service.incidents.email_receipt(cli_actor(), receipt))
        click.echo(f"Emailed to {', '.join(sent)}")


@evidence.command("export")
@click.argument("incident_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The ZIP to write (default: incident-ID-evidence.zip).")
@pass_ctx
def evidence_export(ctx: _Context, incident_id: int, out: Path | None) -> None:
    """Write the evidence packet of an incident: originals, manifest, ledger, PDF report."""
    target = out or Path(f"incident-{incident_id}-evidence.zip")
    _guard(lambda: ctx.service().incidents.export(cli_actor(), incident_id, target))
    click.echo(f"Wrote {target}")


@evidence.command("letter")
@click.argument("incident_id", type=int)
@click.option("--kind", type=click.Choice(["preservation", "platform"]), default="preservation",
              help="preservation: an 18 U.S.C. 2703(f) request for police to send; platform: a "
                   "report for the platform's trust and safety team.")
@click.option("--pdf", "pdf_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write one PDF per platform into this folder.")
@pass_ctx
def evidence_letter(ctx: _Context, incident_id: int, kind: str, pdf_dir: Path | None) -> None:
    """Draft letters from an incident, one per platform, as editable text (and PDF)."""
    from civicshield.reports.pdf import letter_pdf

    letters = _guard(lambda: ctx.service().incidents.letters(cli_actor(), incident_id, kind))
    for platform, body in letters:
        click.echo(f"===== {platform} =====\n{body}\n")
        if pdf_dir:
            pdf_dir.mkdir(parents=True, exist_ok=True)
            slug = "-".join("".join(c if c.isalnum() else " " for c in platform).split())
            target = pdf_dir / f"incident-{incident_id}-{kind}-{slug}.pdf"
            target.write_bytes(letter_pdf(f"{kind} letter, {platform}", body))
            click.echo(f"Wrote {target}")
