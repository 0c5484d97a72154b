"""`civicshield safety ...`: the safety plan printed, and the wallet card."""

from __future__ import annotations

from pathlib import Path

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor


@click.group()
def safety() -> None:
    """The protected person's safety plan (edited on the dashboard)."""


@safety.command("pdf")
@click.option("--principal", default=None)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--card", is_flag=True, help="The one-page wallet card instead of the plan.")
@pass_ctx
def safety_pdf(ctx: _Context, principal: str | None, out: Path, *, card: bool) -> None:
    """Write the plan (or the wallet card) as a PDF to print."""
    service = ctx.service()
    data = _guard(lambda: (service.safety.card if card else service.safety.pdf)(
        cli_actor(), principal))
    out.write_bytes(data)
    out.chmod(0o600)
    click.echo(f"{'wallet card' if card else 'safety plan'} written to {out}")
