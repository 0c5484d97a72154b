"""`civicshield init`, `serve` and `demo`: set up the workspace and serve the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from civicshield.cli.common import SetupFailure, _Context, _guard, pass_ctx
from civicshield.config import Settings
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import CivicShieldError

if TYPE_CHECKING:
    from civicshield.app import CivicShield


@click.command()
@pass_ctx
def init(ctx: _Context) -> None:
    """Create the data folder, the encryption key and the store, or upgrade an existing store.

    The first time, an 'admin' account is created and its one-time password printed.
    """
    from civicshield.app import CivicShield

    try:
        service, created_key = CivicShield.initialise(ctx.settings)
    except CivicShieldError as exc:
        raise SetupFailure(str(exc)) from exc
    click.echo(f"Store ready: {_safe_url(ctx.settings)}")
    if created_key:
        click.echo(f"Encryption key created at {ctx.settings.key_file}.\n"
                   "  Back it up somewhere safe: without it the protected data cannot be read.")
    password = service.accounts.ensure_admin()
    if password:
        click.echo(f"Admin account: user 'admin', one-time password: {password}\n"
                   "  Change it after logging in (Settings).")


def _safe_url(settings: Settings) -> str:
    url = settings.resolved_database_url
    return url.split("@")[-1] if "@" in url else url


@click.command()
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


@click.command()
@click.option("--no-serve", is_flag=True, help="Load the demo and stop, without serving.")
@click.option("--port", type=int, help="Port for the dashboard.")
@pass_ctx
def demo(ctx: _Context, *, no_serve: bool, port: int | None) -> None:
    """Initialise the store, load the bundled demo workspace, and serve the dashboard."""
    from civicshield.app import CivicShield
    from civicshield.demo import load_demo

    try:
        service, _ = CivicShield.initialise(ctx.settings)
    except CivicShieldError as exc:
        raise SetupFailure(str(exc)) from exc
    summary = _guard(lambda: load_demo(service))
    click.echo(summary)
    accounts = service.accounts
    password = accounts.ensure_admin() or accounts.reset_password(cli_actor(), "admin")
    click.echo(f"\nLog in as 'admin' with the one-time password: {password}\n")
    if not no_serve:
        _serve(service, None, port)
