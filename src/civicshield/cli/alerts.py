"""`civicshield alerts ...`: open alerts, acknowledging and resolving them, and the rules."""

from __future__ import annotations

from pathlib import Path

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.evidence import Severity


@click.group()
def alerts() -> None:
    """Alerts fired by the rules, and the rules themselves."""


@alerts.command("list")
@click.option("--all", "everything", is_flag=True, help="Resolved alerts too.")
@pass_ctx
def alerts_list(ctx: _Context, *, everything: bool) -> None:
    """Open alerts, most serious first."""
    found = _guard(lambda: ctx.service().alerts.overview(cli_actor(),
                                                         include_resolved=everything))
    if not found:
        click.echo("No open alerts.")
    for a in found:
        click.echo(f"#{a.id:<5} {a.severity.value:<8} {a.status.value:<12} {a.rule:<24} "
                   f"{a.message_count} message(s) from {a.sender_count} sender(s)")


@alerts.command("ack")
@click.argument("alert_id", type=int)
@pass_ctx
def alerts_ack(ctx: _Context, alert_id: int) -> None:
    """Acknowledge an alert (reminders and escalation stop)."""
    _guard(lambda: ctx.service().alerts.acknowledge(cli_actor(), alert_id))
    click.echo(f"alert {alert_id} acknowledged")


@alerts.command("resolve")
@click.argument("alert_id", type=int)
@pass_ctx
def alerts_resolve(ctx: _Context, alert_id: int) -> None:
    """Resolve an alert."""
    _guard(lambda: ctx.service().alerts.resolve(cli_actor(), alert_id))
    click.echo(f"alert {alert_id} resolved")


@alerts.command("rules")
@click.option("--set", "new", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Check this rules file and put it in force.")
@pass_ctx
def alerts_rules(ctx: _Context, new: Path | None) -> None:
    """Print the rules in force, or check and save a new rules file."""
    service = ctx.service()
    if new is not None:
        ruleset = _guard(lambda: service.alerts.save_rules(cli_actor(),
                                                           new.read_text(encoding="utf-8")))
        click.echo(f"{len(ruleset.rules)} rules saved")
        return
    _, text = _guard(service.alerts.rules)
    click.echo(text)


@alerts.command("add-webhook")
@click.argument("name")
@click.option("--kind", type=click.Choice(["webhook", "slack", "teams"]), default="webhook",
              show_default=True)
@click.option("--url", required=True)
@click.option("--secret", default="", help="HMAC secret for a generic webhook.")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default="high",
              show_default=True)
@pass_ctx
def alerts_add_webhook(ctx: _Context, name: str, kind: str, url: str, secret: str,
                       min_severity: str) -> None:
    """Send alerts to a webhook, a Slack channel or a Teams channel."""
    _guard(lambda: ctx.service().alerts.add_target(cli_actor(), name, kind, url, secret,
                                                   Severity(min_severity)))
    click.echo(f"webhook {name!r} added")
