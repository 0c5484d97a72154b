"""`civicshield intake ...`: live sources (IMAP inboxes, Mastodon and Bluesky accounts) and the
long-running process that reads them and sends the alerts."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.models import ChannelKind


@click.group()
def intake() -> None:
    """Read inboxes and accounts as messages arrive."""


@intake.command("run")
@pass_ctx
def intake_run(ctx: _Context) -> None:
    """Read every enabled source and send alerts until stopped (SIGTERM or Ctrl-C)."""
    service = ctx.service()
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    alerting = threading.Thread(target=service.alerts.run, args=(stop,), name="alerts",
                                daemon=True)
    alerting.start()
    count = len(_guard(lambda: service.intake.sources(cli_actor())))
    click.echo(f"civicshield intake: reading {count} source(s); alerts are on. Stop with Ctrl-C.")
    service.intake.run(stop)
    alerting.join(timeout=10)


def _secret(value: str | None, file: Path | None, prompt: str) -> str:
    if file is not None:
        return file.read_text(encoding="utf-8").strip()
    if value:
        return value
    text: str = click.prompt(prompt, hide_input=True)
    return text


def _add(ctx: _Context, kind: str, name: str, config: dict[str, Any], secret: dict[str, str],
         principal: str | None, *, personal: bool) -> None:
    _guard(lambda: ctx.service().intake.add_source(
        cli_actor(), kind, name, config, secret, principal=principal,
        channel_kind=ChannelKind.PERSONAL if personal else ChannelKind.OFFICIAL))
    click.echo(f"Source {name!r} added ({kind}). `civicshield intake run` reads it.")


_common = [
    click.option("--principal", default=None, help="Whose messages these are."),
    click.option("--personal", is_flag=True, help="The person's own account, not the office's."),
]


def _with_common(func: Any) -> Any:
    for option in reversed(_common):
        func = option(func)
    return func


@intake.command("add-imap")
@click.argument("name")
@click.option("--host", required=True)
@click.option("--port", type=int, default=993, show_default=True)
@click.option("--security", type=click.Choice(["tls", "starttls"]), default="tls",
              show_default=True)
@click.option("--username", required=True)
@click.option("--folder", default="INBOX", show_default=True)
@click.option("--oauth2", is_flag=True, help="Log in with an OAuth2 access token (XOAUTH2).")
@click.option("--secret-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A file holding the password or token (else you are asked).")
@_with_common
@pass_ctx
def add_imap(ctx: _Context, name: str, host: str, port: int, security: str, username: str,
             folder: str, secret_file: Path | None, principal: str | None, *, oauth2: bool,
             personal: bool) -> None:
    """Add an IMAP inbox (opened read-only)."""
    field = "access_token" if oauth2 else "password"
    secret = _secret(None, secret_file, "OAuth2 access token" if oauth2 else "Password")
    _add(ctx, "imap", name, {"host": host, "port": port, "security": security,
                             "username": username, "folder": folder,
                             "auth": "oauth2" if oauth2 else "password"},
         {field: secret}, principal, personal=personal)


@intake.command("add-mastodon")
@click.argument("name")
@click.option("--server", required=True, help="The instance, for example https://mastodon.social")
@click.option("--account", default="", help="The account, for example @mayor@mastodon.social")
@click.option("--secret-file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@_with_common
@pass_ctx
def add_mastodon(ctx: _Context, name: str, server: str, account: str, secret_file: Path | None,
                 principal: str | None, *, personal: bool) -> None:
    """Add a Mastodon account (an access token with the read:notifications scope)."""
    token = _secret(None, secret_file, "Access token")
    _add(ctx, "mastodon", name, {"server": server, "account": account},
         {"access_token": token}, principal, personal=personal)


@intake.command("add-bluesky")
@click.argument("name")
@click.option("--handle", required=True, help="For example mayor.bsky.social")
@click.option("--service", default="https://bsky.social", show_default=True)
@click.option("--secret-file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@_with_common
@pass_ctx
def add_bluesky(ctx: _Context, name: str, handle: str, service: str, secret_file: Path | None,
                principal: str | None, *, personal: bool) -> None:
    """Add a Bluesky account (an app password)."""
    password = _secret(None, secret_file, "App password")
    _add(ctx, "bluesky", name, {"handle": handle, "service": service},
         {"app_password": password}, principal, personal=personal)


@intake.command("list")
@pass_ctx
def intake_list(ctx: _Context) -> None:
    """Each source and its health."""
    lines = _guard(lambda: ctx.service().intake.health(cli_actor()))
    if not lines:
        click.echo("No sources yet: add one with `civicshield intake add-imap` (or add-mastodon, "
                   "add-bluesky) or on the dashboard's Intake page.")
    for health in lines:
        click.echo(f"{health.source.name:<20} {health.source.kind:<9} {health.state:<8} "
                   f"{health.line}")


def _by_name(ctx: _Context, name: str) -> int:
    for source in _guard(lambda: ctx.service().intake.sources(cli_actor())):
        if source.name == name:
            return int(source.id)
    raise click.ClickException(f"no source named {name!r}")


@intake.command("disable")
@click.argument("name")
@pass_ctx
def intake_disable(ctx: _Context, name: str) -> None:
    """Stop reading a source."""
    source_id = _by_name(ctx, name)
    _guard(lambda: ctx.service().intake.set_enabled(cli_actor(), source_id, enabled=False))
    click.echo(f"{name} switched off")


@intake.command("enable")
@click.argument("name")
@pass_ctx
def intake_enable(ctx: _Context, name: str) -> None:
    """Read a source again."""
    source_id = _by_name(ctx, name)
    _guard(lambda: ctx.service().intake.set_enabled(cli_actor(), source_id, enabled=True))
    click.echo(f"{name} switched on")
