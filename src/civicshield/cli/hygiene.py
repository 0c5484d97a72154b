"""`civicshield hygiene ...`: audit a password-manager export without keeping a password, and the
reports, exclusions and rounds of those audits."""

from __future__ import annotations

from pathlib import Path

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.hygiene import DEFAULT_POLICY, ISSUE_ORDER, POLICIES, Issue
from civicshield.domain.inventory import AccountKind


@click.group()
def hygiene() -> None:
    """Password and account hygiene audits."""


@hygiene.command("audit")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--person", required=True, help="Whose export this is (the official, a staff "
              "member).")
@click.option("--principal", default=None)
@click.option("--format", "fmt", default="", help="The export's format (told from the file "
              "when not given).")
@click.option("--policy", "policy_name", type=click.Choice(list(POLICIES)), default=None,
              help=f"The strength rule (the office's CIVICSHIELD_PASSWORD_POLICY, {DEFAULT_POLICY} "
                   "unless set).")
@click.option("--breach-check", type=click.Choice(["none", "online", "offline"]),
              default="none", show_default=True,
              help="online: Have I Been Pwned's range API (5 characters of each hash leave the "
                   "machine); offline: a local copy of its list.")
@click.option("--breach-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="The local Pwned Passwords file for --breach-check offline.")
@click.option("--vault", "vault_kind", type=click.Choice(["official", "personal", "mixed"]),
              default="official", show_default=True)
@click.option("--birth-year", "birth_years", type=int, multiple=True,
              help="Years a guesser might try (birth years of the person and family).")
@pass_ctx
def hygiene_audit(ctx: _Context, file: Path, person: str, principal: str | None, fmt: str,
                  policy_name: str | None, breach_check: str, breach_file: Path | None,
                  vault_kind: str, birth_years: tuple[int, ...]) -> None:
    """Audit FILE for PERSON: weak, reused and breached passwords, missing two-factor login."""
    service = ctx.service()
    password = ""
    if (fmt or "").lower() == "kdbx" or file.read_bytes()[:4] == b"\x03\xd9\xa2\x9a":
        password = click.prompt("KeePass database password (used for this audit only)",
                                hide_input=True)
    view = _guard(lambda: service.hygiene.audit(
        cli_actor(), file, person, principal=principal, fmt=fmt, kdbx_password=password,
        breach_check=breach_check,
        breach_file=breach_file or service.settings.pwned_file,
        policy_name=policy_name or service.settings.password_policy,
        vault_kind=vault_kind, birth_years=birth_years))
    record = view.record
    click.echo(f"Audit #{record.id}: {record.entries} logins from a {record.fmt} export, score "
               f"{record.score}/100")
    for issue in sorted(Issue, key=lambda i: ISSUE_ORDER[i][0]):
        found = view.of(issue)
        if found:
            click.echo(f"  {ISSUE_ORDER[issue][1]}: {len(found)}. {ISSUE_ORDER[issue][2]}")
    for number, group in enumerate(view.reuse_groups, start=1):
        click.echo(f"  shared password {number}: {', '.join(f.domain for f in group)}")
    click.echo(f"The full report: civicshield hygiene report {record.id} --pdf report.pdf")


@hygiene.command("list")
@click.option("--principal", default=None)
@pass_ctx
def hygiene_list(ctx: _Context, principal: str | None) -> None:
    """Every audit, newest first, with its score."""
    for r in _guard(lambda: ctx.service().hygiene.overview(cli_actor(), principal)):
        click.echo(f"#{r.id:<5} {r.created_at:%Y-%m-%d} {r.person:<24} {r.entries:>5} logins  "
                   f"score {r.score:>3}")


@hygiene.command("report")
@click.argument("audit_id", type=int)
@click.option("--pdf", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--csv", "csv_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None)
@pass_ctx
def hygiene_report(ctx: _Context, audit_id: int, pdf: Path | None,
                   csv_path: Path | None) -> None:
    """Write an audit's report as PDF and/or CSV (no secret is in either)."""
    service = ctx.service()
    if pdf is None and csv_path is None:
        raise click.UsageError("give --pdf FILE, --csv FILE or both")
    if pdf is not None:
        pdf.write_bytes(_guard(lambda: service.hygiene.pdf_report(cli_actor(), audit_id)))
        click.echo(f"report written to {pdf}")
    if csv_path is not None:
        csv_path.write_text(_guard(lambda: service.hygiene.csv_report(cli_actor(), audit_id)),
                            encoding="utf-8")
        click.echo(f"findings written to {csv_path}")


@hygiene.command("exclude")
@click.option("--issue", type=click.Choice([i.value for i in Issue]), required=True)
@click.option("--site", required=True, help="The site, as the report names it (example.com).")
@click.option("--reason", required=True)
@click.option("--days", type=int, default=90, show_default=True)
@click.option("--principal", default=None)
@pass_ctx
def hygiene_exclude(ctx: _Context, issue: str, site: str, reason: str, days: int,
                    principal: str | None) -> None:
    """Set one kind of finding aside for a site, with a reason, until it expires."""
    _guard(lambda: ctx.service().hygiene.exclude(cli_actor(), Issue(issue), site, reason,
                                                 days=days, principal=principal))
    click.echo(f"{issue} on {site} is set aside for {days} days")


@hygiene.command("new-round")
@pass_ctx
def hygiene_new_round(ctx: _Context) -> None:
    """Start a new round of audits: reuse across people is compared within one round."""
    number = _guard(lambda: ctx.service().hygiene.new_round(cli_actor()))
    click.echo(f"round {number} started")


@hygiene.command("account-add")
@click.argument("platform")
@click.argument("handle")
@click.option("--kind", type=click.Choice([k.value for k in AccountKind]), required=True)
@click.option("--controlled-by", required=True, help="Who holds the password.")
@click.option("--two-factor/--no-two-factor", default=None, help="Whether two-factor login "
              "is on (leave out when not known).")
@click.option("--recovery-email", default="")
@click.option("--recovery-phone", default="")
@click.option("--principal", default=None)
@pass_ctx
def hygiene_account_add(ctx: _Context, platform: str, handle: str, kind: str,
                        controlled_by: str, recovery_email: str, recovery_phone: str,
                        principal: str | None, *, two_factor: bool | None) -> None:
    """Add an account to the protected person's inventory."""
    number = _guard(lambda: ctx.service().hygiene.inventory.add(
        cli_actor(), platform, handle, kind, controlled_by, two_factor=two_factor,
        recovery_email=recovery_email, recovery_phone=recovery_phone, principal=principal))
    click.echo(f"account #{number} added")


@hygiene.command("accounts")
@click.option("--principal", default=None)
@pass_ctx
def hygiene_accounts(ctx: _Context, principal: str | None) -> None:
    """The inventory, and what to fix in it."""
    inventory = ctx.service().hygiene.inventory
    for a in _guard(lambda: inventory.accounts(cli_actor(), principal)):
        state = {True: "2FA on", False: "2FA OFF"}.get(a.two_factor, "2FA ?")
        click.echo(f"#{a.id:<4} {a.platform:<10} {a.handle:<28} {a.kind.value:<9} "
                   f"{a.controlled_by:<20} {state}")
    for f in _guard(lambda: inventory.findings(cli_actor(), principal)):
        click.echo(f"  - {f.title}: {f.detail}")


@hygiene.command("check")
@click.argument("account_id", type=int)
@click.argument("check_key")
@pass_ctx
def hygiene_check(ctx: _Context, account_id: int, check_key: str) -> None:
    """Record that a privacy check of an account was done today."""
    _guard(lambda: ctx.service().hygiene.inventory.mark_check(cli_actor(), account_id,
                                                              check_key))
    click.echo(f"{check_key} done; due again in 90 days")
