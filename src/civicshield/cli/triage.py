"""`civicshield import`, `analyze`, `classify` and `queue`: messages in, findings and the queue
out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from civicshield.cli.common import Failure, _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.detection import LABELS
from civicshield.domain.models import ChannelKind, ReviewState
from civicshield.domain.ports import QueueFilter
from civicshield.domain.profile import ProtectedProfile
from civicshield.domain.search import parse_search


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", help="File format; guessed from the file when left out.")
@click.option("--principal", help="Short name of the protected person (needed when there are "
              "several).")
@click.option("--account", default="", help="The receiving account's handle, e.g. @mayor.")
@click.option("--personal", is_flag=True, help="The account is personal, not official.")
@click.option("--skip-bad", is_flag=True, help="Set malformed records aside (each is named) "
              "and import the rest, instead of stopping at the first.")
@click.option("--map", "mapping", metavar="SPEC", help="Read a contact-form export (CSV or "
              "Excel) through a column mapping: 'saved' (the one saved for the form on the "
              "dashboard), 'guess', or written out, e.g. "
              "'created_at=Submitted;text=Message;author_email=Email;author_name=Name'.")
@click.option("--bulk", is_flag=True, help="A large archive: store the messages now, "
              "without analysing them; `civicshield analyze` (with --cluster to spread it) "
              "judges them afterwards.")
@pass_ctx
def import_(ctx: _Context, paths: tuple[Path, ...], fmt: str | None, principal: str | None,
            account: str, mapping: str | None, *, personal: bool, skip_bad: bool,
            bulk: bool) -> None:
    """Import exports into the store and analyse them.

    Each file is all or nothing: a malformed record stops that file with the line and field
    named, and nothing from it is stored (with --skip-bad it is named and set aside, and the
    rest is stored). Importing a file again adds nothing. With --bulk the messages are stored
    unjudged, for `civicshield analyze` to judge.
    """
    service = ctx.service()
    for path in paths:
        columns = _guard(lambda p=path: service.triage.form_mapping(p, mapping)) \
            if mapping else None
        result = _guard(lambda p=path, m=columns: service.triage.import_file(
            cli_actor(), p, principal=principal, fmt=fmt, account=account,
            kind=ChannelKind.PERSONAL if personal else ChannelKind.OFFICIAL,
            skip_bad=skip_bad, mapping=m, bulk=bulk, on_wait=lambda: click.echo(
                "another import is running in this workspace; this one waits its turn ...",
                err=True)))
        click.echo(f"{path.name} ({result.fmt}): {result.added} added, "
                   f"{result.skipped} already stored"
                   + (f", {len(result.bad)} malformed set aside" if result.bad else ""))
        for line in result.bad:
            click.echo(f"  set aside: {line}", err=True)
    if bulk:
        click.echo("The messages are stored but not analysed yet: the queue cannot rank them "
                   "until `civicshield analyze` has run (add --cluster tcp://HOST:8786 to "
                   "spread it over a Dask cluster).")


@click.command()
@click.option("--all", "redo_all", is_flag=True, help="Re-analyse every message, not only those "
              "analysed by older detectors.")
@click.option("--cluster", metavar="ADDRESS", help="A Dask scheduler (tcp://host:8786) to "
              "spread the work over; default: CIVICSHIELD_DASK_SCHEDULER, else this process.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Messages per batch.")
@pass_ctx
def analyze(ctx: _Context, cluster: str | None, batch_size: int, *, redo_all: bool) -> None:
    """Run the detectors again over stored messages and update sender risk, here or on a Dask
    cluster, with a progress bar."""
    service = ctx.service()
    address = cluster or service.settings.dask_scheduler or None
    with click.progressbar(length=0, label="Analysing", file=sys.stderr,
                           show_pos=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = _guard(lambda: service.triage.analyse(
            cli_actor(), redo_all=redo_all, batch_size=batch_size, cluster=address,
            progress=progress))
    where = f" on the cluster at {address}" if address else ""
    click.echo(f"Analysed {count} messages with {service.context.registry.signature}{where}")


@click.command()
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
    from civicshield.app import build_registry
    from civicshield.services.triage import classify_records

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


@click.command()
@click.option("--label", type=click.Choice(LABELS), help="Only messages flagged with this label.")
@click.option("--state", type=click.Choice([*(s.value for s in ReviewState), "all"]),
              default="new", show_default=True, help="Review state to show (all: every state).")
@click.option("--principal", help="Only this protected person's messages.")
@click.option("--since", type=click.DateTime(), help="Only messages sent on or after this date.")
@click.option("--search", default="", metavar="WORDS",
              help='Only messages whose text holds these words (and "quoted phrases").')
@click.option("--limit", default=20, show_default=True, help="How many to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines instead of a table.")
@pass_ctx
def queue(ctx: _Context, label: str | None, state: str, principal: str | None,
          since: datetime | None, search: str, limit: int, *, as_json: bool) -> None:
    """Show the triage queue, worst first."""
    service = ctx.service()
    principal_id = None
    if principal:
        principal_id = _guard(lambda: {p.slug: p.id for p in service.principals.all()}[principal])
    flt = QueueFilter(principal_id=principal_id, label=label,
                      state=None if state == "all" else ReviewState(state),
                      since=since, search=_guard(lambda: parse_search(search)))
    items, total = service.triage.queue(flt, limit=limit)
    for m in items:
        if as_json:
            click.echo(json.dumps({"id": m.id, "rank": m.rank, "priority": m.priority,
                                   "flags": list(m.flags),
                                   "sender": m.sender.label, "risk": m.sender.risk_level.value,
                                   "platform": m.platform, "created_at": m.created_at.isoformat(),
                                   "text": m.text}, ensure_ascii=False))
        else:
            preview = " ".join(m.text.split())[:70]
            click.echo(f"{m.id:>6} {m.rank:5.1f} {m.sender.risk_level.value:<8} "
                       f"{','.join(m.flags) or '-':<24} {m.platform:<9} {preview}")
    if not as_json:
        click.echo(f"{len(items)} of {total} shown")
