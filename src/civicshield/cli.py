"""The command line: init, import, analyze, classify, queue, serve, users, principals, incidents,
evidence, exposure, demo."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from civicshield.app import CivicShield, build_registry, classify_records, cli_actor
from civicshield.cli_common import Failure, SetupFailure, _Context, _guard, pass_ctx
from civicshield.cli_exposure import exposure
from civicshield.config import Settings
from civicshield.domain.detection import LABELS
from civicshield.domain.errors import CivicShieldError
from civicshield.domain.evidence import IncidentStatus, Severity
from civicshield.domain.models import ChannelKind, ReviewState, Role
from civicshield.domain.ports import QueueFilter
from civicshield.domain.profile import ProtectedProfile
from civicshield.reports.packet import verify_packet


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="civicshield")
def main() -> None:
    """civicshield: triage and document online attacks on public officials."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@pass_ctx
def init(ctx: _Context) -> None:
    """Create the data folder, the encryption key and the store, or upgrade an existing store.

    The first time, an 'admin' account is created and its one-time password printed.
    """
    try:
        service, created_key = CivicShield.initialise(ctx.settings)
    except CivicShieldError as exc:
        raise SetupFailure(str(exc)) from exc
    click.echo(f"Store ready: {_safe_url(ctx.settings)}")
    if created_key:
        click.echo(f"Encryption key created at {ctx.settings.key_file}.\n"
                   "  Back it up somewhere safe: without it the protected data cannot be read.")
    password = service.ensure_admin()
    if password:
        click.echo(f"Admin account: user 'admin', one-time password: {password}\n"
                   "  Change it after logging in (Settings).")


def _safe_url(settings: Settings) -> str:
    url = settings.resolved_database_url
    return url.split("@")[-1] if "@" in url else url


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", help="File format; guessed from the file when left out.")
@click.option("--principal", help="Short name of the protected person (needed when there are "
              "several).")
@click.option("--account", default="", help="The receiving account's handle, e.g. @mayor.")
@click.option("--personal", is_flag=True, help="The account is personal, not official.")
@pass_ctx
def import_(ctx: _Context, paths: tuple[Path, ...], fmt: str | None, principal: str | None,
            account: str, *, personal: bool) -> None:
    """Import exports into the store and analyse them.

    Each file is imported in one transaction: a malformed record stops that file with the line
    and field named, and nothing from it is stored. Importing a file again adds nothing.
    """
    service = ctx.service()
    for path in paths:
        result = _guard(lambda p=path: service.import_file(
            cli_actor(), p, principal=principal, fmt=fmt, account=account,
            kind=ChannelKind.PERSONAL if personal else ChannelKind.OFFICIAL))
        click.echo(f"{path.name} ({result.fmt}): {result.added} added, "
                   f"{result.skipped} already stored")


@main.command()
@click.option("--all", "redo_all", is_flag=True, help="Re-analyse every message, not only those "
              "analysed by older detectors.")
@pass_ctx
def analyze(ctx: _Context, *, redo_all: bool) -> None:
    """Run the detectors again over stored messages and update sender risk."""
    service = ctx.service()
    count = _guard(lambda: service.analyse(cli_actor(), redo_all=redo_all))
    click.echo(f"Analysed {count} messages with {service.registry.signature}")


@main.command()
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="The protected person's data (JSON) for doxxing detection.")
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-",
              help="JSON Lines to read (default: standard input).")
@pass_ctx
def classify(ctx: _Context, profile_path: Path | None, input_file: TextIO) -> None:
    """Score JSON Lines {"id", "text"} and write {"id", "scores", "flags", "reasons"} lines.

    Needs no store: it runs the configured detectors only.
    """
    profile = None
    if profile_path is not None:
        profile = _guard(lambda: ProtectedProfile.from_json(
            profile_path.read_text(encoding="utf-8"), source=str(profile_path)))
    registry, _ = build_registry(ctx.settings)
    out = sys.stdout
    for result in classify_records(registry, _classify_input(input_file), profile):
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()


def _classify_input(handle: TextIO) -> Iterator[dict[str, Any]]:
    name = "<stdin>" if handle.name in {"<stdin>", "-"} else handle.name
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise Failure(f"{name}, line {number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or "id" not in record:
            raise Failure(f"{name}, line {number}, field 'id': is required")
        if not isinstance(record.get("text"), str):
            raise Failure(f"{name}, line {number}, field 'text': must be text")
        yield record


@main.command()
@click.option("--label", type=click.Choice(LABELS), help="Only messages flagged with this label.")
@click.option("--state", type=click.Choice([s.value for s in ReviewState]), default="new",
              show_default=True, help="Review state to show.")
@click.option("--principal", help="Only this protected person's messages.")
@click.option("--since", type=click.DateTime(), help="Only messages sent on or after this date.")
@click.option("--limit", default=20, show_default=True, help="How many to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines instead of a table.")
@pass_ctx
def queue(ctx: _Context, label: str | None, state: str, principal: str | None,
          since: datetime | None, limit: int, *, as_json: bool) -> None:
    """Show the triage queue, worst first."""
    service = ctx.service()
    principal_id = None
    if principal:
        principal_id = _guard(lambda: {p.slug: p.id for p in service.principals()}[principal])
    flt = QueueFilter(principal_id=principal_id, label=label, state=ReviewState(state),
                      since=since)
    items, total = service.queue(flt, limit=limit)
    for m in items:
        if as_json:
            click.echo(json.dumps({"id": m.id, "priority": m.priority, "flags": list(m.flags),
                                   "sender": m.sender.label, "risk": m.sender.risk_level.value,
                                   "platform": m.platform, "created_at": m.created_at.isoformat(),
                                   "text": m.text}, ensure_ascii=False))
        else:
            preview = " ".join(m.text.split())[:70]
            click.echo(f"{m.id:>6} {m.priority:5.1f} {m.sender.risk_level.value:<8} "
                       f"{','.join(m.flags) or '-':<24} {m.platform:<9} {preview}")
    if not as_json:
        click.echo(f"{len(items)} of {total} shown")


@main.command()
@click.option("--host", help="Address to listen on (default: the host setting).")
@click.option("--port", type=int, help="Port to listen on (default: the port setting).")
@pass_ctx
def serve(ctx: _Context, host: str | None, port: int | None) -> None:
    """Serve the dashboard and the JSON API."""
    _serve(ctx.service(), host, port)


def _serve(service: CivicShield, host: str | None, port: int | None) -> None:
    import uvicorn

    from civicshield.web.app import create_app

    host, port = host or service.settings.host, port or service.settings.port
    click.echo(f"Dashboard: http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(create_app(service), host=host, port=port, log_level="warning",
                proxy_headers=False)


@main.group()
def users() -> None:
    """Manage staff accounts (roles: viewer, analyst, admin)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="analyst",
              show_default=True)
@pass_ctx
def users_add(ctx: _Context, username: str, role: str) -> None:
    """Create an account and print its one-time password."""
    _, password = _guard(lambda: ctx.service().add_user(cli_actor(), username, Role(role)))
    click.echo(f"User {username!r} ({role}) created. One-time password: {password}")


@users.command("list")
@pass_ctx
def users_list(ctx: _Context) -> None:
    """List accounts."""
    for user in _guard(lambda: ctx.service().users(cli_actor())):
        status = "disabled" if user.disabled else "active"
        click.echo(f"{user.username:<24} {user.role.value:<8} {status}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@pass_ctx
def users_set_role(ctx: _Context, username: str, role: str) -> None:
    """Change an account's role."""
    _guard(lambda: ctx.service().update_user(cli_actor(), username, role=Role(role)))
    click.echo(f"{username} is now {role}")


@users.command("disable")
@click.argument("username")
@pass_ctx
def users_disable(ctx: _Context, username: str) -> None:
    """Disable an account and end its sessions."""
    _guard(lambda: ctx.service().update_user(cli_actor(), username, disabled=True))
    click.echo(f"{username} is disabled")


@users.command("enable")
@click.argument("username")
@pass_ctx
def users_enable(ctx: _Context, username: str) -> None:
    """Enable a disabled account."""
    _guard(lambda: ctx.service().update_user(cli_actor(), username, disabled=False))
    click.echo(f"{username} is enabled")


@users.command("reset-password")
@click.argument("username")
@pass_ctx
def users_reset_password(ctx: _Context, username: str) -> None:
    """Set a new one-time password and end the account's sessions."""
    password = _guard(lambda: ctx.service().reset_password(cli_actor(), username))
    click.echo(f"New one-time password for {username}: {password}")


@users.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
@pass_ctx
def users_token(ctx: _Context, username: str, name: str) -> None:
    """Create an API token (shown once; only its hash is kept)."""
    token = _guard(lambda: ctx.service().create_api_token(cli_actor(), username, name))
    click.echo(token)


@main.group()
def principals() -> None:
    """Manage the protected people of this workspace."""


@principals.command("add")
@click.argument("slug")
@click.argument("name")
@click.option("--title", default="", help="Role, e.g. 'Mayor of Riverton'.")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Private identifiers (JSON, the classify --profile shape).")
@pass_ctx
def principals_add(ctx: _Context, slug: str, name: str, title: str,
                   profile_path: Path | None) -> None:
    """Add a protected person; the profile is stored encrypted."""
    profile = None
    if profile_path:
        profile = _guard(lambda: ProtectedProfile.from_json(
            profile_path.read_text(encoding="utf-8"), source=str(profile_path)))
    _guard(lambda: ctx.service().add_principal(cli_actor(), slug, name, title, profile))
    click.echo(f"Added {name} as {slug!r}")


@principals.command("list")
@pass_ctx
def principals_list(ctx: _Context) -> None:
    """List protected people."""
    for p in ctx.service().principals():
        click.echo(f"{p.slug:<24} {p.display_name} {('- ' + p.title) if p.title else ''}")


@principals.command("set-profile")
@click.argument("slug")
@click.argument("profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def principals_set_profile(ctx: _Context, slug: str, profile_path: Path) -> None:
    """Replace a protected person's private identifiers; run `analyze --all` afterwards."""
    profile = _guard(lambda: ProtectedProfile.from_json(
        profile_path.read_text(encoding="utf-8"), source=str(profile_path)))
    _guard(lambda: ctx.service().set_profile(cli_actor(), slug, profile))
    click.echo(f"Profile of {slug} updated")


@main.group()
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


@main.group()
def evidence() -> None:
    """Verify the chain of custody and export evidence packets."""


@evidence.command("verify")
@click.option("--packet", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Check an unpacked evidence packet instead of the store.")
@pass_ctx
def evidence_verify(ctx: _Context, packet: Path | None) -> None:
    """Recompute every hash and the ledger chain; name the first thing that does not match."""
    result = (_guard(lambda: verify_packet(packet)) if packet
              else _guard(lambda: ctx.service().incidents.verify(cli_actor())))
    if not result.ok:
        raise Failure(f"verification FAILED: {result.problem}")
    click.echo(f"OK: {result.checked_entries} ledger entries and {result.checked_items} "
               "evidence files match their hashes")


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
            target = pdf_dir / f"incident-{incident_id}-{kind}-{platform}.pdf"
            target.write_bytes(letter_pdf(f"{kind} letter, {platform}", body))
            click.echo(f"Wrote {target}")


@main.command()
@click.option("--no-serve", is_flag=True, help="Load the demo and stop, without serving.")
@click.option("--port", type=int, help="Port for the dashboard.")
@pass_ctx
def demo(ctx: _Context, *, no_serve: bool, port: int | None) -> None:
    """Initialise the store, load the bundled demo workspace, and serve the dashboard."""
    from civicshield.demo import load_demo

    try:
        service, _ = CivicShield.initialise(ctx.settings)
    except CivicShieldError as exc:
        raise SetupFailure(str(exc)) from exc
    summary = _guard(lambda: load_demo(service))
    click.echo(summary)
    password = service.ensure_admin() or service.reset_password(cli_actor(), "admin")
    click.echo(f"\nLog in as 'admin' with the one-time password: {password}\n")
    if not no_serve:
        _serve(service, None, port)


main.add_command(exposure)
